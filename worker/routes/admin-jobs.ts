import { Hono } from 'hono';
import { BulkJobsBody } from '../../contract/api-domain';
import { actorOf } from '../lib/actor';
import { readJson } from '../lib/validate';
import { publishAssignment, publishTransition } from '../realtime';
import { bulkChangeJobs } from '../services/bulk-jobs';
import type { AppEnv } from '../types';

/** The dispatcher's actions on several jobs at once (mounted at /api/v1/admin). */
export const adminJobs = new Hono<AppEnv>();

/**
 * Assigns several jobs to one driver, or cancels several with one reason; each job changes
 * as its own /assign or DELETE would, and is announced the same way once committed.
 */
adminJobs.post('/jobs/bulk', async (c) => {
  const body = await readJson(c, BulkJobsBody);
  const { results, committed } = await bulkChangeJobs(c.var.db, actorOf(c), body);
  for (const result of committed) {
    if (body.action === 'assign') await publishAssignment(c.env, result);
    else await publishTransition(c.env, result, body.reason);
  }
  const succeeded = results.filter((r) => r.ok).length;
  return c.json({ results, succeeded, failed: results.length - succeeded });
});
