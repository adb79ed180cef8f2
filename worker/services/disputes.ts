import { and, asc, eq, isNull } from 'drizzle-orm';
import type { DisputeSettlement } from '../../contract/api-domain';
import * as t from '../../db/schema';
import type { Actor } from '../lib/actor';
import type { Queryable, Tx } from '../lib/db';
import { ApiError, conflict } from '../lib/errors';
import { formatMoney } from '../../contract/money';
import { REFUNDABLE_INVOICE_STATUSES } from '../../contract/enums';
import { liveInvoiceForJob, refundInvoice, repriceOpenInvoice } from '../invoices/invoices';
import { insertPendingJobs } from './job-insert';

export type DisputeRow = t.JobDispute;

/** The API's dispute object. */
export function toDispute(row: DisputeRow) {
  const { organization_id: _org, ...rest } = row;
  return rest;
}

/** A dispute needs the customer's complaint; settling one needs an outcome. */
export function requireReason(reason: string | null | undefined): string {
  if (reason) return reason;
  throw new ApiError(400, 'validation_failed', 'Say what the customer disputes.', [
    { field: 'reason', message: 'required' },
  ]);
}

/** Called by `transitionJob` when a completed job becomes disputed, in its transaction. */
export async function openDispute(tx: Queryable, actor: Actor, job: t.Job, reason: string): Promise<DisputeRow> {
  const [row] = await tx
    .insert(t.job_disputes)
    .values({ job_id: job.id, reason, opened_by_user_id: actor.user_id })
    .returning();
  return row!;
}

/**
 * Called by `transitionJob` when a disputed job returns to completed, in its transaction:
 * records the outcome on the open dispute and carries it out. A credit is given back on
 * the job's invoice — refunded when it was paid, taken off the amount due when it was not;
 * a re-service is a new pending job for the same property at no charge.
 */
export async function settleDispute(
  tx: Tx,
  actor: Actor,
  job: t.Job,
  settlement: DisputeSettlement,
): Promise<{ dispute: DisputeRow; follow_up_job: t.Job | null }> {
  const [open] = await tx
    .select()
    .from(t.job_disputes)
    .where(and(eq(t.job_disputes.job_id, job.id), isNull(t.job_disputes.resolved_at)))
    .for('update')
    .limit(1);
  if (!open) throw conflict('no_open_dispute', 'This job has no open dispute to settle.');
  let followUp: t.Job | undefined;
  if (settlement.outcome === 'credited') {
    const credit = settlement.credit_cents ?? 0;
    const price = job.final_price_cents ?? job.quoted_price_cents ?? 0;
    if (credit > price)
      throw new ApiError(
        422,
        'credit_too_large',
        `The credit cannot be more than the job's price, ${formatMoney(price, { exact: true })}.`,
        {
          max_credit_cents: price,
        },
      );
    const invoice = await liveInvoiceForJob(tx, job.id, { lock: true });
    if (invoice && REFUNDABLE_INVOICE_STATUSES.includes(invoice.status))
      await refundInvoice(tx, invoice, credit, `Credit after a dispute: ${open.reason}`);
    else if (invoice) await repriceOpenInvoice(tx, job, price - credit);
  }
  if (settlement.outcome === 're_service') {
    const note = settlement.notes
      ? `Return visit after a dispute: ${settlement.notes}`
      : 'Return visit after a dispute';
    [followUp] = await insertPendingJobs(
      tx,
      actor,
      [
        {
          customer_id: job.customer_id,
          location_id: job.location_id,
          job_address: job.job_address,
          job_coordinates: job.job_coordinates,
          source: 'admin',
          service_type: job.service_type,
          driveway_tier_id: job.driveway_tier_id,
          special_instructions: [note, job.special_instructions].filter(Boolean).join(' — '),
          quoted_price_cents: 0,
          final_price_cents: 0,
        },
      ],
      { notes: `return visit for job ${job.id}` },
    );
  }
  const [dispute] = await tx
    .update(t.job_disputes)
    .set({
      outcome: settlement.outcome,
      resolution_notes: settlement.notes ?? null,
      credit_cents: settlement.outcome === 'credited' ? (settlement.credit_cents ?? null) : null,
      follow_up_job_id: followUp?.id ?? null,
      resolved_by_user_id: actor.user_id,
      resolved_at: new Date(),
    })
    .where(eq(t.job_disputes.id, open.id))
    .returning();
  return { dispute: dispute!, follow_up_job: followUp ?? null };
}

/** A job's disputes, oldest first. */
export async function jobDisputes(q: Queryable, jobId: string): Promise<DisputeRow[]> {
  return q.select().from(t.job_disputes).where(eq(t.job_disputes.job_id, jobId)).orderBy(asc(t.job_disputes.opened_at));
}
