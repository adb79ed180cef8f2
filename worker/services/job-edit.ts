import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { JobPatchBody } from '../../contract/api-domain';
import { TERMINAL_JOB } from '../../contract/job-status';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { conflict } from '../lib/errors';
import type { RecordAudit } from './audit-trail';
import { visibleJob, type Actor, type JobRow } from './jobs';
import { notifyPerson } from '../notify/intents';
import { customerUserId } from '../notify/recipients';
import { changePrice, type PriceChangeRow } from './price-changes';

export interface EditOutcome {
  job: JobRow;
  change: PriceChangeRow | null;
  /** Names of the fields that actually changed. */
  fields: string[];
}

const sameInstant = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/**
 * Admin edits of a job (ApexPlow §5 PATCH /jobs/:id) in one transaction with their audit
 * row. Instructions and schedule are frozen once a job is finished; the price goes through
 * `changePrice` so the override log and the invoice stay right. A new time is told to
 * the customer.
 */
export async function editJob(
  db: Db,
  actor: Actor,
  audit: RecordAudit,
  id: string,
  body: z.infer<typeof JobPatchBody>,
): Promise<EditOutcome> {
  return db.transaction(async (tx) => {
    const before = await visibleJob(tx, actor, id);
    if (body.expected_version !== undefined && body.expected_version !== before.version) {
      throw conflict('version_conflict', 'Someone else changed this job first; reload and try again.', {
        version: before.version,
      });
    }
    const scheduled =
      body.scheduled_for === undefined ? undefined : body.scheduled_for === null ? null : new Date(body.scheduled_for);
    const instructionsChange =
      body.special_instructions !== undefined && (body.special_instructions || null) !== before.special_instructions;
    const scheduleChange = scheduled !== undefined && !sameInstant(scheduled, before.scheduled_for);
    const photoRuleChange =
      body.after_photo_required !== undefined && body.after_photo_required !== before.after_photo_required;
    if ((instructionsChange || scheduleChange) && TERMINAL_JOB.includes(before.status)) {
      throw conflict('job_closed', `A ${before.status} job's instructions and schedule are final.`, {
        status: before.status,
      });
    }
    const fields: string[] = [];
    let job = before;
    let change: PriceChangeRow | null = null;
    if (body.final_price_cents !== undefined) {
      const priced = await changePrice(tx, actor, id, body.final_price_cents);
      job = priced.job;
      change = priced.change;
      if (priced.change) fields.push('final_price_cents');
    }
    if (instructionsChange || scheduleChange || photoRuleChange) {
      const set: Partial<typeof t.jobs.$inferInsert> = { version: job.version + 1 };
      if (instructionsChange) {
        set.special_instructions = body.special_instructions || null;
        fields.push('special_instructions');
      }
      if (scheduleChange) {
        set.scheduled_for = scheduled;
        fields.push('scheduled_for');
      }
      if (photoRuleChange) {
        set.after_photo_required = body.after_photo_required ?? null;
        fields.push('after_photo_required');
      }
      const [row] = await tx
        .update(t.jobs)
        .set(set)
        .where(and(eq(t.jobs.id, id), eq(t.jobs.version, job.version)))
        .returning();
      if (!row) throw conflict('version_conflict', 'Someone else changed this job first; reload and try again.');
      job = row;
    }
    if (fields.length === 0) return { job, change, fields };
    const pick = (row: JobRow) => Object.fromEntries(fields.map((f) => [f, row[f as keyof JobRow]]));
    await audit(tx, {
      action: 'job.update',
      entity_type: 'job',
      entity_id: id,
      before: pick(before),
      after: pick(job),
    });
    if (scheduleChange) {
      const userId = await customerUserId(tx, job.customer_id);
      if (userId) {
        await notifyPerson(tx, userId, {
          kind: 'job_rescheduled',
          job_id: job.id,
          key: `job_rescheduled:${job.id}:${job.version}`,
          context: { address: job.job_address, scheduled_for: job.scheduled_for },
        });
      }
    }
    return { job, change, fields };
  });
}
