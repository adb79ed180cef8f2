import { and, asc, eq, ne, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  OPEN_INVOICE_STATUSES,
  REFUNDABLE_INVOICE_STATUSES,
  type InvoiceStatus,
  type PaymentMethod,
} from '../../contract/enums';
import { PAYMENT_UNDO_MINUTES, formatMoney } from '../../contract/money';
import * as t from '../../db/schema';
import type { Actor } from '../lib/actor';
import type { Queryable } from '../lib/db';
import { ApiError, conflict, notFound } from '../lib/errors';
import { notifyCustomer } from '../notify/intents';
import { stormVisitPrice } from '../services/storm-billing';
import type { InvoiceView } from './pdf';
import { ensureSettings } from '../services/operator-setup';
import { withdrawQueued } from '../services/notify-intents';

/**
 * The one home of invoices and payments: what a job costs (one amount function, the
 * discount counted once), the draft made on completion, payments, voids and refunds, and
 * everything the PDF shows. Routes, the completion flow, the invoice queue, reports and
 * exports all take their amounts from here.
 */

export type InvoiceRow = typeof t.invoices.$inferSelect;
export type PaymentRow = typeof t.payments.$inferSelect;

/** A short human invoice number from the id: INV-1A2B3C4D. */
export const invoiceNumber = (id: string) => `INV-${id.slice(0, 8).toUpperCase()}`;

/** Tax on a subtotal at a rate in basis points, rounded half up to the cent. */
export function taxCents(subtotalCents: number, rateBps: number): number {
  return Math.round((subtotalCents * rateBps) / 10_000);
}

/**
 * Subtotal, tax and total of a job (integer cents): its price after on-site overrides,
 * less its discount, taxed at the operator's rate.
 *
 * @example invoiceAmounts({ final_price_cents: null, quoted_price_cents: 8500, discount_cents: 1000 }, 0)
 *   // { subtotal_cents: 7500, tax_cents: 0, total_cents: 7500 }
 */
export function invoiceAmounts(
  job: Pick<t.Job, 'final_price_cents' | 'quoted_price_cents' | 'discount_cents'>,
  taxRateBps: number,
) {
  const subtotal_cents = Math.max(0, (job.final_price_cents ?? job.quoted_price_cents ?? 0) - job.discount_cents);
  const tax_cents = taxCents(subtotal_cents, taxRateBps);
  return { subtotal_cents, tax_cents, total_cents: subtotal_cents + tax_cents };
}

/** `invoiceAmounts`' subtotal in SQL, for reports over many jobs (`j` is the jobs alias). */
export const jobSubtotalSql = (j: string): SQL =>
  sql.raw(`greatest(coalesce(${j}.final_price_cents, ${j}.quoted_price_cents, 0) - ${j}.discount_cents, 0)`);

/** What is still owed: nothing on a void invoice; refunds give money back, they do not reopen a debt. */
export function balanceDueCents(invoice: Pick<InvoiceRow, 'status' | 'total_cents'>, paidCents: number): number {
  return invoice.status === 'void' ? 0 : Math.max(0, invoice.total_cents - paidCents);
}

/** The API's invoice: the row without processor ids and storage keys, with what was paid and is due. */
export function toInvoice(row: InvoiceRow, paidCents: number) {
  const { organization_id: _o, stripe_invoice_id: _si, stripe_charge_id: _sc, pdf_key: _k, ...rest } = row;
  return {
    ...rest,
    number: invoiceNumber(row.id),
    paid_cents: paidCents,
    refund_cents: row.refund_cents ?? 0,
    balance_due_cents: balanceDueCents(row, paidCents),
  };
}

export function toPayment(row: PaymentRow) {
  const { organization_id: _o, ...rest } = row;
  return rest;
}

/** What was paid on each invoice of a select over `invoices`, as a column. */
export const paidCentsColumn = () =>
  sql<number>`coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.invoice_id = ${t.invoices.id}), 0)::int`.mapWith(
    Number,
  );

export async function paidCents(q: Queryable, invoiceId: string): Promise<number> {
  const [row] = await q
    .select({ sum: sql<number>`coalesce(sum(${t.payments.amount_cents}), 0)::int`.mapWith(Number) })
    .from(t.payments)
    .where(eq(t.payments.invoice_id, invoiceId));
  return row?.sum ?? 0;
}

/** The API shape of one invoice, reading what was paid on it. */
export async function invoiceWithBalance(q: Queryable, row: InvoiceRow) {
  return toInvoice(row, await paidCents(q, row.id));
}

/**
 * A payment that stands: neither a reversal nor reversed (`p` names the payments table or
 * its alias). Sums need no such filter (a reversal nets its payment out); lists and counts
 * of payments a person reads do, so a mis-tap taken back shows nowhere.
 */
export const standingPaymentSql = (p: string): SQL =>
  sql.raw(
    `(${p}.reverses_payment_id IS NULL AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reverses_payment_id = ${p}.id))`,
  );

export async function invoicePayments(q: Queryable, invoiceId: string): Promise<PaymentRow[]> {
  return q
    .select()
    .from(t.payments)
    .where(and(eq(t.payments.invoice_id, invoiceId), standingPaymentSql('payments')))
    .orderBy(t.payments.recorded_at);
}

/** The job's invoice that is not void; with `lock`, locked for the rest of the transaction. */
export async function liveInvoiceForJob(
  q: Queryable,
  jobId: string,
  { lock = false } = {},
): Promise<InvoiceRow | undefined> {
  const query = q
    .select()
    .from(t.invoices)
    .where(and(eq(t.invoices.job_id, jobId), ne(t.invoices.status, 'void')))
    .limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/**
 * The job's live invoice, drafting it when there is none: at the job's amounts, with a
 * storm visit's description as its note. Called inside the completing transaction and
 * again by the invoice queue; one live invoice per job is guaranteed by a partial unique
 * index, so concurrent callers converge on the same row.
 */
export async function draftInvoice(q: Queryable, job: t.Job): Promise<InvoiceRow> {
  const existing = await liveInvoiceForJob(q, job.id);
  if (existing) return existing;
  const settings = await ensureSettings(q);
  const amounts = invoiceAmounts(job, settings.tax_rate_bps);
  const storm = await stormVisitPrice(q, job);
  await q
    .insert(t.invoices)
    .values({
      job_id: job.id,
      customer_id: job.customer_id,
      status: 'draft',
      ...amounts,
      notes: storm?.description ?? null,
      due_at: sql`now() + make_interval(days => ${settings.invoice_due_days})`,
    })
    .onConflictDoNothing();
  const row = await liveInvoiceForJob(q, job.id);
  if (!row) throw new Error(`invoice for job ${job.id} could not be created`);
  return row;
}

/**
 * A price override after completion re-prices the open invoice (the job's discount still
 * applies). Money already taken is final: the override is refused rather than silently diverging.
 */
export async function repriceOpenInvoice(q: Queryable, job: t.Job, newPriceCents: number): Promise<InvoiceRow | null> {
  const invoice = await liveInvoiceForJob(q, job.id, { lock: true });
  if (!invoice) return null;
  if (!OPEN_INVOICE_STATUSES.includes(invoice.status)) {
    throw conflict('invoice_closed', `The invoice for this job is ${invoice.status}; the price can no longer change.`, {
      invoice_id: invoice.id,
      status: invoice.status,
    });
  }
  const amounts = invoiceAmounts({ ...job, final_price_cents: newPriceCents }, (await ensureSettings(q)).tax_rate_bps);
  const [row] = await q.update(t.invoices).set(amounts).where(eq(t.invoices.id, invoice.id)).returning();
  return row ?? null;
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

export interface PaymentInput {
  method: PaymentMethod;
  amount_cents?: number | undefined;
  client_event_id?: string | undefined;
}

export interface PaymentOutcome {
  invoice: InvoiceRow;
  payment: PaymentRow;
  paid_cents: number;
  duplicate: boolean;
}

/** A payment and the invoice it left behind, as the API answers with them. */
export function toPaymentOutcome(outcome: PaymentOutcome) {
  return { payment: toPayment(outcome.payment), invoice: toInvoice(outcome.invoice, outcome.paid_cents) };
}

/**
 * Money collected (by the driver in person, or at the office): an immutable payments row;
 * the invoice becomes `paid` once payments cover its total. Without an amount, the balance
 * due is recorded; more than the balance due is refused (422 `amount_exceeds_balance`), so a
 * payment can never inflate what the customer is thanked for or what reports count. A
 * replayed `client_event_id` returns the first recording. The invoice row is locked, so two
 * recordings cannot both take the balance.
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
  await draftInvoice(q, job);
  const invoice = await liveInvoiceForJob(q, job.id, { lock: true });
  if (!invoice) throw new ApiError(409, 'no_invoice', 'This job has no open invoice.');
  const paid = await paidCents(q, invoice.id);
  if (input.client_event_id) {
    const [prior] = await q
      .select()
      .from(t.payments)
      .where(and(eq(t.payments.job_id, job.id), eq(t.payments.client_event_id, input.client_event_id)))
      .limit(1);
    if (prior) return { invoice, payment: prior, paid_cents: paid, duplicate: true };
  }
  if (!OPEN_INVOICE_STATUSES.includes(invoice.status)) {
    throw conflict(
      invoice.status === 'paid' ? 'already_paid' : 'invoice_closed',
      `The invoice is already ${invoice.status}.`,
      { invoice_id: invoice.id, status: invoice.status },
    );
  }
  const due = balanceDueCents(invoice, paid);
  if (due <= 0) throw conflict('already_paid', 'Nothing is due on this invoice.', { invoice_id: invoice.id });
  const amount = input.amount_cents ?? due;
  if (amount > due) {
    // What is recorded is what the customer is thanked for and what reports count as
    // revenue: never more than the invoice asks for (docs/decisions/0065).
    throw new ApiError(
      422,
      'amount_exceeds_balance',
      `Only ${formatMoney(due, { exact: true })} is due on this invoice; record at most that much.`,
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
  await notifyCustomer(q, job.customer_id, {
    kind: 'payment_received',
    job_id: job.id,
    key: `payment_received:${payment!.id}`,
    context: { address: job.job_address, amount_cents: amount, method: input.method },
  });
  return { invoice: updated, payment: payment!, paid_cents: paid + amount, duplicate: false };
}

/**
 * Takes back a payment its driver recorded by mistake (the wrong method, or money that never
 * changed hands), within PAYMENT_UNDO_MINUTES of recording it. Payments are append-only, so
 * the undo is a reversal row for minus the amount; a paid invoice asks for money again (back
 * to `draft` when the payment itself issued it, else `sent`), and the customer's receipt,
 * held back for the same window, is not sent. Later corrections are refunds, at the office.
 * Undoing an undone payment answers the first reversal (`duplicate`).
 */
export async function undoPayment(
  q: Queryable,
  actor: Actor,
  paymentId: string,
  now = new Date(),
): Promise<PaymentOutcome> {
  const [payment] = await q.select().from(t.payments).where(eq(t.payments.id, paymentId)).limit(1);
  // Someone else's payment answers exactly as one that does not exist.
  if (!payment || payment.reverses_payment_id || payment.recorded_by_user_id !== actor.user_id)
    throw notFound('Payment');
  const [job] = await q.select().from(t.jobs).where(eq(t.jobs.id, payment.job_id)).limit(1);
  // Still this driver's job: one taken back by the office since is the office's to correct.
  if (!job || !actor.driver_id || job.driver_id !== actor.driver_id) throw notFound('Payment');
  const invoice = await liveInvoiceForJob(q, job.id, { lock: true });
  if (!invoice) throw notFound('Payment');
  const [prior] = await q.select().from(t.payments).where(eq(t.payments.reverses_payment_id, payment.id)).limit(1);
  if (prior) return { invoice, payment: prior, paid_cents: await paidCents(q, invoice.id), duplicate: true };
  if (now.getTime() - payment.recorded_at.getTime() > PAYMENT_UNDO_MINUTES * 60_000) {
    throw conflict(
      'undo_too_late',
      `A payment can be taken back for ${PAYMENT_UNDO_MINUTES} minutes after it is recorded; ask the office to refund it.`,
    );
  }
  if (payment.invoice_id !== invoice.id || (invoice.refund_cents ?? 0) > 0 || invoice.status === 'void') {
    throw conflict('invoice_closed', `The invoice is already ${invoice.status}; ask the office to refund it.`, {
      invoice_id: invoice.id,
      status: invoice.status,
    });
  }
  const [reversal] = await q
    .insert(t.payments)
    .values({
      job_id: job.id,
      invoice_id: invoice.id,
      method: payment.method,
      amount_cents: -payment.amount_cents,
      recorded_by_user_id: actor.user_id,
      reverses_payment_id: payment.id,
    })
    .returning();
  const paid = await paidCents(q, invoice.id);
  let updated = invoice;
  if (invoice.status === 'paid' && paid < invoice.total_cents) {
    const issuedByPayment = invoice.issued_at?.getTime() === invoice.paid_at?.getTime();
    const [row] = await q
      .update(t.invoices)
      .set({
        status: issuedByPayment ? 'draft' : 'sent',
        paid_at: null,
        issued_at: issuedByPayment ? null : invoice.issued_at,
      })
      .where(eq(t.invoices.id, invoice.id))
      .returning();
    updated = row ?? invoice;
  }
  await withdrawQueued(
    q,
    sql`${t.notification_log.idempotency_key} LIKE ${`payment_received:${payment.id}:%`}`,
    'superseded: the payment was taken back',
  );
  return { invoice: updated, payment: reversal!, paid_cents: paid, duplicate: false };
}

/** Voids an unpaid invoice (kept for history). Paid money must be refunded first. Pass a locked row. */
export async function voidInvoice(q: Queryable, invoice: InvoiceRow, reason: string | null): Promise<InvoiceRow> {
  if (!OPEN_INVOICE_STATUSES.includes(invoice.status)) {
    throw conflict(
      'invalid_invoice_state',
      `A ${invoice.status} invoice cannot be voided${invoice.status === 'paid' ? '; refund it instead' : ''}.`,
      { status: invoice.status, allowed_from: OPEN_INVOICE_STATUSES },
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
 * refunds: `partially_refunded` while some of it stays with the operator, `refunded` once
 * all of it went back. Phase 1 money moves in person, so this is a record only. Pass a locked row.
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
  if (!REFUNDABLE_INVOICE_STATUSES.includes(invoice.status)) {
    throw conflict('invalid_invoice_state', `Only a paid invoice can be refunded; this one is ${invoice.status}.`, {
      status: invoice.status,
      allowed_from: REFUNDABLE_INVOICE_STATUSES,
    });
  }
  const paid = await paidCents(q, invoice.id);
  const refunded = (invoice.refund_cents ?? 0) + amountCents;
  const refundable = paid - (invoice.refund_cents ?? 0);
  if (amountCents > refundable) {
    throw new ApiError(
      422,
      'refund_too_large',
      `At most ${formatMoney(refundable, { exact: true })} can still be refunded.`,
      { refundable_cents: refundable },
    );
  }
  const status: InvoiceStatus = refunded >= paid ? 'refunded' : 'partially_refunded';
  const [row] = await q
    .update(t.invoices)
    .set({ status, refunded_at: new Date(), refund_cents: refunded, notes: reason ?? invoice.notes })
    .where(eq(t.invoices.id, invoice.id))
    .returning();
  if (!row) throw notFound('Invoice');
  await notifyCustomer(q, invoice.customer_id, {
    kind: 'refund_recorded',
    job_id: invoice.job_id,
    key: `refund_recorded:${invoice.id}:${row.refund_cents}`,
    context: { amount_cents: amountCents },
  });
  return row;
}

/** Everything the PDF shows, read in one place. */
export async function loadInvoiceView(q: Queryable, invoiceId: string): Promise<InvoiceView | null> {
  const customerUser = alias(t.users, 'customer_user');
  const driverUser = alias(t.users, 'driver_user');
  const [r] = await q
    .select({
      invoice: t.invoices,
      job: t.jobs,
      customer: { name: customerUser.full_name, email: customerUser.email, phone: customerUser.phone },
      tier_label: t.pricing_config.tier_label,
      driver_name: driverUser.full_name,
      paypal_link: t.driver_profiles.paypal_link,
      venmo_link: t.driver_profiles.venmo_link,
    })
    .from(t.invoices)
    .innerJoin(t.jobs, eq(t.jobs.id, t.invoices.job_id))
    .innerJoin(t.customer_profiles, eq(t.customer_profiles.id, t.invoices.customer_id))
    .innerJoin(customerUser, eq(customerUser.id, t.customer_profiles.user_id))
    .leftJoin(t.pricing_config, eq(t.pricing_config.id, t.jobs.driveway_tier_id))
    .leftJoin(t.driver_profiles, eq(t.driver_profiles.id, t.jobs.driver_id))
    .leftJoin(driverUser, eq(driverUser.id, t.driver_profiles.user_id))
    .where(eq(t.invoices.id, invoiceId))
    .limit(1);
  if (!r) return null;
  const changes = await q
    .select({
      old_price_cents: t.job_price_changes.old_price_cents,
      new_price_cents: t.job_price_changes.new_price_cents,
      changed_at: t.job_price_changes.changed_at,
      changed_by: t.users.full_name,
    })
    .from(t.job_price_changes)
    .innerJoin(t.users, eq(t.users.id, t.job_price_changes.changed_by_user_id))
    .where(eq(t.job_price_changes.job_id, r.job.id))
    .orderBy(asc(t.job_price_changes.changed_at));
  const payments = await q
    .select({ method: t.payments.method, amount_cents: t.payments.amount_cents, recorded_at: t.payments.recorded_at })
    .from(t.payments)
    .where(and(eq(t.payments.invoice_id, invoiceId), standingPaymentSql('payments')))
    .orderBy(asc(t.payments.recorded_at));
  const op = await ensureSettings(q);
  const terms = op.invoice_terms;
  const [area] = await q
    .select({ address: t.service_area_config.home_base_address })
    .from(t.service_area_config)
    .where(eq(t.service_area_config.is_active, true))
    .limit(1);
  const inv = r.invoice;
  const paid = payments.reduce((s, p) => s + p.amount_cents, 0);
  return {
    invoice: {
      id: inv.id,
      number: invoiceNumber(inv.id),
      status: inv.status,
      issued_at: inv.issued_at ?? new Date(),
      due_at: inv.due_at,
      subtotal_cents: inv.subtotal_cents,
      tax_cents: inv.tax_cents,
      total_cents: inv.total_cents,
      tax_rate_bps:
        inv.subtotal_cents > 0 ? Math.round((inv.tax_cents * 10_000) / inv.subtotal_cents) : op.tax_rate_bps,
      paid_cents: paid,
      refund_cents: inv.refund_cents ?? 0,
      balance_due_cents: balanceDueCents(inv, paid),
    },
    business: { name: op.business_name, address: area?.address ?? null, timezone: op.timezone, terms },
    customer: r.customer,
    job: {
      id: r.job.id,
      address: r.job.job_address,
      tier_label: r.tier_label,
      quoted_price_cents: r.job.quoted_price_cents,
      final_price_cents: r.job.final_price_cents,
      discount_cents: r.job.discount_cents,
      requested_at: r.job.requested_at,
      completed_at: r.job.completed_at,
    },
    driver: r.driver_name ? { name: r.driver_name, paypal_link: r.paypal_link, venmo_link: r.venmo_link } : null,
    price_changes: changes,
    payments,
  };
}
