import type { JobStatus } from './enums';

/**
 * The job statuses in people's words, for messages the server writes (a refused step) and
 * for screens that show history (the office's "Pending → Assigned"). The apps keep their
 * own short labels where their audience needs other words (the driver's "Driving there").
 */

/** The office's name for each status: the board's columns and the history's steps. */
export const JOB_STATUS_LABEL: Readonly<Record<JobStatus, string>> = {
  pending: 'Pending',
  assigned: 'Assigned',
  en_route: 'En route',
  arrived: 'Arrived',
  in_progress: 'In progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
  disputed: 'Disputed',
};

/** Where a job stands, as the end of "This job …". */
const STANDS: Readonly<Record<JobStatus, string>> = {
  pending: 'is still waiting for a driver',
  assigned: 'is assigned and nobody has set out yet',
  en_route: 'has its driver on the way',
  arrived: 'has its driver on site',
  in_progress: 'is being plowed',
  completed: 'is already finished',
  cancelled: 'was cancelled',
  disputed: 'is under dispute',
};

/** The step asked for, as the end of "… so it cannot be …". */
const STEP: Readonly<Record<JobStatus, string>> = {
  pending: 'put back in line for a driver',
  assigned: 'assigned',
  en_route: 'marked on the way',
  arrived: 'marked arrived',
  in_progress: 'marked as being plowed',
  completed: 'marked finished',
  cancelled: 'cancelled',
  disputed: 'marked disputed',
};

/**
 * Why a status change was refused, in the words of the person who asked:
 *
 *   refusedStep('completed', 'arrived', 'driver')
 *   // "This job is already finished, so it cannot be marked arrived. Ask the office if this looks wrong."
 */
export function refusedStep(from: JobStatus, to: JobStatus, byOffice: boolean): string {
  const why = `This job ${STANDS[from]}, so it cannot be ${STEP[to]}`;
  return `${why}.${byOffice ? '' : ' Ask the office if this looks wrong.'}`;
}

/** "Pending → Assigned"; a job's first step has no "from" and reads as "Pending". */
export function statusStep(from: JobStatus | null, to: JobStatus): string {
  return from === null || from === to ? JOB_STATUS_LABEL[to] : `${JOB_STATUS_LABEL[from]} → ${JOB_STATUS_LABEL[to]}`;
}
