import { rng } from '../../test/support/prng';
import { CONCORD, pointNear, stormInstance } from '../../test/support/storm-instances';
import {
  applyChange,
  greedyPlan,
  planRoutes,
  replan,
  type Plan,
  type PlanChange,
  type PlanInput,
} from '../../worker/routing/planner';

/** The storm instance every request of one size works on (generated once per isolate, seeded). */
const instances = new Map<string, { input: PlanInput; plan?: Plan }>();

function instanceFor(url: URL): { input: PlanInput; plan?: Plan } {
  const stops = Number(url.searchParams.get('stops') ?? 500);
  const drivers = Number(url.searchParams.get('drivers') ?? 20);
  const key = `${stops}/${drivers}`;
  let found = instances.get(key);
  if (!found) {
    found = { input: stormInstance({ stops, drivers, seed: 2026 }) };
    instances.set(key, found);
  }
  return found;
}

function summary(plan: Plan): Record<string, number> {
  return {
    meters: plan.totalDistanceMeters,
    misses: plan.deadlineMisses,
    unassigned: plan.unassigned.length,
    rounds: plan.stats.rounds,
    moves: plan.stats.moves,
  };
}

/**
 * One plan (or re-plan) per request, timed both here (`insideMs`) and by the bench around
 * the request. Deployed Workers only advance the clock on I/O, so there the inside timer
 * would read zero; local workerd advances it, and the two agree up to the request's cost.
 */
export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === '/healthz' || url.pathname === '/noop') return Response.json({ status: 'ok' });
    const inst = instanceFor(url);
    const started = performance.now();
    if (url.pathname === '/plan') {
      const plan = planRoutes(inst.input, { seed: 1 });
      inst.plan = plan;
      return Response.json({ ...summary(plan), insideMs: performance.now() - started });
    }
    if (url.pathname === '/greedy') return Response.json(summary(greedyPlan(inst.input)));
    if (url.pathname === '/replan') {
      inst.plan ??= planRoutes(inst.input, { seed: 1 });
      const k = Number(url.searchParams.get('k') ?? 0);
      const r = rng(1000 + k);
      let change: PlanChange;
      if (url.searchParams.get('kind') === 'move') {
        const n = inst.input.stops.length;
        const stop = inst.input.stops[(((k * 37) % n) + n) % n]!;
        change = { kind: 'update', stop: { ...stop, ...pointNear(r, CONCORD, 16_000) } };
      } else {
        change = {
          kind: 'add',
          stop: { id: `extra-${k}`, ...pointNear(r, CONCORD, 16_000), serviceMinutes: 12, requires: ['truck'] },
        };
      }
      const begun = performance.now();
      const plan = replan(inst.plan, change, applyChange(inst.input, change));
      return Response.json({ ...summary(plan), insideMs: performance.now() - begun });
    }
    return new Response('not found', { status: 404 });
  },
};
