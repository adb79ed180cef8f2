import { buildModel, type Model } from './model';
import { seededRandom } from './rng';
import { Search } from './search';
import { roadTravel } from './travel';
import type { LatLng, Plan, PlanChange, PlanInput, PlanOptions, Route, TravelFn } from './types';

export type * from './types';
export { DEFAULT_WEIGHTS } from './model';
export { haversineMeters, roadTravel } from './travel';
export { nearestNeighbourTour, solveTour, tourLength, type DistanceMatrix, type TourOptions } from './tour';

/** Wall-time cap when none is given: the plan must come back within a request. */
const DEFAULT_BUDGET_MS = 250;
/** A re-plan answers a dispatcher's drag-and-drop: it must feel instant. */
const REPLAN_BUDGET_MS = 40;

/**
 * Plans one route per driver for a storm's stops: urgent-first cheapest insertion, local
 * search, then seeded ruin-and-recreate rounds. Missed deadlines weigh more than any
 * distance, then urgency, then distance, with the square of each route's finish spreading
 * the work. Locked stops stay with their driver (and position); equipment is respected;
 * stops no driver can serve come back in `unassigned` with the reason.
 *
 * @example
 *   const plan = planRoutes({ stops, drivers, startTime: Date.now() }, { seed: 7 });
 *   for (const route of plan.routes) console.log(route.driverId, route.stops.map((s) => s.stopId));
 */
export function planRoutes(input: PlanInput, options: PlanOptions = {}): Plan {
  const started = Date.now();
  const deadline = started + (options.timeBudgetMs ?? DEFAULT_BUDGET_MS);
  const model = buildModel(input, options.weights);
  const search = new Search(model);
  search.placePins();
  search.refreshCosts();
  for (const s of urgentFirst(model, allPlannable(model))) search.insertBest(s);
  for (let s = 0; s < model.n; s++) if (search.routeOf[s]! >= 0) search.enqueue(s);
  search.improve(Infinity, deadline);
  const rounds = ruinAndRecreate(search, model, options.rounds ?? defaultRounds(), options.seed ?? 1, deadline);
  return toPlan(model, search, started, rounds);
}

/**
 * Re-plans after one change, starting from the previous plan: every other stop keeps its
 * driver and order, the changed or new stop goes where it costs least, and the local search
 * works outwards from the routes that changed. `input` is the world after the change
 * (`applyChange` builds it), with the drivers' current positions and start time; stops the
 * previous plan did not know are placed like the changed one, stops gone from `input` are
 * dropped.
 */
export function replan(previous: Plan, change: PlanChange, input: PlanInput, options: PlanOptions = {}): Plan {
  const started = Date.now();
  const deadline = started + (options.timeBudgetMs ?? REPLAN_BUDGET_MS);
  const model = buildModel(input, options.weights);
  const search = new Search(model);
  search.placePins();
  const index = new Map(input.stops.map((s, i) => [s.id, i]));
  const changedId = change.kind === 'remove' ? change.stopId : change.stop.id;
  const placed = new Uint8Array(model.n);
  const driverIndex = new Map(input.drivers.map((d, i) => [d.id, i]));
  const touched = new Set<number>();
  for (const route of previous.routes) {
    const r = driverIndex.get(route.driverId);
    if (r === undefined) continue;
    const free: number[] = [];
    for (const planned of route.stops) {
      if (planned.stopId === changedId) touched.add(r);
      const s = index.get(planned.stopId);
      if (s === undefined || planned.stopId === changedId || model.unplannable[s] || model.pinPos[s]! >= 0) continue;
      if (!model.canServe[s * model.m + r]) continue;
      free.push(s);
      placed[s] = 1;
    }
    search.setRoute(r, free);
  }
  search.refreshCosts();
  const rest = allPlannable(model).filter((s) => !placed[s]);
  for (const s of urgentFirst(model, rest)) {
    search.insertBest(s);
    for (let q = 0; q < model.k; q++) {
      const t = model.neighbours[s * model.k + q]!;
      if (t >= 0 && t < model.n && search.routeOf[t]! >= 0) search.enqueue(t);
    }
  }
  for (const r of touched) for (const s of search.routes[r]!.free) search.enqueue(s);
  search.improve(Infinity, deadline);
  const rounds = ruinAndRecreate(search, model, options.rounds ?? 0, options.seed ?? 1, deadline);
  return toPlan(model, search, started, rounds);
}

/** The input after one change: the stop added, removed or replaced. */
export function applyChange(input: PlanInput, change: PlanChange): PlanInput {
  const id = change.kind === 'remove' ? change.stopId : change.stop.id;
  const stops = input.stops.filter((s) => s.id !== id);
  if (change.kind !== 'remove') stops.push(change.stop);
  return { ...input, stops };
}

/**
 * The baseline a dispatcher gets by hand, for the benchmark: stops taken by deadline, then
 * priority, each given to the nearest equipped driver who has not yet had a fair share,
 * then each route driven in nearest-neighbour order.
 */
export function greedyPlan(input: PlanInput): Plan {
  const started = Date.now();
  const model = buildModel(input);
  const search = new Search(model);
  search.placePins();
  const { n, m, size, dist } = model;
  const open = allPlannable(model);
  const cap = Math.ceil(open.length / Math.max(1, m));
  const assigned: number[][] = Array.from({ length: m }, () => []);
  for (const s of urgentFirst(model, open, false)) {
    let best = -1;
    let bestFull = -1;
    for (let r = 0; r < m; r++) {
      if (!model.canServe[s * m + r]) continue;
      const d = dist[s * size + n + r]!;
      if (bestFull < 0 || d < dist[s * size + n + bestFull]!) bestFull = r;
      if (assigned[r]!.length < cap && (best < 0 || d < dist[s * size + n + best]!)) best = r;
    }
    assigned[best >= 0 ? best : bestFull]!.push(s);
  }
  for (let r = 0; r < m; r++) {
    const left = new Set(assigned[r]);
    const order: number[] = [];
    let at = n + r;
    while (left.size > 0) {
      let next = -1;
      for (const s of left) if (next < 0 || dist[at * size + s]! < dist[at * size + next]!) next = s;
      left.delete(next);
      order.push(next);
      at = next;
    }
    search.setRoute(r, order);
  }
  search.refreshCosts();
  return toPlan(model, search, started, 0);
}

/**
 * Nearest-neighbour order of `stops` from `start` (indices into `stops`): the rule of thumb
 * the planner is measured against.
 */
export function nearestNeighbourRoute(
  start: LatLng,
  stops: readonly LatLng[],
  travel: TravelFn = roadTravel(),
): number[] {
  const left = new Set(stops.keys());
  const order: number[] = [];
  let at = start;
  while (left.size > 0) {
    let next = -1;
    let nextD = Infinity;
    for (const i of left) {
      const d = travel(at, stops[i]!).meters;
      if (d < nextD) {
        nextD = d;
        next = i;
      }
    }
    left.delete(next);
    order.push(next);
    at = stops[next]!;
  }
  return order;
}

function allPlannable(model: Model): number[] {
  const out: number[] = [];
  for (let s = 0; s < model.n; s++) if (!model.unplannable[s] && model.pinPos[s]! < 0) out.push(s);
  return out;
}

/**
 * Deadlines first (earliest first), then priority; among stops without a deadline the ones
 * far from every driver go first, so cheap insertion does not strand them at a route's end.
 * Ruin-and-recreate keeps its shuffled order among equals, which is where its variety comes from.
 */
function urgentFirst(model: Model, stops: number[], farFirst = true, keepOrder = false): number[] {
  const far = new Float64Array(model.n);
  if (farFirst) {
    for (const s of stops) {
      let d = Infinity;
      for (let r = 0; r < model.m; r++) d = Math.min(d, model.dist[s * model.size + model.n + r]!);
      far[s] = d;
    }
  }
  return stops.slice().sort((a, b) => {
    const da = model.due[a]!;
    const db = model.due[b]!;
    if (da !== db) return da < db ? -1 : 1;
    return model.priority[b]! - model.priority[a]! || far[b]! - far[a]! || (keepOrder ? 0 : a - b);
  });
}

/** Enough rounds to settle a few hundred stops within the time budget on a shared core (and 9-stop routes exactly). */
function defaultRounds(): number {
  return 150;
}

/**
 * Seeded ruin-and-recreate: take out a stop and up to a dozen of its nearest movable
 * neighbours, put them back by cheapest insertion into the routes nearby, polish with the
 * local search, and keep the result only if the whole plan got cheaper.
 */
function ruinAndRecreate(search: Search, model: Model, rounds: number, seed: number, deadline: number): number {
  const random = seededRandom(seed);
  const movable: number[] = [];
  for (let s = 0; s < model.n; s++) if (search.routeOf[s]! >= 0 && model.lockedTo[s]! < 0) movable.push(s);
  if (movable.length < 2) return 0;
  let done = 0;
  for (; done < rounds && Date.now() < deadline; done++) {
    const seedStop = movable[Math.floor(random() * movable.length)]!;
    const want = 3 + Math.floor(random() * Math.min(12, movable.length - 1));
    const removed = [seedStop];
    for (let q = 0; q < model.k && removed.length < want; q++) {
      const t = model.neighbours[seedStop * model.k + q]!;
      if (t >= 0 && t < model.n && model.lockedTo[t]! < 0 && search.routeOf[t]! >= 0) removed.push(t);
    }
    const routes = new Set<number>();
    for (const s of removed) {
      routes.add(search.routeOf[s]!);
      for (let q = 0; q < model.k; q++) {
        const t = model.neighbours[s * model.k + q]!;
        if (t >= model.n) routes.add(t - model.n);
        else if (t >= 0 && search.routeOf[t]! >= 0) routes.add(search.routeOf[t]!);
      }
    }
    const before = search.beginTrial();
    for (const s of removed) search.remove(s);
    for (const s of urgentFirst(model, shuffle(removed, random), false, true)) search.insertBest(s, routes);
    search.improve(Infinity, deadline);
    if (search.totalCost >= before - 1e-6) search.rollback();
  }
  return done;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function toPlan(model: Model, search: Search, started: number, rounds: number): Plan {
  const { input, size, dist, time, service, due } = model;
  const routes: Route[] = [];
  let totalDistanceMeters = 0;
  let deadlineMisses = 0;
  for (let r = 0; r < model.m; r++) {
    const driver = input.drivers[r]!;
    const start = model.n + r;
    let prev = start;
    let t = model.startMinute[r]!;
    let meters = 0;
    const stops = search.sequence(r).map((s) => {
      meters += dist[prev * size + s]!;
      t += time[prev * size + s]!;
      const arrival = t;
      t += service[s]!;
      prev = s;
      const late = t > due[s]!;
      if (late) deadlineMisses++;
      return { stopId: input.stops[s]!.id, arrival: toEpoch(input, arrival), departure: toEpoch(input, t), late };
    });
    if (driver.returnToStart && prev !== start) {
      meters += dist[prev * size + start]!;
      t += time[prev * size + start]!;
    }
    totalDistanceMeters += meters;
    routes.push({ driverId: driver.id, stops, distanceMeters: meters, finish: toEpoch(input, t) });
  }
  return {
    routes,
    unassigned: model.unassigned,
    totalDistanceMeters,
    deadlineMisses,
    cost: search.totalCost,
    stats: { elapsedMs: Date.now() - started, rounds, moves: search.moves },
  };
}

function toEpoch(input: PlanInput, minutes: number): number {
  return Math.round(input.startTime + minutes * 60_000);
}
