import { refusedStep } from '../../contract/status-words';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { DriverStatus, JobStatus } from '../../contract/enums';
import { ACTIVE_JOB, isIn } from '../../contract/job-status';
import {
  STATUS_TIMESTAMP,
  allowedNext,
  canTransition,
  decidesDriverStatus,
  driverStatusFromJobs,
} from '../../contract/state-machine';
import * as t from '../../db/schema';
import type { Actor } from '../lib/actor';
import type { Db, Queryable, Tx } from '../lib/db';
import { isUniqueViolation } from '../lib/db-errors';
import { ApiError, conflict, notFound } from '../lib/errors';
import { draftInvoice } from '../invoices/invoices';
import { stormVisitPrice } from './storm-billing';
import { jobNoticeIntents, noticeAudience, tellCustomerAssigned } from '../notify/intents';
import { intentsInsertSql, noteRecorded, type RecordedIntent } from './notify-intents';
import { jobPartiesFrom, jobPartiesSql } from '../notify/recipients';
import { advanceRoute, type RouteEta } from './route-stops';
import { SYSTEM_ACTOR } from '../lib/actor';
import type { DisputeSettlement } from '../../contract/api-domain';
import { openDispute, requireReason, settleDispute, type DisputeRow } from './disputes';
import { insertJobPhoto, latestAfterPhotoUrl, requireAfterPhoto } from './job-photos';
import { historyOf } from './job-history';
import { customerNameSql } from './customer-profile';
import { assigneeSql, requireAssignable } from './driver-directory';

export type JobRow = t.Job;
export type { Queryable, Tx } from '../lib/db';

export { type Actor, SYSTEM_ACTOR } from '../lib/actor';

/** The API's Job object (SPEC §7): the row with the snapshot point as `lat`/`lng`. */
export function toJob(row: JobRow) {
  const {
    job_coordinates,
    organization_id: _org,
    version,
    client_event_id: _ce,
    stripe_payment_intent_id: _s,
    // The admin's photo rule for the job is read with its photos (GET /jobs/:id/photos).
    after_photo_required: _ap,
    ...rest
  } = row;
  return { ...rest, lat: job_coordinates.lat, lng: job_coordinates.lng, version };
}
export type Job = ReturnType<typeof toJob>;

export async function findJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  const [row] = await db.select().from(t.jobs).where(eq(t.jobs.id, id)).limit(1);
  return row;
}

/** True when `actor` may see the job: its customer, its driver, or any admin. */
export function canSee(actor: Actor, job: Pick<JobRow, 'customer_id' | 'driver_id'>): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role === 'customer') return !!actor.customer_id && job.customer_id === actor.customer_id;
  return !!actor.driver_id && job.driver_id === actor.driver_id;
}

/** Loads a job the actor may see; anything else — missing or someone else's — is a 404. */
export async function visibleJob(db: Queryable, actor: Actor, id: string): Promise<JobRow> {
  const job = await findJob(db, id);
  if (!job || !canSee(actor, job)) throw notFound('Job');
  return job;
}

export interface TransitionOptions {
  notes?: string | null;
  lat?: number;
  lng?: number;
  recorded_at?: string;
  client_event_id?: string;
  completion_photo_url?: string;
  cancellation_reason?: string | null;
  /** For assignment: the driver to attach. */
  driver_id?: string;
  /** Optimistic lock: refuse unless the job is still at this version. */
  expected_version?: number;
  /**
   * The caller has already established that the actor may act on this job (a driver taking
   * a waitlisted request creates the job and assigns it to themself in one transaction).
   */
  trusted?: boolean;
  /** Assigning: the driver took the job themself (from the waitlist), so it is accepted too. */
  accepted?: boolean;
  /** Settling a dispute (disputed → completed): the outcome, recorded and carried out. */
  settlement?: DisputeSettlement;
}

export interface TransitionResult {
  job: JobRow;
  previous_status: JobStatus;
  /** The job's driver before the change (differs after a rejection). */
  previous_driver_id: string | null;
  /** True when `client_event_id` had already been applied: nothing changed. */
  duplicate: boolean;
  /** A move to `assigned`: the customer's name for the driver's card (null: their account has none). */
  customer_name?: string | null;
  /**
   * A completed stop of a storm route (docs/decisions/0070): the next stop assigned to the
   * same driver in the same transaction, and the re-timed ETAs of the rest, to publish.
   */
  route?: { next: TransitionResult | null; etas: RouteEta[] };
  /** Drivers whose status the change moved, with their new status (for the board). */
  driver_statuses: { driver_id: string; status: DriverStatus }[];
  /** Opening or settling a dispute: the dispute as it now stands. */
  dispute?: DisputeRow;
  /** A settlement by re-service: the new no-charge job for the same property. */
  follow_up_job?: JobRow | null;
}

/**
 * A driver's stored status and the statuses of their active jobs other than `exceptJobId`,
 * as one JSON object (null when there is no such driver), for a statement that reads it
 * beside other work.
 */
function driverStanding(driverId: string, exceptJobId: string | null = null) {
  const active = sql.join(
    ACTIVE_JOB.map((status) => sql`${status}`),
    sql`, `,
  );
  const except = exceptJobId ? sql` and j.id <> ${exceptJobId}::uuid` : sql``;
  return sql<DriverStanding | null>`(select json_build_object('status', d.status, 'jobs',
    (select coalesce(json_agg(j.status), '[]'::json) from ${t.jobs} j
      where j.driver_id = d.id and j.status in (${active})${except}))
    from ${t.driver_profiles} d where d.id = ${driverId}::uuid)`;
}

interface DriverStanding {
  status: DriverStatus;
  jobs: JobStatus[];
}

/** Stores the status `driverStatusFromJobs` derives from `standing`; returns it when it changed. */
async function storeDerivedStatus(
  tx: Queryable,
  driverId: string,
  standing: DriverStanding,
): Promise<{ driver_id: string; status: DriverStatus } | null> {
  const status = driverStatusFromJobs(standing.status, standing.jobs);
  if (status === standing.status) return null;
  await tx.update(t.driver_profiles).set({ status }).where(eq(t.driver_profiles.id, driverId));
  return { driver_id: driverId, status };
}

/**
 * Derives a driver's status from all of their active jobs (`driverStatusFromJobs`) and
 * stores it; returns it when it changed. `transitionJob` does this for every driver a
 * job change touches when the job moves into or out of a status with a say in it
 * (`decidesDriverStatus`; no other move can change it), so cancelling, rejecting or
 * reassigning one job never marks a driver available while another of their jobs is under
 * way. The driver row is locked before the jobs are read: two changes to different jobs of
 * one driver take turns, and the second sees the first's job. The lock is `FOR NO KEY
 * UPDATE`: a change that points its job at the driver holds a key-share lock on the
 * driver's row until commit, and `FOR UPDATE` would wait on that lock while that change
 * waits on ours (a deadlock). Only the status changes, never the key.
 */
export async function syncDriverStatus(
  tx: Queryable,
  driverId: string,
): Promise<{ driver_id: string; status: DriverStatus } | null> {
  const [held] = await tx
    .select({ id: t.driver_profiles.id })
    .from(t.driver_profiles)
    .where(eq(t.driver_profiles.id, driverId))
    .for('no key update');
  if (!held) return null;
  // A statement of its own, after the lock: it sees every change that committed meanwhile.
  const { rows } = await tx.execute<{ standing: DriverStanding | null }>(
    sql`select ${driverStanding(driverId)} as standing`,
  );
  const standing = rows[0]?.standing;
  return standing ? storeDerivedStatus(tx, driverId, standing) : null;
}

/**
 * The one place a job changes status (SPEC §3): checks the table and the actor, then in
 * one transaction updates `jobs` (guarded by status and version, so concurrent writers
 * cannot both win), appends a `job_status_events` row, and re-derives the status of each
 * driver it touches from all of their active jobs (`syncDriverStatus`).
 * A replayed `client_event_id` returns the job unchanged with `duplicate: true`.
 * Notification intents and, on completion, the draft invoice are written in the same
 * transaction, so a committed transition never lacks them. Pass an open transaction to
 * compose several moves atomically (reassignment); it then runs in a savepoint.
 */
export async function transitionJob(
  db: Queryable,
  actor: Actor,
  jobId: string,
  to: JobStatus,
  opts: TransitionOptions = {},
): Promise<TransitionResult> {
  return (db as Db).transaction(async (tx) => {
    // The job and, for a device event, whether this actor already sent it: one round trip.
    // Checked before visibility: a driver replaying their own offline "reject" can no
    // longer see the job, yet must get the same answer as the first time, not a 404.
    // Only the actor's own events count, so nobody learns about someone else's job.
    const seenEvent = opts.client_event_id
      ? sql<boolean>`exists (select 1 from ${t.job_status_events} e where e.job_id = ${jobId}::uuid and e.client_event_id = ${opts.client_event_id} and ${
          actor.system ? sql`e.changed_by_user_id is null` : sql`e.changed_by_user_id = ${actor.user_id}::uuid`
        })`
      : sql<boolean>`false`;
    // The job's driver is locked in the same read, for re-deriving their status below
    // (`syncDriverStatus`), which then needs no statement of its own to take the lock.
    const driverLocked = sql<
      number | null
    >`(select 1 from ${t.driver_profiles} d where d.id = "jobs"."driver_id" for no key update)`;
    // An assignment's driver card names the customer: read here, not after the commit.
    const customerName = to === 'assigned' ? customerNameSql(sql`"jobs"."customer_id"`) : sql<null>`null`;
    // The driver an assignment names; without one, it stays with the job's driver.
    const named = opts.driver_id ?? actor.driver_id ?? null;
    // Whom the move's messages may go to, read here too (`jobNoticeIntents` below).
    const audience = noticeAudience(to, actor);
    const parties = audience
      ? jobPartiesSql({
          customer_id: audience.customer ? sql`"jobs"."customer_id"` : sql`null`,
          driver_id: to === 'assigned' ? sql`coalesce(${named}::uuid, "jobs"."driver_id")` : sql`"jobs"."driver_id"`,
          tier_id: sql`"jobs"."driveway_tier_id"`,
        })
      : sql<null>`null`;
    // A driver named for an assignment is checked in the same read (`requireAssignable`).
    const assignee = to === 'assigned' && opts.driver_id ? assigneeSql(opts.driver_id) : sql<null>`null`;
    const [found] = await tx
      .select({
        job: t.jobs,
        seen: seenEvent,
        driver_locked: driverLocked,
        customer_name: customerName,
        parties,
        assignee,
      })
      .from(t.jobs)
      .where(eq(t.jobs.id, jobId))
      .limit(1);
    if (!found) throw notFound('Job');
    const { job, seen } = found;
    if (seen)
      return {
        job,
        previous_status: job.status,
        previous_driver_id: job.driver_id,
        duplicate: true,
        driver_statuses: [],
      };
    if (to === 'assigned' && opts.driver_id) requireAssignable(found.assignee);
    if (!opts.trusted && !canSee(actor, job)) throw notFound('Job');
    if (!canTransition(job.status, to, actor.role)) {
      throw conflict('invalid_transition', refusedStep(job.status, to, actor.role === 'admin'), {
        allowed: allowedNext(job.status, actor.role),
      });
    }
    if (opts.expected_version !== undefined && opts.expected_version !== job.version) {
      throw conflict('version_conflict', 'Someone else changed this job first; reload and try again.', {
        version: job.version,
      });
    }
    // Settling a dispute returns the job to completed without completing it again: the
    // completion time, price, invoice and route stay as they were.
    const settling = job.status === 'disputed' && to === 'completed';
    if (settling && !opts.settlement)
      throw new ApiError(400, 'validation_failed', 'Settling a dispute needs an outcome.', [
        { field: 'outcome', message: 'required' },
      ]);
    const disputeReason = to === 'disputed' ? requireReason(opts.notes) : null;
    const now = new Date();
    const patch: Partial<typeof t.jobs.$inferInsert> & Record<string, unknown> = {
      status: to,
      version: job.version + 1,
    };
    const stamp = STATUS_TIMESTAMP[to];
    if (stamp && !settling) patch[stamp] = opts.recorded_at ? new Date(opts.recorded_at) : now;
    if (to === 'assigned') {
      patch.driver_id = named ?? job.driver_id;
      patch.accepted_at = opts.accepted ? now : null; // each assignment is taken on afresh
    }
    if (to === 'pending') {
      // Taken back from a driver (even one on site): the next driver starts afresh; the
      // first one's arrival stays in the history.
      patch.driver_id = null;
      patch.assigned_at = null;
      patch.accepted_at = null;
      patch.arrived_at = null;
      patch.started_at = null;
    }
    if (to === 'cancelled') patch.cancellation_reason = opts.cancellation_reason ?? null;
    if (to === 'completed' && !settling) {
      await requireAfterPhoto(tx, actor, job, opts.completion_photo_url);
      const photo = opts.completion_photo_url ?? (await latestAfterPhotoUrl(tx, jobId));
      if (photo) patch.completion_photo_url = photo;
      if (opts.notes) patch.completion_notes = opts.notes;
      // A storm job is priced from its contract at the storm's depth now; an override on site wins.
      const storm = job.final_price_cents === null ? await stormVisitPrice(tx, job) : null;
      patch.final_price_cents = job.final_price_cents ?? storm?.price_cents ?? job.quoted_price_cents;
    }
    if (!patch.driver_id && to === 'assigned')
      throw new ApiError(400, 'validation_failed', 'Assigning needs a driver.', [
        { field: 'driver_id', message: 'required' },
      ]);

    // Only a move into or out of a status with a say in it can change a driver's status.
    const touchesDrivers = decidesDriverStatus(job.status) || decidesDriverStatus(to);
    // The job's driver, locked by the first read: where they stand is read in the update's
    // own statement, which began after the lock (as `syncDriverStatus` reads it after its own).
    const lockedDriver = touchesDrivers && found.driver_locked !== null ? job.driver_id : null;
    // The job as this change leaves it. Every change the app makes to a job moves its
    // version, and the write below is guarded by the version read: the row is the one read
    // with the patch applied; the statement adds only its time stamp (a deleted saved
    // place's SET NULL is the one change that moves no version).
    const after: JobRow = { ...job, ...(patch as Partial<JobRow>) };
    // Its messages, to the people the first read found, are written with it.
    // (`parties` is read whenever the move may tell anyone.)
    const intents = found.parties
      ? jobNoticeIntents(
          { job: after, previous_status: job.status, to, actor, previous_driver_id: job.driver_id },
          await jobPartiesFrom(tx, found.parties),
        )
      : [];
    const changed = tx.$with('changed').as(
      tx
        .update(t.jobs)
        .set(patch)
        .where(and(eq(t.jobs.id, jobId), eq(t.jobs.status, job.status), eq(t.jobs.version, job.version)))
        .returning({
          id: t.jobs.id,
          updated_at: t.jobs.updated_at,
          driver_standing: (lockedDriver ? driverStanding(lockedDriver, jobId) : sql<null>`null`).as('driver_standing'),
        }),
    );
    const history = historyOf(tx, changed, {
      previous_status: job.status,
      new_status: to,
      changed_by_user_id: actor.system ? null : actor.user_id,
      coordinates: opts.lat !== undefined && opts.lng !== undefined ? { lat: opts.lat, lng: opts.lng } : null,
      notes: opts.notes ?? opts.cancellation_reason ?? null,
      recorded_at: opts.recorded_at ? new Date(opts.recorded_at) : null,
      client_event_id: opts.client_event_id ?? null,
    });
    const notified = intents.length > 0 ? tx.$with('notified', {}).as(intentsInsertSql(intents, changed)) : null;
    const [row] = await tx
      .with(changed, history, ...(notified ? [notified] : []))
      .select({
        updated_at: changed.updated_at,
        driver_standing: changed.driver_standing,
        notified: notified
          ? sql<RecordedIntent[]>`(select coalesce(json_agg(n), '[]'::json) from ${notified} n)`
          : sql<null>`null`,
      })
      .from(changed);
    if (!row) {
      throw conflict('version_conflict', 'Someone else changed this job first; reload and try again.');
    }
    if (row.notified) noteRecorded(row.notified);
    const { driver_standing } = row;
    const updated: JobRow = { ...after, updated_at: row.updated_at };
    const driver_statuses: TransitionResult['driver_statuses'] = [];
    for (const driverId of touchesDrivers ? new Set([job.driver_id, updated.driver_id]) : []) {
      if (!driverId) continue;
      // The statement saw this job as it was: its new status joins the driver's others.
      const stillTheirs = updated.driver_id === driverId && isIn(ACTIVE_JOB, to);
      const moved =
        driverId === lockedDriver && driver_standing
          ? await storeDerivedStatus(tx, driverId, {
              status: driver_standing.status,
              jobs: stillTheirs ? [...driver_standing.jobs, to] : driver_standing.jobs,
            })
          : await syncDriverStatus(tx, driverId);
      if (moved) driver_statuses.push(moved);
    }
    const disputed = disputeReason ? { dispute: await openDispute(tx, actor, updated, disputeReason) } : {};
    const settled = settling && opts.settlement ? await settleDispute(tx, actor, updated, opts.settlement) : null;
    if (to === 'completed' && !settling) {
      // A photo sent with the finish is the job's "after" photo, stamped like the finish.
      if (opts.completion_photo_url)
        await insertJobPhoto(tx, actor, jobId, 'after', opts.completion_photo_url, {
          captured_at: opts.recorded_at,
          lat: opts.lat,
          lng: opts.lng,
        });
      await draftInvoice(tx, updated);
    }
    const route = to === 'completed' && !settling ? await nextOnRoute(tx, updated) : undefined;
    return {
      ...disputed,
      ...(settled ?? {}),
      job: updated,
      previous_status: job.status,
      previous_driver_id: job.driver_id,
      duplicate: false,
      ...(to === 'assigned' ? { customer_name: found.customer_name } : {}),
      ...(route ? { route } : {}),
      driver_statuses,
    };
  });
}

/**
 * The assigned driver takes the job on: `accepted_at` is set and an `accepted` event joins
 * the history, in one transaction guarded by the version (which also ends an auto-dispatch
 * offer's countdown); the status stays `assigned`. Accepting again changes nothing. When
 * the assignment was an automatic offer, the customer hears about their driver now.
 */
export async function acceptJob(db: Queryable, actor: Actor, jobId: string): Promise<TransitionResult> {
  return (db as Db).transaction(async (tx) => {
    const job = await visibleJob(tx, actor, jobId);
    const unchanged = { job, previous_status: job.status, previous_driver_id: job.driver_id, driver_statuses: [] };
    if (job.status !== 'assigned') {
      throw conflict('invalid_transition', `A job that is ${job.status} cannot be accepted.`, { allowed: [] });
    }
    if (job.accepted_at) return { ...unchanged, duplicate: true };
    // Who assigned it, read before this acceptance joins the history.
    const [assignment] = await tx
      .select({ by: t.job_status_events.changed_by_user_id })
      .from(t.job_status_events)
      .where(and(eq(t.job_status_events.job_id, jobId), eq(t.job_status_events.new_status, 'assigned')))
      .orderBy(desc(t.job_status_events.created_at), desc(t.job_status_events.id))
      .limit(1);
    const changed = tx.$with('changed').as(
      tx
        .update(t.jobs)
        .set({ accepted_at: sql`clock_timestamp()`, version: job.version + 1 })
        .where(and(eq(t.jobs.id, jobId), eq(t.jobs.version, job.version), eq(t.jobs.status, 'assigned')))
        .returning(),
    );
    const history = historyOf(tx, changed, {
      kind: 'accepted',
      previous_status: 'assigned',
      new_status: 'assigned',
      changed_by_user_id: actor.system ? null : actor.user_id,
    });
    const [updated] = await tx.with(changed, history).select().from(changed);
    if (!updated) throw conflict('version_conflict', 'The job changed meanwhile; reload and try again.');
    // An automatic offer (assigned by nobody) tells its customer now.
    if (assignment?.by === null) await tellCustomerAssigned(tx, updated);
    return { ...unchanged, job: updated, duplicate: false };
  });
}

/**
 * After a route stop is completed, in the same transaction: the rest of the route is
 * re-timed and its new head, if still pending, is assigned to the driver — through this
 * same function, so it gets every effect of an assignment. A head that someone else moved
 * meanwhile is left alone (its savepoint is rolled back, the completion stands).
 */
async function nextOnRoute(tx: Tx, completed: JobRow): Promise<TransitionResult['route'] | undefined> {
  const advance = await advanceRoute(tx, completed);
  if (!advance) return undefined;
  let next: TransitionResult | null = null;
  if (advance.next) {
    try {
      next = await transitionJob(tx, SYSTEM_ACTOR, advance.next.job_id, 'assigned', {
        driver_id: advance.next.driver_id,
        notes: 'next stop on the route',
      });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }
  return { next, etas: advance.etas };
}

/**
 * `transitionJob` for an event a device may send more than once. Copies of one
 * `client_event_id` that arrive together (an offline queue replayed on two connections, a
 * retry loop) race: on Postgres the losers find the job moved under them (the version
 * guard) or hit the unique index on (job_id, client_event_id). Run once more, each sees
 * the winner's committed event and answers as the duplicate it is — the same 200 as the
 * first copy, not a 409 or a 500. Without an event id a lost race stays a 409.
 */
export async function transitionJobOnce(
  db: Db,
  actor: Actor,
  jobId: string,
  to: JobStatus,
  opts: TransitionOptions = {},
): Promise<TransitionResult> {
  try {
    return await transitionJob(db, actor, jobId, to, opts);
  } catch (err) {
    const lostRace =
      err instanceof ApiError
        ? err.code === 'version_conflict'
        : isUniqueViolation(err, 'job_status_events_client_event_unique');
    if (!opts.client_event_id || !lostRace) throw err;
    return transitionJob(db, actor, jobId, to, opts);
  }
}

/** Recent jobs of one customer, newest first. */
export async function customerJobs(db: Db, customerId: string, limit = 50): Promise<JobRow[]> {
  return db
    .select()
    .from(t.jobs)
    .where(eq(t.jobs.customer_id, customerId))
    .orderBy(desc(t.jobs.requested_at))
    .limit(limit);
}

/** Status history of a job, oldest first (SPEC §7). */
export async function statusHistory(db: Db, jobId: string) {
  return db
    .select({
      previous_status: t.job_status_events.previous_status,
      new_status: t.job_status_events.new_status,
      changed_by_user_id: t.job_status_events.changed_by_user_id,
      kind: t.job_status_events.kind,
      notes: t.job_status_events.notes,
      created_at: t.job_status_events.created_at,
      recorded_at: t.job_status_events.recorded_at,
    })
    .from(t.job_status_events)
    .where(eq(t.job_status_events.job_id, jobId))
    .orderBy(t.job_status_events.created_at, sql`${t.job_status_events.id}`);
}
