import type { DriverStatus, JobStatus, Role } from './enums';
import { HAPPY_PATH, ON_SITE_JOB } from './job-status';

/**
 * The job lifecycle (SPEC §3) as data: `from → to` with the roles allowed to make the move.
 * Routes, the WebSocket handler and the web apps all read this one table.
 */
export const TRANSITIONS: Readonly<Record<JobStatus, Partial<Record<JobStatus, readonly Role[]>>>> = {
  pending: { assigned: ['admin', 'driver'], cancelled: ['customer', 'admin'] },
  // assigned → pending is the driver's rejection (or an admin un-assigning).
  assigned: { en_route: ['driver', 'admin'], pending: ['driver', 'admin'], cancelled: ['customer', 'admin'] },
  // → pending from under way is a dispatcher taking the job back (un-assign, or the first
  // half of a reassignment to another driver); a driver rejects only before setting off.
  en_route: { arrived: ['driver', 'admin'], pending: ['admin'], cancelled: ['customer', 'admin'] },
  // Once the driver is on site only an admin may still cancel (SPEC §7: "any time before completion").
  arrived: { in_progress: ['driver', 'admin'], pending: ['admin'], cancelled: ['admin'] },
  in_progress: { completed: ['driver', 'admin'], pending: ['admin'], cancelled: ['admin'] },
  completed: { disputed: ['admin'] },
  cancelled: {},
  // Settling a dispute (with an outcome, DISPUTE_OUTCOMES) returns the job to completed.
  disputed: { completed: ['admin'] },
};

/** Statuses from which an admin may move a job to another driver (via pending). */
export const REASSIGNABLE_STATUSES: readonly JobStatus[] = ['assigned', 'en_route', 'arrived', 'in_progress'];

/** Next statuses reachable from `from`, optionally only those `role` may choose. */
export function allowedNext(from: JobStatus, role?: Role): JobStatus[] {
  const moves = TRANSITIONS[from];
  return (Object.keys(moves) as JobStatus[]).filter((to) => !role || moves[to]!.includes(role));
}

export function canTransition(from: JobStatus, to: JobStatus, role: Role): boolean {
  return TRANSITIONS[from][to]?.includes(role) ?? false;
}

/** The job timestamp column stamped when a job enters `status`, if any. */
export const STATUS_TIMESTAMP: Partial<
  Record<JobStatus, 'assigned_at' | 'arrived_at' | 'started_at' | 'completed_at' | 'cancelled_at'>
> = {
  assigned: 'assigned_at',
  arrived: 'arrived_at',
  in_progress: 'started_at',
  completed: 'completed_at',
  cancelled: 'cancelled_at',
};

/**
 * Whether a job in `status` has a say in its driver's status (`driverStatusFromJobs`): a
 * job moving between two statuses that have none (assigned, rejected back to pending,
 * cancelled before setting off, a bill disputed) cannot change it.
 */
export function decidesDriverStatus(status: JobStatus): boolean {
  return status === 'en_route' || ON_SITE_JOB.includes(status);
}

/**
 * A driver's status from all of their active jobs (never from one job alone): `on_job`
 * while any is on site (arrived, in_progress), else `en_route` while any is on the way;
 * with neither, the status the driver chose (offline, available, break) stays, and a
 * job-driven status that has just ended becomes `available`. An assignment not yet
 * started leaves the status alone.
 */
export function driverStatusFromJobs(current: DriverStatus, activeJobs: readonly JobStatus[]): DriverStatus {
  if (activeJobs.some((s) => ON_SITE_JOB.includes(s))) return 'on_job';
  if (activeJobs.includes('en_route')) return 'en_route';
  return current === 'en_route' || current === 'on_job' ? 'available' : current;
}

/** The single next step a driver's big button offers from `status`. */
export function driverNextStep(status: JobStatus): JobStatus | null {
  if (status === 'pending') return null; // dispatch assigns, the driver does not pick
  const at = HAPPY_PATH.indexOf(status);
  return at < 0 ? null : (HAPPY_PATH[at + 1] ?? null);
}
