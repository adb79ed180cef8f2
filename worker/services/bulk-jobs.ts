import type { BulkJobsBody } from '../../contract/api-domain';
import type { ErrorBody } from '../../contract/errors';
import type { Actor } from '../lib/actor';
import { ApiError } from '../lib/errors';
import { log } from '../lib/log';
import { assignableDriver } from './driver-directory';
import { type Job, type Queryable, type TransitionResult, toJob, transitionJob } from './jobs';

/** One job's outcome (contract/responses.ts `BulkJobOutcome`). */
export interface BulkJobOutcome {
  job_id: string;
  ok: boolean;
  status: number;
  job?: Job;
  error?: ErrorBody['error'];
}

export interface BulkOutcome {
  results: BulkJobOutcome[];
  /** The changes that committed, in order, for the caller to announce. */
  committed: TransitionResult[];
}

/**
 * A storm's bulk action: each job in turn goes through `transitionJob`, in a transaction of
 * its own, exactly as its own assign or cancel would — so one job that moved meanwhile (a
 * lost race, a finished job) is reported and the others still change. The driver is checked
 * once, before any job is touched: a bad driver refuses the whole request.
 */
export async function bulkChangeJobs(db: Queryable, actor: Actor, body: BulkJobsBody): Promise<BulkOutcome> {
  const driver = body.action === 'assign' ? await assignableDriver(db, body.driver_id) : null;
  const results: BulkJobOutcome[] = [];
  const committed: TransitionResult[] = [];
  for (const id of body.job_ids) {
    try {
      const result = driver
        ? await transitionJob(db, actor, id, 'assigned', { driver_id: driver.id })
        : await transitionJob(db, actor, id, 'cancelled', {
            cancellation_reason: body.action === 'cancel' ? body.reason : null,
          });
      committed.push(result);
      results.push({ job_id: id, ok: true, status: 200, job: toJob(result.job) });
    } catch (err) {
      if (!(err instanceof ApiError)) {
        log.error({ msg: 'bulk job change failed', job_id: id, action: body.action, err: String(err) });
        results.push({
          job_id: id,
          ok: false,
          status: 500,
          error: { code: 'internal_error', message: 'This job could not be changed; please try it again.' },
        });
        continue;
      }
      results.push({ job_id: id, ok: false, status: err.status, error: err.body().error });
    }
  }
  return { results, committed };
}
