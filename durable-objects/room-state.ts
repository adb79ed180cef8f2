import { z } from 'zod';
import { JOB_STATUSES, type JobStatus } from '../contract/enums';
import { SERVED_JOB, TERMINAL_JOB } from '../contract/job-status';
import type { DriverLocationPayload, JobStatusPayload, LocationPing } from '../contract/ws';

/**
 * A committed job change as the room hears it (from the Worker after a transaction, or
 * read from the database when a socket connects). `version` is the job row's version, so
 * a late or repeated message can never move the room backwards.
 */
export const RoomJob = z.object({
  job_id: z.string(),
  status: z.enum(JOB_STATUSES),
  driver_id: z.string().nullable(),
  /** The job's customer (never changes); who may follow the room is decided with it. */
  customer_id: z.string().optional(),
  version: z.number().int(),
  status_at: z.string().optional(),
  previous_status: z.enum(JOB_STATUSES).nullable().optional(),
});
export type RoomJob = z.infer<typeof RoomJob>;

/** What the room knows about its job; persisted so it survives eviction and restarts. */
export interface RoomState {
  job_id: string;
  status: JobStatus;
  driver_id: string | null;
  /** Absent only in a room stored before rooms knew their customer. */
  customer_id?: string;
  version: number;
  /** Last status change (server time, ISO). */
  status_at: string;
  location: DriverLocationPayload | null;
  /** A served job's bill was settled (paid, voided, refunded): nothing more to tell its watchers. */
  bill_settled?: boolean;
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_JOB.includes(status);
}

/**
 * The room has nothing more to tell: its job was called off, or served and its bill
 * settled. A served job's room stays open until then, so the customer watching sees the
 * driver's payment land on their invoice (docs/decisions/0085-a-served-job-room-stays-for-its-bill.md).
 */
export function isEnded(state: Pick<RoomState, 'status' | 'bill_settled'>): boolean {
  return isTerminal(state.status) && (!SERVED_JOB.includes(state.status) || state.bill_settled === true);
}

/**
 * The room's next state for a job change, or null when the change is not newer than what
 * the room holds (except that a room which did not know its customer learns it). The live
 * location survives status changes while the driver stays the same, and is dropped when
 * the job changes hands.
 */
export function nextRoomState(prev: RoomState | null, job: RoomJob, now = new Date()): RoomState | null {
  if (prev && job.version <= prev.version) {
    return prev.customer_id === undefined && job.customer_id !== undefined
      ? { ...prev, customer_id: job.customer_id }
      : null;
  }
  const sameDriver = !!job.driver_id && prev?.driver_id === job.driver_id;
  const customerId = job.customer_id ?? prev?.customer_id;
  return {
    job_id: job.job_id,
    status: job.status,
    driver_id: job.driver_id,
    ...(customerId === undefined ? {} : { customer_id: customerId }),
    version: job.version,
    status_at: job.status_at ?? now.toISOString(),
    location: sameDriver ? prev!.location : null,
    ...(prev?.bill_settled ? { bill_settled: true } : {}),
  };
}

/**
 * True when a fix is newer (device time) than the one held. Older or equal fixes — a
 * replayed offline batch, a retry — are logged but never shown as the current position.
 */
export function isNewerFix(heldTs: string | null | undefined, ts: string): boolean {
  return !heldTs || Date.parse(ts) > Date.parse(heldTs);
}

export function statusPayload(state: RoomState, previous: JobStatus | null): JobStatusPayload {
  return {
    job_id: state.job_id,
    new_status: state.status,
    previous_status: previous,
    driver_id: state.driver_id,
    ts: state.status_at,
  };
}

/** A driver's ping as the fix everyone is shown: device time as `ts` (server time when the device sent none). */
export function toFix(driverId: string, jobId: string | null, ping: LocationPing, now: number): DriverLocationPayload {
  const receivedAt = new Date(now).toISOString();
  return {
    job_id: jobId,
    driver_id: driverId,
    lat: ping.lat,
    lng: ping.lng,
    accuracy: ping.accuracy ?? null,
    heading: ping.heading ?? null,
    speed: ping.speed ?? null,
    ts: ping.recorded_at ? new Date(ping.recorded_at).toISOString() : receivedAt,
    received_at: receivedAt,
  };
}
