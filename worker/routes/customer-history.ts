import { Hono } from 'hono';
import { and, desc, eq, getTableColumns, inArray, ne, type SQL } from 'drizzle-orm';
import { CursorQuery, CustomerJobPatchBody, CustomerJobsQuery } from '../../contract/api-domain';
import * as t from '../../db/schema';
import { actorOf, requireCustomerId } from '../lib/actor';
import { afterCursor, cursorAt, page } from '../lib/cursor';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { dispatchStub } from '../realtime';
import { invoiceWithBalance, paidCentsColumn, toInvoice } from '../invoices/invoices';
import { statusHistory, toJob, visibleJob } from '../services/jobs';
import { priceChanges, toPriceChange } from '../services/price-changes';
import { cancelEntry, listWaitlist, toWaitlistEntry } from '../services/waitlist';
import type { AppEnv } from '../types';
import { log } from '../lib/log';
import { answerJobEdit, jobsPage } from './jobs';

/** A customer's own history: jobs, waitlist requests and invoices (under /api/v1/customers). */
export const customerHistory = new Hono<AppEnv>();

/** Job history, newest first, cursor-paged; `?status=` narrows it. */
customerHistory.get('/me/jobs', async (c) => {
  const customerId = requireCustomerId(c);
  const q = readQuery(c, CustomerJobsQuery);
  const conds: SQL[] = [eq(t.jobs.customer_id, customerId)];
  if (q.status) conds.push(inArray(t.jobs.status, q.status));
  return c.json(await jobsPage(c.var.db, conds, q));
});

/** One job with its timeline, price changes and invoice: the job page in one request. */
customerHistory.get('/me/jobs/:id', async (c) => {
  requireCustomerId(c);
  const db = c.var.db;
  const job = await visibleJob(db, actorOf(c), uuidParam(c));
  const [events, changes, invoices] = await Promise.all([
    statusHistory(db, job.id),
    priceChanges(db, job.id),
    db
      .select()
      .from(t.invoices)
      .where(and(eq(t.invoices.job_id, job.id), ne(t.invoices.status, 'void')))
      .limit(1),
  ]);
  return c.json({
    job: toJob(job),
    events,
    price_changes: changes.map(toPriceChange),
    invoice: invoices[0] ? await invoiceWithBalance(db, invoices[0]) : null,
  });
});

/**
 * The customer's own change of a job before a driver sets out: time, instructions, tier or
 * location; a new tier or location re-quotes the price (logged with its reason). The
 * driver, the admins and the job's room hear of it. Under way: 409; another's job: 404.
 */
customerHistory.patch('/me/jobs/:id', async (c) => {
  requireCustomerId(c);
  const id = uuidParam(c);
  return answerJobEdit(c, id, await readJson(c, CustomerJobPatchBody));
});

/** Requests made while the operator was paused, oldest first. */
customerHistory.get('/me/waitlist', async (c) => {
  const customerId = requireCustomerId(c);
  const q = readQuery(c, CursorQuery);
  const result = await listWaitlist(c.var.db, { customer_id: customerId, cursor: q.cursor, limit: q.limit });
  return c.json({ waitlist: result.entries.map((e) => toWaitlistEntry(e)), next_cursor: result.next_cursor });
});

/** Withdraws a request still waiting. */
customerHistory.delete('/me/waitlist/:id', async (c) => {
  requireCustomerId(c);
  const entry = await cancelEntry(c.var.db, actorOf(c), uuidParam(c));
  await dispatchStub(c.env)
    .toAdmins({
      type: 'waitlist_changed',
      payload: { waitlist_id: entry.id, status: entry.status, job_id: null, ts: new Date().toISOString() },
    })
    .catch((err: unknown) => log.error({ msg: 'waitlist fan-out failed', err: String(err) }));
  return c.json({ waitlist_entry: toWaitlistEntry(entry) });
});

/** The customer's invoices, newest first (void ones included, marked as such). */
customerHistory.get('/me/invoices', async (c) => {
  const customerId = requireCustomerId(c);
  const q = readQuery(c, CursorQuery);
  const conds: SQL[] = [eq(t.invoices.customer_id, customerId)];
  if (q.cursor) conds.push(afterCursor(t.invoices.created_at, t.invoices.id, q.cursor, 'desc'));
  const rows = await c.var.db
    .select({
      ...getTableColumns(t.invoices),
      job_address: t.jobs.job_address,
      paid_cents: paidCentsColumn(),
      _cursor_at: cursorAt(t.invoices.created_at),
    })
    .from(t.invoices)
    // A seasonal installment's invoice has no job (and so no job address).
    .leftJoin(t.jobs, eq(t.jobs.id, t.invoices.job_id))
    .where(and(...conds))
    .orderBy(desc(t.invoices.created_at), desc(t.invoices.id))
    .limit(q.limit + 1);
  const { items, next_cursor } = page(rows, q.limit);
  return c.json({
    invoices: items.map(({ job_address, paid_cents, ...row }) => ({ ...toInvoice(row, paid_cents), job_address })),
    next_cursor,
  });
});
