import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { CustomerJobPatchBody, JobPatchBody } from '../../contract/api-domain';
import { NOT_STARTED_JOB, TERMINAL_JOB, UNDER_WAY_JOB } from '../../contract/job-status';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { ApiError, conflict } from '../lib/errors';
import type { RecordAudit } from './audit-trail';
import { formatAddress } from './job-insert';
import { ownLocation } from './locations';
import { visibleJob, type Actor, type JobRow, type Queryable } from './jobs';
import { notifyCustomer } from '../notify/intents';
import { ensureSettings } from './operator-setup';
import { changePrice, currentPrice, logPriceChange, type PriceChangeRow } from './price-changes';
import { activeTier, checkServiceArea, outsideArea } from './pricing';
import { checkStormCapacity } from './storm-intake';

export interface EditOutcome {
  job: JobRow;
  change: PriceChangeRow | null;
  /** Names of the fields that actually changed. */
  fields: string[];
}

const sameInstant = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/** What an admin may send (PATCH /jobs/:id); a customer's edit is the same without the price. */
export type EditBody = z.infer<typeof JobPatchBody> | z.infer<typeof CustomerJobPatchBody>;

/** Why a job was re-quoted, as the price log and the people reading it say it. */
function requoteReason(tier: boolean, location: boolean): string {
  if (tier && location) return 're-quoted: tier and location changed';
  return tier ? 're-quoted: tier changed' : 're-quoted: location changed';
}

/**
 * Who may change what, and when. A customer changes their own job only while no driver has
 * set out (`NOT_STARTED_JOB`); an admin until it is finished. The tier and place of a
 * contract's visit follow the contract.
 */
function checkEditable(actor: Actor, job: JobRow, requote: boolean, changes: boolean): void {
  if (actor.role === 'customer' && !NOT_STARTED_JOB.includes(job.status)) {
    if (UNDER_WAY_JOB.includes(job.status)) {
      throw conflict(
        'job_under_way',
        'Your driver has already set out, so this job can no longer be changed here. Call us if something needs to change.',
        { status: job.status },
      );
    }
    throw conflict('job_closed', `This job is ${job.status}, so it can no longer be changed.`, { status: job.status });
  }
  if (!changes) return;
  if (TERMINAL_JOB.includes(job.status)) {
    throw conflict('job_closed', `A ${job.status} job's instructions, schedule, tier and place are final.`, {
      status: job.status,
    });
  }
  if (requote && job.contract_id) {
    throw conflict(
      'contract_priced',
      'This visit is priced by its service contract, so its tier and place follow the contract.',
    );
  }
}

/** The new quote for a new tier and/or place, checked the way a new request is (worker/services/job-create.ts). */
async function requote(
  q: Queryable,
  job: JobRow,
  tierId: number | null,
  locationId: string | null,
  placeChanged: boolean,
): Promise<Partial<typeof t.jobs.$inferInsert> & { quoted_price_cents: number }> {
  if (tierId === null) {
    throw new ApiError(422, 'unknown_tier', 'Pick a driveway tier for this job from /api/v1/pricing/tiers.');
  }
  const tier = await activeTier(q, tierId);
  const set: Partial<typeof t.jobs.$inferInsert> & { quoted_price_cents: number } = {
    driveway_tier_id: tier.id,
    quoted_price_cents: tier.price_cents,
    final_price_cents: null,
  };
  if (placeChanged && locationId) {
    const location = await ownLocation(q, job.customer_id, locationId);
    const area = await checkServiceArea(q, location.coordinates.lat, location.coordinates.lng);
    if (!area.in_service_area) throw outsideArea(area);
    set.location_id = location.id;
    set.job_address = formatAddress(location);
    set.job_coordinates = location.coordinates;
  }
  return set;
}

/**
 * Edits of a job in one transaction with their audit row: admins through PATCH /jobs/:id
 * (ApexPlow §5), customers through PATCH /customers/me/jobs/:id before a driver sets out.
 * Instructions, schedule, tier and place are frozen once a job is finished. A new tier or
 * place re-quotes the job from the tier prices — the quote a new request would get, the
 * service area checked again — and the re-quote goes into the price-change log with its
 * reason; an admin's price goes through `changePrice`. A new time set by an admin is told
 * to the customer. The caller fans the change out (`publishJobEdit`).
 */
export async function editJob(
  db: Db,
  actor: Actor,
  audit: RecordAudit,
  id: string,
  body: EditBody,
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
    const tierChange = body.driveway_tier_id !== undefined && body.driveway_tier_id !== before.driveway_tier_id;
    const placeChange = body.location_id !== undefined && body.location_id !== before.location_id;
    const finalPrice = 'final_price_cents' in body ? body.final_price_cents : undefined;
    const requoted = tierChange || placeChange;
    const photoRule = 'after_photo_required' in body ? body.after_photo_required : undefined;
    const photoRuleChange = photoRule !== undefined && photoRule !== before.after_photo_required;
    checkEditable(actor, before, requoted, instructionsChange || scheduleChange || requoted);
    const fields: string[] = [];
    let job = before;
    let change: PriceChangeRow | null = null;
    if (finalPrice !== undefined) {
      const priced = await changePrice(tx, actor, id, finalPrice);
      job = priced.job;
      change = priced.change;
      if (priced.change) fields.push('final_price_cents');
    }
    if (instructionsChange || scheduleChange || requoted || photoRuleChange) {
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
        set.after_photo_required = photoRule ?? null;
        fields.push('after_photo_required');
      }
      let quote: number | null = null;
      if (requoted) {
        const next = await requote(
          tx,
          job,
          body.driveway_tier_id ?? job.driveway_tier_id,
          body.location_id ?? null,
          placeChange,
        );
        Object.assign(set, next);
        quote = next.quoted_price_cents;
        fields.push('driveway_tier_id', 'quoted_price_cents');
        if (job.final_price_cents !== null) fields.push('final_price_cents');
        if (placeChange) fields.push('location_id', 'job_address');
      }
      // A customer's new time or place must still fit a storm crew's day, as a new request must.
      if (actor.role === 'customer' && (scheduleChange || placeChange)) {
        await checkStormCapacity(
          tx,
          set.job_coordinates ?? job.job_coordinates,
          scheduled === undefined ? job.scheduled_for : scheduled,
          await ensureSettings(tx),
        );
      }
      const [row] = await tx
        .update(t.jobs)
        .set(set)
        .where(and(eq(t.jobs.id, id), eq(t.jobs.version, job.version)))
        .returning();
      if (!row) throw conflict('version_conflict', 'Someone else changed this job first; reload and try again.');
      if (quote !== null) {
        change = await logPriceChange(tx, actor, id, currentPrice(job), quote, requoteReason(tierChange, placeChange));
      }
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
    if (scheduleChange && actor.role !== 'customer') {
      await notifyCustomer(tx, job.customer_id, {
        kind: 'job_rescheduled',
        job_id: job.id,
        key: `job_rescheduled:${job.id}:${job.version}`,
        context: { address: job.job_address, scheduled_for: job.scheduled_for },
      });
    }
    return { job, change, fields };
  });
}
