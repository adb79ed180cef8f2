import { describe, expect, it } from 'vitest';
import { rng, type Rng } from '../../test/support/prng';
import { CONCORD, pointNear, stormInstance } from '../../test/support/storm-instances';
import {
  applyChange,
  greedyPlan,
  haversineMeters,
  nearestNeighbourRoute,
  planRoutes,
  replan,
  roadTravel,
  solveTour,
  tourLength,
  type Driver,
  type LatLng,
  type Plan,
  type PlanInput,
  type Stop,
} from './planner';

const START = Date.UTC(2026, 0, 15, 11, 0);
const travel = roadTravel();

function assignedIds(plan: Plan): string[] {
  return plan.routes.flatMap((r) => r.stops.map((s) => s.stopId));
}

/** Shortest open path from `start` through every point, by enumerating every order (with a length bound). */
function bruteForcePath(start: LatLng, points: LatLng[]): number {
  const used = new Uint8Array(points.length);
  let best = Infinity;
  const walk = (at: LatLng, depth: number, len: number): void => {
    if (len >= best) return;
    if (depth === points.length) {
      best = len;
      return;
    }
    for (let i = 0; i < points.length; i++) {
      if (used[i]) continue;
      used[i] = 1;
      walk(points[i]!, depth + 1, len + travel(at, points[i]!).meters);
      used[i] = 0;
    }
  };
  walk(start, 0, 0);
  return best;
}

function smallInstance(r: Rng, n: number): PlanInput {
  const stops: Stop[] = Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    ...pointNear(r, CONCORD, 16_000),
    serviceMinutes: r.int(5, 20),
  }));
  const drivers: Driver[] = [{ id: 'd0', ...pointNear(r, CONCORD, 16_000), equipment: [] }];
  return { stops, drivers, startTime: START };
}

describe('planRoutes', () => {
  it('assigns every stop exactly once, to a driver carrying its equipment', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const input = stormInstance({ stops: 80, drivers: 6, seed });
      const plan = planRoutes(input, { seed });
      const ids = assignedIds(plan);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids, ...plan.unassigned.map((u) => u.stopId)].sort()).toEqual(input.stops.map((s) => s.id).sort());
      const byId = new Map(input.stops.map((s) => [s.id, s]));
      for (const [k, route] of plan.routes.entries()) {
        const kit = new Set(input.drivers[k]!.equipment);
        expect(route.driverId).toBe(input.drivers[k]!.id);
        for (const s of route.stops) {
          for (const tag of byId.get(s.stopId)!.requires ?? []) expect(kit.has(tag)).toBe(true);
        }
      }
    }
  });

  it('reports a stop no driver is equipped for as unassigned, with the reason', () => {
    const input = stormInstance({ stops: 30, drivers: 3, seed: 9 });
    const odd: Stop = { id: 'roof', ...CONCORD, serviceMinutes: 30, requires: ['roof_rake'] };
    const plan = planRoutes({ ...input, stops: [...input.stops, odd] });
    expect(plan.unassigned).toEqual([{ stopId: 'roof', reason: 'no_equipped_driver' }]);
    expect(assignedIds(plan)).not.toContain('roof');
    expect(assignedIds(plan)).toHaveLength(30);
  });

  it('keeps locked stops with their driver, and at their position when one is given', () => {
    const r = rng(41);
    for (let seed = 1; seed <= 5; seed++) {
      const base = stormInstance({ stops: 60, drivers: 5, seed: 100 + seed });
      const stops = base.stops.map((s) => ({ ...s, requires: ['truck'] }));
      const locks = new Map<string, { driverId: string; position?: number }>();
      for (let k = 0; k < 8; k++) {
        const s = stops[r.int(0, stops.length - 1)]!;
        const driverId = base.drivers[r.int(0, base.drivers.length - 1)]!.id;
        const taken = [...locks.values()].filter((l) => l.driverId === driverId && l.position !== undefined).length;
        const lock = k % 2 === 0 ? { driverId, position: taken } : { driverId };
        if (!locks.has(s.id)) locks.set(s.id, lock);
        s.lock = locks.get(s.id);
      }
      const plan = planRoutes({ ...base, stops }, { seed });
      for (const [stopId, lock] of locks) {
        const route = plan.routes.find((x) => x.driverId === lock.driverId)!;
        const at = route.stops.findIndex((x) => x.stopId === stopId);
        expect(at, `${stopId} with ${lock.driverId}`).toBeGreaterThanOrEqual(0);
        if (lock.position !== undefined) expect(at).toBe(lock.position);
      }
    }
  });

  it('meets every deadline when a schedule meeting them is known', () => {
    const r = rng(7);
    for (let trial = 0; trial < 8; trial++) {
      // Build a feasible schedule first: each driver drives a chain of nearby stops; each
      // stop's deadline is when that schedule clears it plus a little slack. Then shuffle.
      const drivers: Driver[] = [];
      const stops: Stop[] = [];
      for (let d = 0; d < 4; d++) {
        const driver: Driver = { id: `d${d}`, ...pointNear(r, CONCORD, 12_000), equipment: ['truck'] };
        drivers.push(driver);
        let at: LatLng = driver;
        let t = START;
        for (let k = 0; k < 8; k++) {
          const next = pointNear(r, at, 2_500);
          const serviceMinutes = r.int(8, 25);
          t += travel(at, next).minutes * 60_000 + serviceMinutes * 60_000;
          const stop: Stop = { id: `d${d}-${k}`, ...next, serviceMinutes, requires: ['truck'] };
          if (r.bool(0.6)) stop.deadline = Math.round(t + r.int(2, 15) * 60_000);
          stops.push(stop);
          at = next;
        }
      }
      const shuffled = stops
        .map((s) => [r.next(), s] as const)
        .sort((a, b) => a[0] - b[0])
        .map(([, s]) => s);
      const plan = planRoutes({ stops: shuffled, drivers, startTime: START }, { seed: trial });
      expect(plan.deadlineMisses, `trial ${trial}`).toBe(0);
      for (const route of plan.routes) {
        for (const s of route.stops) {
          const stop = stops.find((x) => x.id === s.stopId)!;
          expect(s.departure - s.arrival).toBe(stop.serviceMinutes * 60_000);
          if (stop.deadline !== undefined) expect(s.departure).toBeLessThanOrEqual(stop.deadline);
        }
      }
    }
  });

  it("gives ETAs that follow the travel model from the driver's position and start time", () => {
    const input = stormInstance({ stops: 40, drivers: 3, seed: 5 });
    const plan = planRoutes(input);
    for (const [k, route] of plan.routes.entries()) {
      const driver = input.drivers[k]!;
      let at: LatLng = driver;
      let t = Math.max(input.startTime, driver.availableFrom ?? input.startTime);
      let meters = 0;
      for (const s of route.stops) {
        const stop = input.stops.find((x) => x.id === s.stopId)!;
        t += travel(at, stop).minutes * 60_000;
        meters += travel(at, stop).meters;
        expect(Math.abs(s.arrival - t)).toBeLessThan(1_000);
        t += stop.serviceMinutes * 60_000;
        at = stop;
      }
      expect(Math.abs(route.distanceMeters - meters)).toBeLessThan(1);
    }
  });

  it("drives a lone driver's route within 2 % of the exact shortest on up to 9 stops", () => {
    const r = rng(2026);
    let worst = 0;
    for (let trial = 0; trial < 100; trial++) {
      const input = smallInstance(r, 4 + (trial % 6));
      const exact = bruteForcePath(input.drivers[0]!, [...input.stops]);
      const plan = planRoutes(input, { seed: trial });
      expect(plan.routes[0]!.stops).toHaveLength(input.stops.length);
      worst = Math.max(worst, plan.totalDistanceMeters / exact - 1);
    }
    expect(worst).toBeLessThanOrEqual(0.02);
  });

  it('plans a shorter fleet total than the greedy baseline, with no more missed deadlines', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const input = stormInstance({ stops: 150, drivers: 8, seed });
      const plan = planRoutes(input, { seed });
      const greedy = greedyPlan(input);
      expect(plan.totalDistanceMeters).toBeLessThan(greedy.totalDistanceMeters);
      expect(plan.deadlineMisses).toBeLessThanOrEqual(greedy.deadlineMisses);
    }
  });

  it('returns the same plan for the same input and seed', () => {
    const input = stormInstance({ stops: 120, drivers: 6, seed: 77 });
    const a = planRoutes(input, { seed: 3, timeBudgetMs: 60_000 });
    const b = planRoutes(input, { seed: 3, timeBudgetMs: 60_000 });
    expect(a.routes).toEqual(b.routes);
  });
});

describe('replan', () => {
  it('places an added stop and keeps every other stop on its driver', () => {
    const input = stormInstance({ stops: 120, drivers: 6, seed: 21 });
    const plan = planRoutes(input, { seed: 1 });
    const change = { kind: 'add' as const, stop: { id: 'new', ...CONCORD, serviceMinutes: 10, requires: ['truck'] } };
    const next = replan(plan, change, applyChange(input, change));
    const ids = assignedIds(next);
    expect(ids).toContain('new');
    expect(new Set(ids).size).toBe(121);
    expect(next.deadlineMisses).toBeLessThanOrEqual(plan.deadlineMisses);
  });

  it('moves a stop: it is re-placed, nothing is lost or doubled', () => {
    const input = stormInstance({ stops: 120, drivers: 6, seed: 22 });
    const plan = planRoutes(input, { seed: 1 });
    const moved = { ...input.stops[10]!, ...pointNear(rng(1), CONCORD, 15_000) };
    const change = { kind: 'update' as const, stop: moved };
    const nextInput = applyChange(input, change);
    const next = replan(plan, change, nextInput);
    const ids = assignedIds(next);
    expect(ids.sort()).toEqual(nextInput.stops.map((s) => s.id).sort());
  });

  it('drops a removed stop and keeps a pinned stop in place', () => {
    const base = stormInstance({ stops: 80, drivers: 4, seed: 23 });
    const pinned = { ...base.stops[0]!, requires: ['truck'], lock: { driverId: 'd2', position: 0 } };
    const stops = [pinned, ...base.stops.slice(1)];
    const input = { ...base, stops };
    const plan = planRoutes(input, { seed: 1 });
    const change = { kind: 'remove' as const, stopId: 's5' };
    const next = replan(plan, change, applyChange(input, change));
    expect(assignedIds(next)).not.toContain('s5');
    expect(next.routes[2]!.stops[0]!.stopId).toBe('s0');
  });
});

describe('single routes', () => {
  it('solveTour closes a tour within 2 % of the exact shortest on up to 9 stops, starting at the start', () => {
    const r = rng(99);
    for (let trial = 0; trial < 30; trial++) {
      const n = 5 + (trial % 5);
      const pts = Array.from({ length: n }, () => ({ x: r.next() * 10_000, y: r.next() * 10_000 }));
      const d = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) d[i * n + j] = Math.hypot(pts[i]!.x - pts[j]!.x, pts[i]!.y - pts[j]!.y);
      }
      const m = { n, d };
      const tour = solveTour(m, { start: 0, closed: true, seed: trial });
      expect(tour[0]).toBe(0);
      expect([...tour].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
      const rest = [...Array(n).keys()].slice(1);
      let exact = Infinity;
      const perm = (order: number[], left: number[]): void => {
        if (left.length === 0) exact = Math.min(exact, tourLength(m, [0, ...order], true));
        for (const x of left)
          perm(
            [...order, x],
            left.filter((y) => y !== x),
          );
      };
      perm([], rest);
      expect(tourLength(m, tour, true)).toBeLessThanOrEqual(exact * 1.02);
    }
  });

  it('nearestNeighbourRoute always drives to the nearest unvisited stop', () => {
    const r = rng(5);
    const start = CONCORD;
    const stops = Array.from({ length: 20 }, () => pointNear(r, CONCORD, 10_000));
    const order = nearestNeighbourRoute(start, stops);
    expect([...order].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    let at: LatLng = start;
    for (let k = 0; k < order.length; k++) {
      const left = order.slice(k).map((i) => haversineMeters(at, stops[i]!));
      expect(haversineMeters(at, stops[order[k]!]!)).toBe(Math.min(...left));
      at = stops[order[k]!]!;
    }
  });

  it('fills the matrix with the same distances as the per-leg haversine', () => {
    const r = rng(8);
    const pts = Array.from({ length: 30 }, () => pointNear(r, CONCORD, 20_000));
    const meters = new Float32Array(900);
    const minutes = new Float32Array(900);
    travel.fill!(pts, meters, minutes);
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 30; j++) {
        const leg = travel(pts[i]!, pts[j]!);
        expect(Math.abs(meters[i * 30 + j]! - leg.meters)).toBeLessThan(0.01 + leg.meters * 1e-6);
        expect(Math.abs(minutes[i * 30 + j]! - leg.minutes)).toBeLessThan(1e-4);
      }
    }
  });
});
