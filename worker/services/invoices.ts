import { and, eq, ne, sql } from 'drizzle-orm';
import type { PaymentMethod } from '../../contract/enums';
import * as t from '../../db/schema';
import { ApiError, conflict, notFound } from '../lib/errors';
import type { Actor } from '../lib/actor';
import type { Queryable } from '../lib/db';
import { notifyUser } from './notify-intents';
import { stormVisitPrice } from './storm-billing';

export type InvoiceRow = typeof t.invoices.$inferSelect;
export type PaymentRow = typeof t.payments.$inferSelect;

/** The API's invoice: the row without Phase-2 processor ids and storage keys. */
export function toInvoice(row: InvoiceRow) {
  const { organization_id: _o, stripe_invoice_id: _si, stripe_charge_id: _sc, pdf_key: _k, ...rest } = row;
  return rest;
}

export function toPayment(row: PaymentRow) {
  const { organization_id: _o, ...rest } = row;
  return rest;
}

/** Tax on a subtotal at a rate in basis points, rounded half up to the cent. */
export function taxCents(subtotalCents: number, rateBps: number): number {
  return Math.round((subtotalCents * rateBps) / 10_000);
}

export const dollars = (cents: number) => `$${(cents / 100).toFixed(2)}`;

async function taxRateBps(q: Queryable): Promise<number> {
  const [row] = await q.select({ bps: t.operator_settings.tax_rate_bps }).from(t.operator_settings).limit(1);
  return row?.bps ?? 0;
}

/**
 * Completion hook (called by `transitionJob` inside the completing transaction): a draft
 * invoice for the job at its price after overrides, taxed at the operator's rate. A job
 * that already has a live invoice keeps it (the partial unique index makes this a no-op).
 */
export async function onJobCompleted(q: Queryable, job: t.Job): Promise<InvoiceRow | null> {
  const subtotal = job.final_price_cents ?? job.quoted_price_cents ?? 0;
  const tax = taxCents(subtotal, await taxRateBps(q));
  const storm = await stormVisitPrice(q, job);
  const [row] = await q
    .insert(t.invoices)
    .values({
      job_id: job.id,
      customer_id: job.customer_id,
      status: 'draft',
      subtotal_cents: subtotal,
      tax_cents: tax,
      total_cents: subtotal + tax,
      notes: storm?.description ?? null,
    })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

/** The job's invoice that is not void, locked for the rest of the transaction. */
export async function liveInvoiceForJob(q: Queryable, jobId: string): Promise<InvoiceRow | undefined> {
  const [row] = await q
    .select()
    .from(t.invoices)
    .where(and(eq(t.invoices.job_id, jobId), ne(t.invoices.status, 'void')))
    .for('update')
    .limit(1);
  return row;
}

/**
 * A price override after completion re-prices the open invoice. Money already taken
 * (paid or refunded) is final: the override is refused rather than silently diverging.
 */
export async function repriceOpenInvoice(
  q: Queryable,
  jobId: string,
  subtotalCents: number,
): Promise<InvoiceRow | null> {
  const invoice = await liveInvoiceForJob(q, jobId);
  if (!invoice) return null;
  if (invoice.status === 'paid' || invoice.status === 'refunded') {
    throw conflict('invoice_closed', `The invoice for this job is ${invoice.status}; the price can no longer change.`, {
      invoice_id: invoice.id,
      status: invoice.status,
    });
  }
  const tax = taxCents(subtotalCents, await taxRateBps(q));
  const [row] = await q
    .update(t.invoices)
    .set({ subtotal_cents: subtotalCents, tax_cents: tax, total_cents: subtotalCents + tax })
    .where(eq(t.invoices.id, invoice.id))
    .returning();
  return row ?? null;
}

export async function paidCents(q: Queryable, invoiceId: string): Promise<number> {
  const [row] = await q
    .select({ sum: sql<number>`coalesce(sum(${t.payments.amount_cents}), 0)::int`.mapWith(Number) })
    .from(t.payments)
    .where(eq(t.payments.invoice_id, invoiceId));
  return row?.sum ?? 0;
}

export async function invoicePayments(q: Queryable, invoiceId: string): Promise<PaymentRow[]> {
  return q.select().from(t.payments).where(eq(t.payments.invoice_id, invoiceId)).orderBy(t.payments.recorded_at);
}

/**
 * An invoice the actor may see: admins any, a customer their own; otherwise 404. With
 * `lock`, the row stays locked until the transaction ends (void / refund read-then-write).
 */
export async function visibleInvoice(
  q: Queryable,
  actor: Actor,
  id: string,
  { lock = false } = {},
): Promise<InvoiceRow> {
  const query = q.select().from(t.invoices).where(eq(t.invoices.id, id)).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  if (!row || (actor.role !== 'admin' && (actor.role !== 'customer' || row.customer_id !== actor.customer_id)))
    throw notFound('Invoice');
  return row;
}

async function customerUserId(q: Queryable, customerId: string): Promise<string | null> {
  const [row] = await q
    .select({ user_id: t.customer_profiles.user_id })
    .from(t.customer_profiles)
    .where(eq(t.customer_profiles.id, customerId))
    .limit(1);
  return row?.user_id ?? null;
}

export interface PaymentInput {
  method: PaymentMethod;
  amount_cents?: number | undefined;
  client_event_id?: string | undefined;
}

export interface PaymentOutcome {
  invoice: InvoiceRow;
  payment: PaymentRow;
  duplicate: boolean;
}

/**
 * Money the driver collected in person (cash, card reader, PayPal/Venmo links): an
 * immutable payments row; the invoice becomes `paid` once payments cover its total.
 * Without an amount, the balance due is recorded; more than the balance due is refused
 * (422 `amount_exceeds_balance`), so a payment can never inflate what the customer is
 * thanked for or what reports count. A replayed `client_event_id` returns the first
 * recording. The invoice row is locked, so two recordings cannot both take the balance.
 */
export async function recordPayment(
  q: Queryable,
  actor: Actor,
  job: t.Job,
  input: PaymentInput,
): Promise<PaymentOutcome> {
  if (job.status !== 'completed') {
    throw conflict('job_not_completed', `Record payment once the job is completed; it is ${job.status}.`, {
      status: job.status,
    });
  }
  const invoice =
    (await liveInvoiceForJob(q, job.id)) ?? (await onJobCompleted(q, job)) ?? (await liveInvoiceForJob(q, job.id));
  if (!invoice) throw new ApiError(409, 'no_invoice', 'This job has no open invoice.');
  if (input.client_event_id) {
    const [prior] = await q
      .select()
      .from(t.payments)
      .where(and(eq(t.payments.job_id, job.id), eq(t.payments.client_event_id, input.client_event_id)))
      .limit(1);
    if (prior) return { invoice, payment: prior, duplicate: true };
  }
  if (invoice.status !== 'draft' && invoice.status !== 'sent') {
    throw conflict(
      invoice.status === 'paid' ? 'already_paid' : 'invoice_closed',
      `The invoice is already ${invoice.status}.`,
      { invoice_id: invoice.id, status: invoice.status },
    );
  }
  const paid = await paidCents(q, invoice.id);
  const due = invoice.total_cents - paid;
  if (due <= 0) throw conflict('already_paid', 'Nothing is due on this invoice.', { invoice_id: invoice.id });
  const amount = input.amount_cents ?? due;
  if (amount > due) {
    // What is recorded is what the customer is thanked for and what reports count as
    // revenue: never more than the invoice asks for (docs/decisions/0065).
    throw new ApiError(
      422,
      'amount_exceeds_balance',
      `Only ${dollars(due)} is due on this invoice; record at most that much.`,
      { balance_due_cents: due },
    );
  }
  const [payment] = await q
    .insert(t.payments)
    .values({
      job_id: job.id,
      invoice_id: invoice.id,
      method: input.method,
      amount_cents: amount,
      recorded_by_user_id: actor.user_id,
      client_event_id: input.client_event_id ?? null,
    })
    .returning();
  let updated = invoice;
  if (paid + amount >= invoice.total_cents) {
    const now = new Date();
    const [row] = await q
      .update(t.invoices)
      .set({ status: 'paid', paid_at: now, issued_at: invoice.issued_at ?? now })
      .where(eq(t.invoices.id, invoice.id))
      .returning();
    updated = row ?? invoice;
  }
  const userId = await customerUserId(q, job.customer_id);
  if (userId) {
    await notifyUser(q, {
      user_id: userId,
      kind: 'payment_received',
      job_id: job.id,
      subject: 'Payment received',
      body: `Thank you! We received ${dollars(amount)} by ${input.method} for ${job.job_address}.`,
      key: `payment_received:${payment!.id}`,
    });
  }
  return { invoice: updated, payment: payment!, duplicate: false };
}

/** Voids an unpaid invoice (kept for history). Paid money must be refunded first. Pass a locked row. */
export async function voidInvoice(q: Queryable, invoice: InvoiceRow, reason: string | null): Promise<InvoiceRow> {
  if (invoice.status !== 'draft' && invoice.status !== 'sent') {
    throw conflict(
      'invalid_invoice_state',
      `A ${invoice.status} invoice cannot be voided${invoice.status === 'paid' ? '; refund it instead' : ''}.`,
      { status: invoice.status, allowed_from: ['draft', 'sent'] },
    );
  }
  const [row] = await q
    .update(t.invoices)
    .set({ status: 'void', voided_at: new Date(), notes: reason ?? invoice.notes })
    .where(eq(t.invoices.id, invoice.id))
    .returning();
  return row!;
}

/**
 * Records a refund of money collected on a paid invoice, up to what was paid minus earlier
 * refunds. Phase 1 money moves in person, so this is a record only. Pass a locked row.
 *
 * PHASE 2 SEAM (Stripe): when `invoice.stripe_charge_id` is set, call Stripe's Refunds API
 * here (idempotency key = audit request id) before recording, and store its refund id.
 */
export async function refundInvoice(
  q: Queryable,
  invoice: InvoiceRow,
  amountCents: number,
  reason: string | null,
): Promise<InvoiceRow> {
  if (invoice.status !== 'paid' && invoice.status !== 'refunded') {
    throw conflict('invalid_invoice_state', `Only a paid invoice can be refunded; this one is ${invoice.status}.`, {
      status: invoice.status,
      allowed_from: ['paid', 'refunded'],
    });
  }
  const refundable = (await paidCents(q, invoice.id)) - (invoice.refund_cents ?? 0);
  if (amountCents > refundable) {
    throw new ApiError(422, 'refund_too_large', `At most ${dollars(refundable)} can still be refunded.`, {
      refundable_cents: refundable,
    });
  }
  const [row] = await q
    .update(t.invoices)
    .set({
      status: 'refunded',
      refunded_at: new Date(),
      refund_cents: (invoice.refund_cents ?? 0) + amountCents,
      notes: reason ?? invoice.notes,
    })
    .where(eq(t.invoices.id, invoice.id))
    .returning();
  if (!row) throw notFound('Invoice');
  const userId = await customerUserId(q, invoice.customer_id);
  if (userId) {
    await notifyUser(q, {
      user_id: userId,
      kind: 'refund_recorded',
      job_id: invoice.job_id,
      subject: 'Refund issued',
      body: `We refunded ${dollars(amountCents)} on your plowing invoice.`,
      key: `refund_recorded:${invoice.id}:${row.refund_cents}`,
    });
  }
  return row;
}
