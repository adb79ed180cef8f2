import { roadTravel } from './travel';
import type { LatLng, PlanInput, UnassignedStop, Weights } from './types';

/** Default objective weights: a missed deadline outweighs any detour within a town. */
export const DEFAULT_WEIGHTS: Weights = { miss: 1_000_000, lateMinute: 10_000, priorityMinute: 10, balance: 0.3 };

/** Nearest stops (and driver starts) each stop's moves are tried against: the granular neighbourhood. */
const NEIGHBOURS = 12;

/**
 * The instance in flat arrays: stops are nodes 0..n-1, driver starts n..n+m-1, times are
 * minutes after the plan's start. Travel is computed once per pair (the model is symmetric)
 * into Float32 matrices, which keeps 2,000 stops within a Worker's memory.
 */
export interface Model {
  input: PlanInput;
  n: number;
  m: number;
  /** n + m: the matrices' side. */
  size: number;
  dist: Float32Array;
  time: Float32Array;
  service: Float64Array;
  /** Minutes after start by which the stop is cleared; Infinity without a deadline. */
  due: Float64Array;
  priority: Float64Array;
  /** 1 + priority: what a miss or a late minute of the stop is multiplied by. */
  missWeight: Float64Array;
  /** canServe[s * m + r]: driver r carries everything stop s requires (and the stop's lock allows r). */
  canServe: Uint8Array;
  /** The driver a stop is locked to, or -1. */
  lockedTo: Int32Array;
  /** The locked position, or -1. */
  pinPos: Int32Array;
  /** Stops that cannot be planned at all, with the reason. */
  unassigned: UnassignedStop[];
  unplannable: Uint8Array;
  startMinute: Float64Array;
  closed: Uint8Array;
  neighbours: Int32Array;
  k: number;
  weights: Weights;
}

export function buildModel(input: PlanInput, weights: Partial<Weights> = {}): Model {
  const travel = input.travel ?? roadTravel();
  const { stops, drivers } = input;
  const n = stops.length;
  const m = drivers.length;
  const size = n + m;
  // Plain points of one shape, so the travel model's property reads stay monomorphic.
  const nodes: LatLng[] = [...stops, ...drivers].map((p) => ({ lat: p.lat, lng: p.lng }));
  const dist = new Float32Array(size * size);
  const time = new Float32Array(size * size);
  if (travel.fill) {
    travel.fill(nodes, dist, time);
  } else {
    for (let i = 0; i < size; i++) {
      for (let j = i + 1; j < size; j++) {
        const leg = travel(nodes[i]!, nodes[j]!);
        dist[i * size + j] = dist[j * size + i] = leg.meters;
        time[i * size + j] = time[j * size + i] = leg.minutes;
      }
    }
  }
  const service = new Float64Array(n);
  const due = new Float64Array(n);
  const priority = new Float64Array(n);
  const missWeight = new Float64Array(n);
  const canServe = new Uint8Array(n * m);
  const lockedTo = new Int32Array(n).fill(-1);
  const pinPos = new Int32Array(n).fill(-1);
  const unplannable = new Uint8Array(n);
  const unassigned: UnassignedStop[] = [];
  const driverIndex = new Map(drivers.map((d, i) => [d.id, i]));
  const kits = drivers.map((d) => new Set(d.equipment));
  for (let s = 0; s < n; s++) {
    const stop = stops[s]!;
    service[s] = stop.serviceMinutes;
    due[s] = stop.deadline === undefined ? Infinity : (stop.deadline - input.startTime) / 60_000;
    priority[s] = stop.priority ?? 0;
    missWeight[s] = 1 + priority[s]!;
    const needs = stop.requires ?? [];
    let any = false;
    for (let r = 0; r < m; r++) {
      const ok = needs.every((tag) => kits[r]!.has(tag));
      canServe[s * m + r] = ok ? 1 : 0;
      any ||= ok;
    }
    if (stop.lock) {
      const r = driverIndex.get(stop.lock.driverId);
      if (r === undefined) {
        unassigned.push({ stopId: stop.id, reason: 'locked_driver_unknown' });
      } else if (!canServe[s * m + r]) {
        unassigned.push({ stopId: stop.id, reason: 'locked_driver_lacks_equipment' });
      } else {
        lockedTo[s] = r;
        pinPos[s] = stop.lock.position ?? -1;
        canServe.fill(0, s * m, s * m + m);
        canServe[s * m + r] = 1;
        continue;
      }
      unplannable[s] = 1;
      continue;
    }
    if (!any) {
      unassigned.push({ stopId: stop.id, reason: 'no_equipped_driver' });
      unplannable[s] = 1;
    }
  }
  const startMinute = Float64Array.from(drivers, (d) =>
    Math.max(0, ((d.availableFrom ?? input.startTime) - input.startTime) / 60_000),
  );
  const closed = Uint8Array.from(drivers, (d) => (d.returnToStart ? 1 : 0));
  const k = Math.min(NEIGHBOURS, size - 1);
  const neighbours = nearestNodes(dist, n, size, k);
  return {
    input,
    n,
    m,
    size,
    dist,
    time,
    service,
    due,
    priority,
    missWeight,
    canServe,
    lockedTo,
    pinPos,
    unassigned,
    unplannable,
    startMinute,
    closed,
    neighbours,
    k,
    weights: { ...DEFAULT_WEIGHTS, ...weights },
  };
}

/** For each stop, the k nearest other nodes (stops or driver starts), nearest first. */
function nearestNodes(dist: Float32Array, n: number, size: number, k: number): Int32Array {
  const out = new Int32Array(n * k).fill(-1);
  const bestD = new Float64Array(k);
  const best = new Int32Array(k);
  for (let s = 0; s < n; s++) {
    bestD.fill(Infinity);
    best.fill(-1);
    const row = s * size;
    for (let j = 0; j < size; j++) {
      if (j === s) continue;
      const dj = dist[row + j]!;
      if (dj >= bestD[k - 1]!) continue;
      let p = k - 1;
      while (p > 0 && bestD[p - 1]! > dj) {
        bestD[p] = bestD[p - 1]!;
        best[p] = best[p - 1]!;
        p--;
      }
      bestD[p] = dj;
      best[p] = j;
    }
    out.set(best, s * k);
  }
  return out;
}
