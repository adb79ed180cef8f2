import { Hono } from 'hono';
import { MoveStopBody, PlanStormBody } from '../../contract/routes';
import { actorOf } from '../lib/actor';
import { readJson, uuidParam } from '../lib/validate';
import { publishAssignment, publishRouteEtas, publishTransition } from '../realtime';
import type { TransitionResult } from '../services/jobs';
import { etaAccuracy } from '../services/route-stops';
import { findStorm } from '../services/storms';
import { moveStop, planStorm, stormRoutes, type PlanOutcome } from '../services/storm-routes';
import type { AppEnv } from '../types';

/** Storm routes, for the admin (mounted at /api/v1/admin); docs/decisions/0070. */
export const adminRoutes = new Hono<AppEnv>();

/**
 * Plans the storm's open jobs over the drivers on shift: routes saved, each route's first
 * stop assigned to its driver, every planned job's ETA published.
 */
adminRoutes.post('/storms/:id/plan', async (c) => {
  const id = uuidParam(c);
  const body = await readJson(c, PlanStormBody, { optional: true });
  const outcome = await planStorm(c.var.db, actorOf(c), id, body.driver_ids);
  await announce(c.env, outcome);
  return c.json(view(outcome));
});

adminRoutes.get('/storms/:id/routes', async (c) => {
  const storm = await findStorm(c.var.db, uuidParam(c));
  return c.json(await stormRoutes(c.var.db, storm.id));
});

/** Moves (and/or pins) one stop, then re-plans the rest of the storm around it. */
adminRoutes.post('/route-stops/:jobId/move', async (c) => {
  const jobId = uuidParam(c, 'jobId');
  const body = await readJson(c, MoveStopBody);
  const outcome = await moveStop(c.var.db, actorOf(c), jobId, body);
  await announce(c.env, outcome);
  return c.json(view(outcome));
});

/** How far the first ETA customers saw was from the completion, over the storm's completed stops. */
adminRoutes.get('/storms/:id/eta-accuracy', async (c) => {
  const storm = await findStorm(c.var.db, uuidParam(c));
  return c.json(await etaAccuracy(c.var.db, storm.id));
});

const view = ({ routes, unassigned }: PlanOutcome) => ({ routes, unassigned });

/** After the commit: un-assignments and assignments fan out as usual, then the ETAs. */
async function announce(env: Env, outcome: PlanOutcome): Promise<void> {
  for (const step of outcome.assigned as TransitionResult[]) {
    if (step.job.status === 'assigned') await publishAssignment(env, step);
    else await publishTransition(env, step);
  }
  await publishRouteEtas(env, outcome.etas);
}
