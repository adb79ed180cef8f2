import { and, eq } from 'drizzle-orm';
import type { CreateJobBody } from '../../contract/api';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { isUniqueViolation } from '../lib/db-errors';
import { ApiError } from '../lib/errors';
import { publishNewJob } from '../realtime';
import { startAutoDispatch } from './auto-dispatch';
import { formatAddress, insertPendingJobs } from './job-insert';
import { ownLocation } from './locations';
import { findJob, type Actor, type JobRow } from './jobs';
import { notifyPerson } from '../notify/intents';
import { checkStormCapacity } from './storm-intake';
import { intakeTerms, outsideArea } from './pricing';
import { log } from '../lib/log';

export type CreateOutcome =
  /** `auto_dispatch`: the operator wants new jobs offered to drivers automatically. */
  | { kind: 'job'; job: JobRow; created: boolean; auto_dispatch: boolean }
  | { kind: 'waitlist'; entry: typeof t.waitlist.$inferSelect };

/**
 * Creates a job request (SPEC §7 POST /jobs): the location must be the customer's own,
 * inside the service area; price and address are snapshotted. When the operator is not
 * accepting jobs the request joins the waitlist instead. A repeated `client_event_id`
 * returns the job created the first time.
 */
export async function createJob(db: Db, actor: Actor, body: CreateJobBody): Promise<CreateOutcome> {
  const customerId = actor.role === 'customer' ? actor.customer_id : body.customer_id;
  if (!customerId) {
    throw new ApiError(400, 'validation_failed', 'An admin-entered job names the customer.', [
      { field: 'customer_id', message: 'required' },
    ]);
  }
  if (body.client_event_id) {
    const prior = await priorJob(db, customerId, body.client_event_id);
    if (prior) return { kind: 'job', job: prior, created: false, auto_dispatch: false };
  }
  const location = await ownLocation(db, customerId, body.location_id);
  if (actor.role === 'customer') {
    const [user] = await db
      .select({ verified: t.users.email_verified_at })
      .from(t.users)
      .where(eq(t.users.id, actor.user_id))
      .limit(1);
    if (!user?.verified)
      throw new ApiError(403, 'email_not_verified', 'Verify your email address before requesting your first plow.');
  }
  const { tier, area, settings, storm_open } = await intakeTerms(
    db,
    body.driveway_tier_id,
    location.coordinates.lat,
    location.coordinates.lng,
  );
  if (!area.in_service_area) throw outsideArea(area);
  const address = formatAddress(location);

  if (!settings.accepting_jobs) {
    const [profile] = await db
      .select()
      .from(t.customer_profiles)
      .where(eq(t.customer_profiles.id, customerId))
      .limit(1);
    const [user] = profile ? await db.select().from(t.users).where(eq(t.users.id, profile.user_id)).limit(1) : [];
    const entry = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(t.waitlist)
        .values({
          customer_id: customerId,
          location_id: location.id,
          job_address: address,
          job_coordinates: location.coordinates,
          driveway_tier_id: tier.id,
          notes: body.special_instructions ?? null,
          preferred_contact: profile?.preferred_contact ?? 'email',
          contact_email: user?.email ?? null,
          contact_phone: user?.phone ?? null,
        })
        .returning();
      if (profile) {
        await notifyPerson(tx, profile.user_id, {
          kind: 'waitlist_joined',
          key: `waitlist_joined:${row!.id}`,
          context: { address },
        });
      }
      return row!;
    });
    return { kind: 'waitlist', entry };
  }

  // Storm mode: a customer's request must fit the storm crew's day (docs/decisions/0072).
  if (actor.role === 'customer' && storm_open) {
    const scheduled = body.scheduled_for ? new Date(body.scheduled_for) : null;
    await checkStormCapacity(db, location.coordinates, scheduled, settings);
  }

  let job: JobRow;
  try {
    const [row] = await insertPendingJobs(
      db,
      actor,
      [
        {
          customer_id: customerId,
          location_id: location.id,
          job_address: address,
          job_coordinates: location.coordinates,
          source: actor.role === 'admin' ? 'admin' : 'customer',
          driveway_tier_id: tier.id,
          special_instructions: body.special_instructions ?? null,
          quoted_price_cents: tier.price_cents,
          scheduled_for: body.scheduled_for ? new Date(body.scheduled_for) : null,
          client_event_id: body.client_event_id ?? null,
        },
      ],
      { notes: actor.role === 'admin' ? 'entered by admin' : null },
    );
    job = row!;
  } catch (err) {
    // A copy of this request (same client_event_id) was inserted between the check above and
    // this insert: answer with that job, as for any copy that arrives second.
    const prior =
      body.client_event_id && isUniqueViolation(err, 'jobs_customer_client_event_unique')
        ? await priorJob(db, customerId, body.client_event_id)
        : undefined;
    if (prior) return { kind: 'job', job: prior, created: false, auto_dispatch: false };
    throw err;
  }
  return { kind: 'job', job, created: true, auto_dispatch: settings.auto_dispatch };
}

/**
 * After the commit of new jobs: the dispatch board hears of each, and with auto-dispatch on
 * the nearest drivers are offered them in the background (`waitUntil`).
 */
export async function announceNewJobs(
  env: Env,
  waitUntil: (work: Promise<unknown>) => void,
  jobs: readonly JobRow[],
  autoDispatch: boolean,
): Promise<void> {
  await Promise.all(jobs.map((job) => publishNewJob(env, job)));
  if (autoDispatch)
    for (const job of jobs) waitUntil(startAutoDispatch(env, job).catch(log.failed('auto-dispatch start')));
}

/** The job this customer already created with this `client_event_id`, if any. */
async function priorJob(db: Db, customerId: string, clientEventId: string): Promise<JobRow | undefined> {
  const [prior] = await db
    .select({ id: t.jobs.id })
    .from(t.jobs)
    .where(and(eq(t.jobs.customer_id, customerId), eq(t.jobs.client_event_id, clientEventId)))
    .limit(1);
  return prior ? findJob(db, prior.id) : undefined;
}
