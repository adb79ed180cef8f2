import { Hono } from 'hono';
import { AdminCustomersQuery, BoardQuery, ReportQuery } from '../../contract/api-domain';
import { readQuery } from '../lib/validate';
import { loadBoard } from '../services/board';
import { listCustomers } from '../services/customer-profile';
import { ensureSettings } from '../services/operator-setup';
import { dashboard, jobsReport, localToday, resolveRange, revenueReport } from '../services/reports';
import type { AppEnv } from '../types';

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
