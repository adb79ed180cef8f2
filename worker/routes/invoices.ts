import { Hono } from 'hono';
import { and, desc, eq, getTableColumns, inArray, type SQL } from 'drizzle-orm';
import { InvoiceListQuery, RefundBody, VoidBody } from '../../contract/api-domain';
import * as t from '../../db/schema';
import { actorOf } from '../lib/actor';
import { afterCursor, cursorAt, page } from '../lib/cursor';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { dispatchStub } from '../realtime';
import { audit } from '../lib/audit';
import {
  invoicePayments,
  refundInvoice,
  toInvoice,
  toPayment,
  visibleInvoice,
  voidInvoice,
  type InvoiceRow,
} from '../services/invoices';
import type { AppEnv } from '../types';

/** Invoices (ApexPlow §5 "Billing"): drafts are made on completion, paid by in-person payments. */
export const invoices = new Hono<AppEnv>();

const announce = (env: Env, row: InvoiceRow) =>
  dispatchStub(env)
    .toAdmins({
      type: 'invoice_changed',
      payload: { invoice_id: row.id, job_id: row.job_id, status: row.status, ts: new Date().toISOString() },
    })
    .catch((err: unknown) =>
      console.error(JSON.stringify({ level: 'error', msg: 'invoice fan-out failed', err: String(err) })),
    );

/** Admin list, newest first, by status and customer, with the job address and customer name. */
invoices.get('/', async (c) => {
  const q = readQuery(c, InvoiceListQuery);
  const conds: SQL[] = [];
  if (q.status) conds.push(inArray(t.invoices.status, q.status));
  if (q.customer_id) conds.push(eq(t.invoices.customer_id, q.customer_id));
  if (q.cursor) conds.push(afterCursor(t.invoices.created_at, t.invoices.id, q.cursor, 'desc'));
  const rows = await c.var.db
    .select({
      ...getTableColumns(t.invoices),
      job_address: t.jobs.job_address,
      customer_name: t.users.full_name,
      _cursor_at: cursorAt(t.invoices.created_at),
    })
    .from(t.invoices)
    // A seasonal installment's invoice has no job (and so no job address).
    .leftJoin(t.jobs, eq(t.jobs.id, t.invoices.job_id))
    .innerJoin(t.customer_profiles, eq(t.customer_profiles.id, t.invoices.customer_id))
    .innerJoin(t.users, eq(t.users.id, t.customer_profiles.user_id))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(t.invoices.created_at), desc(t.invoices.id))
    .limit(q.limit + 1);
  const { items, next_cursor } = page(rows, q.limit);
  return c.json({
    invoices: items.map(({ job_address, customer_name, ...row }) => ({
      ...toInvoice(row),
      job_address,
      customer_name,
    })),
    next_cursor,
  });
});

/** One invoice with its payments: its customer or an admin (others: 404). */
invoices.get('/:id', async (c) => {
  const invoice = await visibleInvoice(c.var.db, actorOf(c), uuidParam(c));
  const payments = await invoicePayments(c.var.db, invoice.id);
  return c.json({ invoice: toInvoice(invoice), payments: payments.map(toPayment) });
});

invoices.post('/:id/void', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, VoidBody, { optional: true });
  const actor = actorOf(c);
  const row = await c.var.db.transaction(async (tx) => {
    const before = await visibleInvoice(tx, actor, id, { lock: true });
    const after = await voidInvoice(tx, before, body.reason ?? null);
    await audit(
      c,
      {
        action: 'invoice.void',
        entity_type: 'invoice',
        entity_id: id,
        before: toInvoice(before),
        after: toInvoice(after),
      },
      tx,
    );
    return after;
  });
  await announce(c.env, row);
  return c.json({ invoice: toInvoice(row) });
});

/** Records a refund (Phase 1: money goes back in person; Stripe refunds are Phase 2). */
invoices.post('/:id/refund', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, RefundBody);
  const actor = actorOf(c);
  const row = await c.var.db.transaction(async (tx) => {
    const before = await visibleInvoice(tx, actor, id, { lock: true });
    const after = await refundInvoice(tx, before, body.amount_cents, body.reason ?? null);
    await audit(
      c,
      {
        action: 'invoice.refund',
        entity_type: 'invoice',
        entity_id: id,
        before: toInvoice(before),
        after: { ...toInvoice(after), refund_amount_cents: body.amount_cents },
      },
      tx,
    );
    return after;
  });
  await announce(c.env, row);
  return c.json({ invoice: toInvoice(row) });
});
