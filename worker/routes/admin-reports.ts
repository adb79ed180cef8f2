import { Hono } from 'hono';
import { AdminCustomersQuery, BoardQuery, ExportQuery, ReportQuery } from '../../contract/api-domain';
import { openDb } from '../lib/db';
import { readQuery } from '../lib/validate';
import { loadBoard } from '../services/board';
import { listCustomers } from '../services/customer-profile';
import { ensureSettings } from '../services/operator-setup';
import { exportCsv, exportFileName } from '../services/exports';
import { dashboard, jobsReport, localToday, resolveRange, revenueReport } from '../services/reports';
import type { AppEnv } from '../types';
import { log } from '../lib/log';

/** The admin portal's read models: dashboard, board, reports, customers. Mounted at /api/v1/admin. */
export const adminReports = new Hono<AppEnv>();

const timezoneOf = async (c: { var: AppEnv['Variables'] }) => (await ensureSettings(c.var.db)).timezone;

adminReports.get('/dashboard', async (c) => c.json(await dashboard(c.var.db, await timezoneOf(c))));

/** Jobs requested, completed and cancelled per local day (default: the last 30 days). */
adminReports.get('/reports/jobs', async (c) => {
  const q = readQuery(c, ReportQuery);
  const tz = await timezoneOf(c);
  return c.json(await jobsReport(c.var.db, tz, resolveRange(tz, q.from, q.to)));
});

/** Money collected, refunded and invoiced per local day, and collected by payment method. */
adminReports.get('/reports/revenue', async (c) => {
  const q = readQuery(c, ReportQuery);
  const tz = await timezoneOf(c);
  return c.json(await revenueReport(c.var.db, tz, resolveRange(tz, q.from, q.to)));
});

/**
 * CSV for the operator's accountant, streamed a page of rows at a time so a season's range
 * never sits in memory. The stream outlives the handler, so it reads on a database handle
 * of its own, closed when the last row is written (or the download is abandoned).
 */
adminReports.get('/exports', async (c) => {
  const q = readQuery(c, ExportQuery);
  const tz = await timezoneOf(c);
  const range = resolveRange(tz, q.from, q.to);
  const { db, pool } = openDb(c.env);
  const rows = exportCsv(db, q.kind, tz, range);
  const encoder = new TextEncoder();
  const close = () => c.executionCtx.waitUntil(pool.end().catch(() => {}));
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await rows.next();
        if (next.done) {
          controller.close();
          close();
        } else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        log.error({ msg: 'csv export failed', kind: q.kind, err: String(err) });
        controller.error(err);
        close();
      }
    },
    async cancel() {
      await rows.return(undefined);
      close();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFileName(q.kind, range)}"`,
      'cache-control': 'no-store',
    },
  });
});

/** Columns per status with counts, price sums and ordered cards; finished columns show one day. */
adminReports.get('/board', async (c) => {
  const q = readQuery(c, BoardQuery);
  const tz = await timezoneOf(c);
  const day = q.day ?? localToday(tz);
  return c.json({ timezone: tz, day, columns: await loadBoard(c.var.db, tz, { from: day, to: day }, q.per_column) });
});

adminReports.get('/customers', async (c) => {
  const q = readQuery(c, AdminCustomersQuery);
  return c.json(await listCustomers(c.var.db, q));
});
