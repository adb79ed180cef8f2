import { and, asc, eq } from 'drizzle-orm';
import { AT_WORK_JOB, CALLED_OFF_JOB } from '../../contract/job-status';
import * as t from '../../db/schema';
import { conflict } from '../lib/errors';
import { repriceOpenInvoice } from '../invoices/invoices';
import { visibleJob, type Actor, type JobRow, type Queryable } from './jobs';

export type PriceChangeRow = typeof t.job_price_changes.$inferSelect;

export function toPriceChange(row: PriceChangeRow) {
  const { organization_id: _o, ...rest } = row;
  return rest;
}

/** The price a job is charged at now: the last override, else the quote. */
export const currentPrice = (job: Pick<JobRow, 'final_price_cents' | 'quoted_price_cents'>) =>
  job.final_price_cents ?? job.quoted_price_cents ?? 0;

export interface PriceChangeOutcome {
  job: JobRow;
  change: PriceChangeRow | null;
}

/**
 * An on-the-fly price override (ApexPlow §3.11): who, when, old and new go to the
 * append-only `job_price_changes`, the job's `final_price_cents` moves, and a completed
 * job's open invoice is re-priced. The driver of the job may do it on site; an admin any
 * time before cancellation. Setting the same price again changes nothing and logs nothing.
 * Run inside a transaction.
 */
export async function changePrice(
  q: Queryable,
  actor: Actor,
  jobId: string,
  newPriceCents: number,
  expectedVersion?: number,
): Promise<PriceChangeOutcome> {
  const job = await visibleJob(q, actor, jobId);
  if (actor.role === 'driver' && !AT_WORK_JOB.includes(job.status)) {
    throw conflict(
      'price_locked',
      `The price is set on site: a job that is ${job.status} cannot be re-priced by its driver yet.`,
      { status: job.status, allowed_in: AT_WORK_JOB },
    );
  }
  if (actor.role === 'admin' && CALLED_OFF_JOB.includes(job.status)) {
    throw conflict('price_locked', 'A cancelled job has no price to change.', { status: job.status });
  }
  if (expectedVersion !== undefined && expectedVersion !== job.version) {
    throw conflict('version_conflict', 'Someone else changed this job first; reload and try again.', {
      version: job.version,
    });
  }
  const old = currentPrice(job);
  if (old === newPriceCents && job.final_price_cents !== null) return { job, change: null };
  if (job.status === 'completed') await repriceOpenInvoice(q, job, newPriceCents);
  const [updated] = await q
    .update(t.jobs)
    .set({ final_price_cents: newPriceCents, version: job.version + 1 })
    .where(and(eq(t.jobs.id, job.id), eq(t.jobs.version, job.version)))
    .returning();
  if (!updated) throw conflict('version_conflict', 'Someone else changed this job first; reload and try again.');
  if (old === newPriceCents) return { job: updated, change: null };
  return { job: updated, change: await logPriceChange(q, actor, job.id, old, newPriceCents) };
}

/**
 * One row of the append-only price log: an override (`changePrice`) or a re-quote after a
 * job's tier or place changed (worker/services/job-edit.ts), which names its `reason`.
 */
export async function logPriceChange(
  q: Queryable,
  actor: Actor,
  jobId: string,
  oldPriceCents: number,
  newPriceCents: number,
  reason: string | null = null,
): Promise<PriceChangeRow> {
  const [change] = await q
    .insert(t.job_price_changes)
    .values({
      job_id: jobId,
      changed_by_user_id: actor.user_id,
      old_price_cents: oldPriceCents,
      new_price_cents: newPriceCents,
      reason,
    })
    .returning();
  return change!;
}

/** Every override of a job, oldest first. */
export async function priceChanges(q: Queryable, jobId: string): Promise<PriceChangeRow[]> {
  return q
    .select()
    .from(t.job_price_changes)
    .where(eq(t.job_price_changes.job_id, jobId))
    .orderBy(asc(t.job_price_changes.changed_at), asc(t.job_price_changes.id));
}
