import type { DriverStatus, JobStatus } from '../contract/enums';
import { UNNAMED_CUSTOMER } from '../contract/names';
import { expectWork } from './cron/schedule';
import type { JobRow, TransitionResult } from './services/jobs';
import type { RouteEta } from './services/route-stops';
import type { RoomJob } from '../durable-objects/room-state';
import { log } from './lib/log';

/** The operator's dispatch object (Phase 1: one operator). */
export function dispatchStub(env: Env) {
  return env.DISPATCH.get(env.DISPATCH.idFromName('default'));
}

/**
 * A driver's new status, to the admins' board. A driver now on shift is one the stale-driver
 * check must watch (worker/cron/stale-drivers.ts), so the cron schedule hears of it too.
 */
export function publishDriverStatus(
  env: Env,
  driver_id: string,
  status: DriverStatus,
  ts = new Date().toISOString(),
): Promise<unknown> {
  return Promise.all([dispatchStub(env).toAdmins(driverStatusMessage(driver_id, status, ts)), watchShift(env, status)]);
}

function driverStatusMessage(driver_id: string, status: DriverStatus, ts: string) {
  return { type: 'driver_status_change' as const, payload: { driver_id, status, ts } };
}

/** A driver on shift is one the stale-driver check must watch. */
function watchShift(env: Env, status: DriverStatus): Promise<void> {
  return status === 'offline' ? Promise.resolve() : expectWork(env, 'stale_drivers');
}

export function roomStub(env: Env, jobId: string) {
  return env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId));
}

/**
 * Fan-out after a committed change. Failures are logged, never thrown: the database is
 * the truth and clients resync from the snapshot on their next subscribe.
 */
async function fanOut(what: string, work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  for (const r of results) {
    if (r.status === 'rejected') log.error({ msg: 'realtime fan-out failed', what, err: String(r.reason) });
  }
}

/** What a job's room keeps of a job row: status, driver, customer, version, as of `status_at`. */
export function roomJobOf(
  job: Pick<JobRow, 'id' | 'status' | 'driver_id' | 'customer_id' | 'version'>,
  status_at: string,
): RoomJob {
  return {
    job_id: job.id,
    status: job.status,
    driver_id: job.driver_id,
    customer_id: job.customer_id,
    version: job.version,
    status_at,
  };
}

/** The job's room takes the job as it now stands: status, driver, version, as of `ts`. */
function syncRoom(env: Env, job: JobRow, ts: string, previous_status: JobStatus) {
  return roomStub(env, job.id).sync({ ...roomJobOf(job, ts), previous_status });
}

/** After a transition: the job's room, the admins and the driver hear about it. */
export async function publishTransition(env: Env, result: TransitionResult, reason?: string | null): Promise<void> {
  if (result.duplicate) return;
  const { job, previous_status, previous_driver_id } = result;
  const ts = new Date().toISOString();
  const statusMsg = {
    type: 'job_status' as const,
    payload: { job_id: job.id, new_status: job.status, previous_status, driver_id: job.driver_id, ts },
  };
  // The statuses the transaction derived for the drivers it touched (worker/services/jobs.ts)
  // go to the dispatchers in the same call as the job's change.
  const driverNews = result.driver_statuses.map(({ driver_id, status }) => driverStatusMessage(driver_id, status, ts));
  // The room first: its watchers are the ones waiting on a screen.
  const work: Promise<unknown>[] = [syncRoom(env, job, ts, previous_status)];
  const dispatch = dispatchStub(env);
  if (job.status === 'cancelled') {
    const cancelled = { type: 'job_cancelled' as const, payload: { job_id: job.id, reason: reason ?? null } };
    work.push(dispatch.jobCancelled(previous_driver_id, cancelled, driverNews));
  } else if (job.status === 'pending' && previous_driver_id) {
    // Rejected / un-assigned: the old driver's channel and the board both hear it.
    work.push(dispatch.jobStatus(previous_driver_id, statusMsg, driverNews));
  } else {
    work.push(dispatch.jobStatus(job.driver_id, statusMsg, driverNews));
  }
  for (const { status } of result.driver_statuses) work.push(watchShift(env, status));
  await fanOut('transition', work);
  if (result.route) {
    const { next, etas } = result.route;
    if (next) await publishAssignment(env, next);
    await publishRouteEtas(env, etas);
  }
}

/**
 * Storm-route ETAs (docs/decisions/0070), one `route_eta` per job: to the admins and the
 * route's driver through the dispatch object (people who may see every stop of that route),
 * and to the job's own room, where its customer watches. No customer hears another's place.
 */
export async function publishRouteEtas(env: Env, etas: readonly RouteEta[]): Promise<void> {
  if (etas.length === 0) return;
  const dispatch = dispatchStub(env);
  const work: Promise<unknown>[] = [];
  for (const { driver_id, payload } of etas) {
    const msg = { type: 'route_eta' as const, payload };
    work.push(
      dispatch.toAdmins(msg),
      dispatch.toDriver(driver_id, msg),
      roomStub(env, payload.job_id).routeEta(payload),
    );
  }
  await fanOut('route etas', work);
}

/**
 * After a committed assignment: the driver's channel, the board and the job's room hear it.
 * A replayed assignment (`duplicate`) or a change that assigned nobody publishes nothing.
 */
export async function publishAssignment(env: Env, result: TransitionResult): Promise<void> {
  const { job } = result;
  if (result.duplicate || job.status !== 'assigned' || !job.driver_id) return;
  const ts = new Date().toISOString();
  await fanOut('assignment', [
    syncRoom(env, job, ts, result.previous_status),
    dispatchStub(env).jobAssigned(job.driver_id, {
      type: 'job_assigned',
      payload: {
        job_id: job.id,
        customer_name: result.customer_name ?? UNNAMED_CUSTOMER,
        address: job.job_address,
        lat: job.job_coordinates.lat,
        lng: job.job_coordinates.lng,
        quoted_price_cents: job.quoted_price_cents,
        special_instructions: job.special_instructions,
        scheduled_for: job.scheduled_for ? job.scheduled_for.toISOString() : null,
      },
    }),
  ]);
}

/**
 * After an edit of a job (worker/services/job-edit.ts, the price log): `job_updated` with
 * the fields that changed goes to the admins, the job's driver and its room, where its
 * customer watches; each reloads the job.
 */
export async function publishJobEdit(env: Env, job: JobRow, fields: readonly string[]): Promise<void> {
  if (fields.length === 0) return;
  const payload = { job_id: job.id, fields: [...fields], version: job.version, ts: new Date().toISOString() };
  const msg = { type: 'job_updated' as const, payload };
  const dispatch = dispatchStub(env);
  const work: Promise<unknown>[] = [dispatch.toAdmins(msg), roomStub(env, job.id).jobUpdated(payload)];
  if (job.driver_id) work.push(dispatch.toDriver(job.driver_id, msg));
  await fanOut('job edit', work);
}

/**
 * An invoice changed (a payment, refund or void): the admins hear it, and so does its
 * job's room, where a customer may be watching the bill of a job just finished.
 */
export async function publishInvoiceChange(
  env: Env,
  invoice: { id: string; job_id: string | null; status: string },
): Promise<void> {
  const payload = {
    invoice_id: invoice.id,
    job_id: invoice.job_id,
    status: invoice.status,
    ts: new Date().toISOString(),
  };
  const work: Promise<unknown>[] = [dispatchStub(env).toAdmins({ type: 'invoice_changed', payload })];
  if (invoice.job_id) work.push(roomStub(env, invoice.job_id).invoiceChanged(payload));
  await fanOut('invoice change', work);
}

/**
 * A new request: the admins hear about it. Its room is not made here: nobody can be in it
 * yet, and the first subscriber's upgrade seeds it from the database (JobRoom.fetch), so a
 * job request costs no Durable Object start-up and no storage (docs/decisions/0058).
 */
export async function publishNewJob(env: Env, job: JobRow): Promise<void> {
  await fanOut('new job', [
    dispatchStub(env).toAdmins({
      type: 'new_job_request',
      payload: {
        job_id: job.id,
        address: job.job_address,
        service_type: job.service_type,
        quoted_price_cents: job.quoted_price_cents,
        lat: job.job_coordinates.lat,
        lng: job.job_coordinates.lng,
        requested_at: job.requested_at.toISOString(),
      },
    }),
  ]);
}
