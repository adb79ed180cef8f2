import { type Context, Hono } from 'hono';
import { and, asc, desc, eq, getTableColumns, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { PaymentBody } from '../../contract/api';
import { InvoiceListQuery, RefundBody, VoidBody } from '../../contract/api-domain';
import { OPEN_INVOICE_STATUSES } from '../../contract/enums';
import * as t from '../../db/schema';
import { emailInvoice, currentInvoicePdf } from '../invoices/generate';
import {
  invoicePayments,
  invoiceWithBalance,
  paidCents,
  paidCentsColumn,
  recordPayment,
  refundInvoice,
  toInvoice,
  toPayment,
  toPaymentOutcome,
  visibleInvoice,
  voidInvoice,
  type InvoiceRow,
} from '../invoices/invoices';
import { actorOf } from '../lib/actor';
import type { Tx } from '../lib/db';
import { audit } from '../lib/audit';
import { afterCursor, cursorAt, page } from '../lib/cursor';
import { ApiError, conflict } from '../lib/errors';
import { readJson, readQuery, uuidParam } from '../lib/validate';
import { publishInvoiceChange } from '../realtime';
import { visibleJob } from '../services/jobs';
import type { AppEnv } from '../types';

/** Invoices (ApexPlow §5 "Billing"): drafts are made on completion, paid in person or at the office. */
export const invoices = new Hono<AppEnv>();

const announce = (env: Env, row: InvoiceRow) => publishInvoiceChange(env, row);

/**
 * Admin list with the job address, customer name and balance. Open invoices (money still
 * owed) come oldest first, so the longest-unpaid balance leads; any other filter lists
 * newest first. Filters: status, customer, and age (issued at least N days ago).
 */
invoices.get('/', async (c) => {
  const q = readQuery(c, InvoiceListQuery);
  const onlyOpen = !!q.status?.length && q.status.every((s) => OPEN_INVOICE_STATUSES.includes(s));
  const dir = onlyOpen ? 'asc' : 'desc';
  const conds: SQL[] = [];
  if (q.status) conds.push(inArray(t.invoices.status, q.status));
  if (q.customer_id) conds.push(eq(t.invoices.customer_id, q.customer_id));
  if (q.job_id) conds.push(eq(t.invoices.job_id, q.job_id));
  if (q.older_than_days !== undefined)
    conds.push(
      lte(
        sql`coalesce(${t.invoices.issued_at}, ${t.invoices.created_at})`,
        sql`now() - make_interval(days => ${q.older_than_days})`,
      ),
    );
  if (q.cursor) conds.push(afterCursor(t.invoices.created_at, t.invoices.id, q.cursor, dir));
  const order = onlyOpen
    ? [asc(t.invoices.created_at), asc(t.invoices.id)]
    : [desc(t.invoices.created_at), desc(t.invoices.id)];
  const rows = await c.var.db
    .select({
      ...getTableColumns(t.invoices),
      job_address: t.jobs.job_address,
      customer_name: t.users.full_name,
      paid_cents: paidCentsColumn(),
      _cursor_at: cursorAt(t.invoices.created_at),
    })
    .from(t.invoices)
    // A seasonal installment's invoice has no job (and so no job address).
    .leftJoin(t.jobs, eq(t.jobs.id, t.invoices.job_id))
    .innerJoin(t.customer_profiles, eq(t.customer_profiles.id, t.invoices.customer_id))
    .innerJoin(t.users, eq(t.users.id, t.customer_profiles.user_id))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(...order)
    .limit(q.limit + 1);
  const { items, next_cursor } = page(rows, q.limit);
  return c.json({
    invoices: items.map(({ job_address, customer_name, paid_cents, ...row }) => ({
      ...toInvoice(row, paid_cents),
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
  const paid = payments.reduce((s, p) => s + p.amount_cents, 0);
  return c.json({ invoice: toInvoice(invoice, paid), payments: payments.map(toPayment) });
});

invoices.post('/:id/void', async (c) => {
  const body = await readJson(c, VoidBody, { optional: true });
  return changeInvoice(c, 'invoice.void', (tx, before) => voidInvoice(tx, before, body.reason ?? null));
});

/** Records a refund (Phase 1: money goes back in person; Stripe refunds are Phase 2). */
invoices.post('/:id/refund', async (c) => {
  const body = await readJson(c, RefundBody);
  return changeInvoice(
    c,
    'invoice.refund',
    (tx, before) => refundInvoice(tx, before, body.amount_cents, body.reason ?? null),
    { refund_amount_cents: body.amount_cents },
  );
});

/**
 * An admin's change to one invoice: locked, changed, audited with how it stood before and
 * after (and what else the route knows), then announced to the apps.
 */
async function changeInvoice(
  c: Context<AppEnv>,
  action: 'invoice.void' | 'invoice.refund',
  change: (tx: Tx, before: InvoiceRow) => Promise<InvoiceRow>,
  extra: object = {},
) {
  const id = uuidParam(c);
  const actor = actorOf(c);
  const row = await c.var.db.transaction(async (tx) => {
    const before = await visibleInvoice(tx, actor, id, { lock: true });
    const after = await change(tx, before);
    const paid = await paidCents(tx, id);
    const [was, now] = [toInvoice(before, paid), toInvoice(after, paid)];
    await audit(c, { action, entity_type: 'invoice', entity_id: id, before: was, after: { ...now, ...extra } }, tx);
    return after;
  });
  await announce(c.env, row);
  return c.json({ invoice: await invoiceWithBalance(c.var.db, row) });
}

/**
 * A payment taken at the office (by phone, a cheque in the mail): the same rules as the
 * driver's, at most the balance due; audited.
 */
invoices.post('/:id/payments', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, PaymentBody);
  const actor = actorOf(c);
  const outcome = await c.var.db.transaction(async (tx) => {
    const invoice = await visibleInvoice(tx, actor, id);
    if (!invoice.job_id)
      throw conflict('installment_invoice', 'Contract installments are paid under Contracts, not here.');
    const result = await recordPayment(tx, actor, await visibleJob(tx, actor, invoice.job_id), body);
    if (result.invoice.id !== id)
      throw conflict('invoice_closed', 'This invoice is no longer the live one for its job.', { invoice_id: id });
    if (!result.duplicate)
      await audit(
        c,
        {
          action: 'invoice.payment',
          entity_type: 'invoice',
          entity_id: id,
          after: { payment: toPayment(result.payment), status: result.invoice.status },
        },
        tx,
      );
    return result;
  });
  if (!outcome.duplicate) await announce(c.env, outcome.invoice);
  return c.json(toPaymentOutcome(outcome), outcome.duplicate ? 200 : 201);
});

/** Emails the customer the invoice again, as it stands now (a fresh PDF and a new 7-day link). */
invoices.post('/:id/resend', async (c) => {
  const id = uuidParam(c);
  const invoice = await visibleInvoice(c.var.db, actorOf(c), id);
  if (!invoice.job_id)
    throw conflict('installment_invoice', 'A contract installment has no PDF to send; its amount is in the app.');
  if (invoice.status === 'void')
    throw conflict('invalid_invoice_state', 'A void invoice is not sent.', { status: 'void' });
  await currentInvoicePdf(c.env, c.var.db, id);
  const emailed = await emailInvoice(c.env, c.var.db, id, `invoice:${id}:resend:${crypto.randomUUID()}`);
  if (!emailed)
    throw new ApiError(422, 'no_email_recipient', 'This customer takes no email from us; the invoice is in their app.');
  const [row] = await c.var.db
    .update(t.invoices)
    .set({ status: sql`CASE WHEN ${t.invoices.status} = 'draft' THEN 'sent' ELSE ${t.invoices.status} END` })
    .where(eq(t.invoices.id, id))
    .returning();
  await audit(c, { action: 'invoice.resend', entity_type: 'invoice', entity_id: id });
  return c.json({ invoice: await invoiceWithBalance(c.var.db, row ?? invoice), emailed });
});
