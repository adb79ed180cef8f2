import type { AutoDispatchPayload } from '../../contract/ws';
import type { Db } from '../lib/db';
import { ApiError } from '../lib/errors';
import { publishAssignment, publishTransition } from '../realtime';
import { SYSTEM_ACTOR, findJob, transitionJob, type JobRow } from './jobs';
import { nearestAvailableDrivers } from './nearest-driver';
import { ensureSettings } from './operator-setup';

/**
 * Opt-in auto-dispatch (operator_settings.auto_dispatch), after the truck4u "radius
 * expansion" idea but driven by a Durable Object alarm instead of in-memory timers: a new
 * job is offered to the nearest available driver within the first radius; an offer is an
 * assignment the driver must accept within OFFER_TIMEOUT_MS, else it returns to pending
 * and the next driver is asked. A rejection moves on at once. When no one is found the
 * radius widens after STEP_WAIT_MS; past the last step the job is left to the dispatcher.
 *
 * This module is the decision logic; durable-objects/auto-dispatch.ts owns the state and
 * the alarm. Every move goes through `transitionJob`, so the 409 guards, event rows and
 * notification intents are the same as for a human dispatcher.
 */

export const OFFER_TIMEOUT_MS = 60_000;
export const RADIUS_STEPS_KM = [5, 10, 20, 40] as const;
export const STEP_WAIT_MS = 15_000;
export const MAX_OFFERS = 10;
/** Scheduled jobs are offered this long before their time, not when requested. */
export const SCHEDULED_LEAD_MS = 60 * 60_000;

export interface Offer {
  driver_id: string;
  /** The job version the offer created: any later change (accept, reassign) ends it. */
  version: number;
  expires_at: number;
  distance_m: number;
}

export interface DispatchState {
  job_id: string;
  /** Drivers already asked; never asked twice. */
  tried: string[];
  step: number;
  offers: number;
  offer: Offer | null;
  started_at: number;
}

export interface TickOutcome {
  /** Null: auto-dispatch is over for this job (forget the state). */
  state: DispatchState | null;
  next_alarm: number | null;
  events: AutoDispatchPayload[];
}

export function initialState(jobId: string, now: number): DispatchState {
  return { job_id: jobId, tried: [], step: 0, offers: 0, offer: null, started_at: now };
}

/** When the first look should happen: now, or an hour before a scheduled job. */
export function firstLookAt(job: Pick<JobRow, 'scheduled_for'>, now: number): number {
  return job.scheduled_for ? Math.max(now, job.scheduled_for.getTime() - SCHEDULED_LEAD_MS) : now;
}

/** A 409 means someone (a dispatcher, the customer) changed the job first: step aside. */
const isConflict = (err: unknown) => err instanceof ApiError && err.status === 409;

/** One step of the dispatch loop for `state` at time `now`. */
export async function dispatchTick(env: Env, db: Db, state: DispatchState, now: number): Promise<TickOutcome> {
  const events: AutoDispatchPayload[] = [];
  const ts = new Date(now).toISOString();
  const emit = (event: AutoDispatchPayload['event'], driverId: string | null = null, distance: number | null = null) =>
    events.push({
      job_id: state.job_id,
      event,
      driver_id: driverId,
      distance_m: distance === null ? null : Math.round(distance),
      ts,
    });
  const finish = (event?: AutoDispatchPayload['event']): TickOutcome => {
    if (event) emit(event);
    return { state: null, next_alarm: null, events };
  };

  let job = await findJob(db, state.job_id);
  if (!job) return finish();
  const s: DispatchState = { ...state, tried: [...state.tried] };

  if (s.offer) {
    const offer = s.offer;
    const stillOpen = job.status === 'assigned' && job.driver_id === offer.driver_id && job.version === offer.version;
    if (stillOpen && now < offer.expires_at) return { state: s, next_alarm: offer.expires_at, events };
    if (stillOpen) {
      try {
        const result = await transitionJob(db, SYSTEM_ACTOR, job.id, 'pending', {
          expected_version: job.version,
          notes: 'auto-dispatch: offer timed out',
        });
        await publishTransition(env, result);
        job = result.job;
        emit('timed_out', offer.driver_id);
      } catch (err) {
        if (isConflict(err)) return finish();
        throw err;
      }
    } else if (job.status === 'pending') {
      emit('declined', offer.driver_id);
    } else {
      return finish(); // accepted, reassigned by hand, or cancelled: nothing left to do
    }
    s.offer = null;
    s.step = 0;
  }

  if (job.status !== 'pending') return finish();
  const settings = await ensureSettings(db);
  if (!settings.auto_dispatch) return finish('stopped');
  if (s.offers >= MAX_OFFERS) return finish('exhausted');

  const radiusKm = RADIUS_STEPS_KM[Math.min(s.step, RADIUS_STEPS_KM.length - 1)]!;
  const [candidate] = await nearestAvailableDrivers(db, {
    lat: job.job_coordinates.lat,
    lng: job.job_coordinates.lng,
    radius_m: radiusKm * 1000,
    exclude: s.tried,
  });
  if (!candidate) {
    if (s.step + 1 < RADIUS_STEPS_KM.length) {
      s.step += 1;
      return { state: s, next_alarm: now + STEP_WAIT_MS, events };
    }
    return finish('exhausted');
  }
  try {
    const result = await transitionJob(db, SYSTEM_ACTOR, job.id, 'assigned', {
      driver_id: candidate.driver_id,
      expected_version: job.version,
      notes: `auto-dispatch: offered to the nearest available driver (${(candidate.distance_m / 1000).toFixed(1)} km)`,
    });
    await publishAssignment(env, result);
    s.tried.push(candidate.driver_id);
    s.offers += 1;
    s.offer = {
      driver_id: candidate.driver_id,
      version: result.job.version,
      expires_at: now + OFFER_TIMEOUT_MS,
      distance_m: candidate.distance_m,
    };
    emit('offered', candidate.driver_id, candidate.distance_m);
    return { state: s, next_alarm: s.offer.expires_at, events };
  } catch (err) {
    if (isConflict(err)) return finish();
    throw err;
  }
}

/** Starts auto-dispatch for a new pending job (no-op if it already runs). */
export async function startAutoDispatch(env: Env, job: Pick<JobRow, 'id' | 'scheduled_for'>): Promise<void> {
  const stub = env.AUTO_DISPATCH.get(env.AUTO_DISPATCH.idFromName(job.id));
  await stub.start(job.id, firstLookAt(job, Date.now()));
}

/** A driver turned an offer down: look for the next one now rather than at the timeout. */
export async function autoDispatchDeclined(env: Env, jobId: string): Promise<void> {
  const stub = env.AUTO_DISPATCH.get(env.AUTO_DISPATCH.idFromName(jobId));
  await stub.declined(jobId);
}
