import { HAPPY_PATH_STATUSES, type JobStatus } from './enums';

/**
 * What each job status means to the rest of the product, decided once per status. Every
 * named set below is read from this table, so a new status is a compile error here until
 * each question is answered, and every query, room and screen follows the answer.
 */
type StatusTraits = {
  /** A driver holds the job and the visit is under way or about to be: its room is open, GPS streams. */
  live: boolean;
  /** The driver is at the property. */
  onSite: boolean;
  /** The driver's work at the property has begun or just ended: their photos and price changes count. */
  atWork: boolean;
  /** The visit was made: it is billed and counts as done in reports (a dispute keeps it billed). */
  served: boolean;
  /** Nothing more happens to the job by itself. */
  terminal: boolean;
  /** No driver has set out yet: a storm that ends may still call it off. */
  notStarted: boolean;
};

export const JOB_STATUS_TRAITS: Readonly<Record<JobStatus, StatusTraits>> = {
  pending: { live: false, onSite: false, atWork: false, served: false, terminal: false, notStarted: true },
  assigned: { live: true, onSite: false, atWork: false, served: false, terminal: false, notStarted: true },
  en_route: { live: true, onSite: false, atWork: false, served: false, terminal: false, notStarted: false },
  arrived: { live: true, onSite: true, atWork: true, served: false, terminal: false, notStarted: false },
  in_progress: { live: true, onSite: true, atWork: true, served: false, terminal: false, notStarted: false },
  completed: { live: false, onSite: false, atWork: true, served: true, terminal: true, notStarted: false },
  cancelled: { live: false, onSite: false, atWork: false, served: false, terminal: true, notStarted: false },
  disputed: { live: false, onSite: false, atWork: false, served: true, terminal: true, notStarted: false },
};

/** The statuses with a trait, in the order of `JOB_STATUS_TRAITS`. */
export function jobStatusesWhere(test: (traits: StatusTraits) => boolean): readonly JobStatus[] {
  return (Object.keys(JOB_STATUS_TRAITS) as JobStatus[]).filter((s) => test(JOB_STATUS_TRAITS[s]));
}

/** A driver holds the job and it is not finished: a room is open and GPS is streamed. */
export const ACTIVE_JOB = jobStatusesWhere((s) => s.live);
/** Finished one way or another. */
export const TERMINAL_JOB = jobStatusesWhere((s) => s.terminal);
/** Not finished: waiting for a driver or under way. */
export const OPEN_JOB = jobStatusesWhere((s) => !s.terminal);
/** A driver has set out and not yet finished. */
export const UNDER_WAY_JOB = jobStatusesWhere((s) => s.live && !s.notStarted);
/** The driver is at the property. */
export const ON_SITE_JOB = jobStatusesWhere((s) => s.onSite);
/** The driver's photos and price changes are taken. */
export const AT_WORK_JOB = jobStatusesWhere((s) => s.atWork);
/** The visit was made: invoiced, and counted as done. */
export const SERVED_JOB = jobStatusesWhere((s) => s.served);
/** Ended without a visit: nothing to bill or re-price. */
export const CALLED_OFF_JOB = jobStatusesWhere((s) => s.terminal && !s.served);
/** No driver has set out yet. */
export const NOT_STARTED_JOB = jobStatusesWhere((s) => s.notStarted);
/** A driver holds or held the job for a visit that happened or is happening: they may see its files. */
export const DRIVER_VISIBLE_JOB = jobStatusesWhere((s) => s.live || s.served);

/** Whether `status` is in `set`, for any string a caller holds (a row, a message). */
export function isIn(set: readonly JobStatus[], status: string): status is JobStatus {
  return (set as readonly string[]).includes(status);
}

/**
 * The path a job takes when nothing goes wrong, in order: the steps a customer's page
 * shows, and the one next step a driver's big button offers.
 */
export const HAPPY_PATH: readonly JobStatus[] = HAPPY_PATH_STATUSES;

/** The happy path's steps from `from` up to, but not including, `until` (to its end without one). */
export function pathSteps(from: JobStatus, until?: JobStatus): readonly JobStatus[] {
  const end = until ? HAPPY_PATH.indexOf(until) : HAPPY_PATH.length;
  return HAPPY_PATH.slice(HAPPY_PATH.indexOf(from), end);
}
