import { Hono } from 'hono';
import { StormBody, StormDepthBody } from '../../contract/storm-ops';
import { toJob } from '../services/jobs';
import { actorOf } from '../lib/actor';
import { readJson, uuidParam } from '../lib/validate';
import { publishTransition } from '../realtime';
import { announceNewJobs } from '../services/job-create';
import {
  closeStorm,
  declareStorm,
  findStorm,
  listStorms,
  raiseStorm,
  stormSummary,
  toStorm,
  type StormChange,
} from '../services/storms';
import type { AppEnv } from '../types';

/** Storm events, for the admin (mounted at /api/v1/admin). */
export const adminStorms = new Hono<AppEnv>();

adminStorms.get('/storms', async (c) => c.json({ storms: await listStorms(c.var.db) }));

/**
 * Declares a storm: one job per eligible contract property appears on the board. 201 with
 * the jobs made; 200 when the same `client_event_id` already declared it.
 */
adminStorms.post('/storms', async (c) => {
  const body = await readJson(c, StormBody);
  const change = await declareStorm(c.var.db, actorOf(c), body);
  await announce(c.env, (w) => c.executionCtx.waitUntil(w), change);
  return c.json({ storm: toStorm(change.storm), created_jobs: change.created.map(toJob) }, change.new ? 201 : 200);
});

/** Raises the depth (and/or says when the snow ends): newly triggered properties get their jobs. */
adminStorms.post('/storms/:id/depth', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, StormDepthBody);
  const change = await raiseStorm(c.var.db, actorOf(c), id, body);
  await announce(c.env, (w) => c.executionCtx.waitUntil(w), change);
  return c.json({ storm: toStorm(change.storm), created_jobs: change.created.map(toJob) });
});

/** Closes the storm: jobs nobody set out for are cancelled as not reached; admins get the summary by email. */
adminStorms.post('/storms/:id/close', async (c) => {
  const result = await closeStorm(c.var.db, actorOf(c), uuidParam(c));
  for (const cancelled of result.cancelled)
    await publishTransition(c.env, cancelled, cancelled.job.cancellation_reason);
  return c.json({ storm: toStorm(result.storm), summary: result.summary });
});

/** The storm report: done (on time / late), skipped with the reason, time on site, revenue. */
adminStorms.get('/storms/:id/summary', async (c) => {
  const storm = await findStorm(c.var.db, uuidParam(c));
  return c.json({ storm: toStorm(storm), summary: await stormSummary(c.var.db, storm) });
});

/**
 * After the commit: the new storm jobs go to the board (and to auto-dispatch when it is on).
 * PLANNER SEAM: this is where a route planner (worker/routing/) would take `change.created`
 * — with their deadlines, coordinates and the storm — and order them into driver routes.
 */
function announce(env: Env, waitUntil: (w: Promise<unknown>) => void, change: StormChange) {
  return announceNewJobs(env, waitUntil, change.created, change.auto_dispatch);
}
