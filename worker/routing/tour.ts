import { seededRandom } from './rng';

/** A square distance matrix, row-major: `d[i * n + j]` is the distance from node i to node j. */
export interface DistanceMatrix {
  n: number;
  d: ArrayLike<number>;
}

export interface TourOptions {
  /** The node the route starts from (the driver's position); it stays first. */
  start: number;
  /** A closed tour returns to `start`; an open path ends at its last stop. */
  closed: boolean;
  seed?: number;
  /** Perturbation rounds after the first local optimum (default grows with n). */
  kicks?: number;
}

/** Length of `order` (which starts at its start node), closed or open. */
export function tourLength(m: DistanceMatrix, order: readonly number[], closed: boolean): number {
  let len = 0;
  for (let k = 1; k < order.length; k++) len += m.d[order[k - 1]! * m.n + order[k]!]!;
  if (closed && order.length > 1) len += m.d[order[order.length - 1]! * m.n + order[0]!]!;
  return len;
}

/**
 * Nearest-neighbour order over every node of `m` from `start`: the dispatcher's rule of thumb,
 * kept as a yardstick and as the local search's first solution.
 */
export function nearestNeighbourTour(m: DistanceMatrix, start: number): number[] {
  const seen = new Uint8Array(m.n);
  const order = [start];
  seen[start] = 1;
  let at = start;
  for (let k = 1; k < m.n; k++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < m.n; j++) {
      if (seen[j]) continue;
      const dj = m.d[at * m.n + j]!;
      if (dj < bestD) {
        bestD = dj;
        best = j;
      }
    }
    seen[best] = 1;
    order.push(best);
    at = best;
  }
  return order;
}

/**
 * A short single route over every node of a symmetric matrix: nearest neighbour, then 2-opt
 * and Or-opt to a local optimum, then seeded double-bridge kicks that keep the best tour
 * (iterated local search). An open path is solved as a closed tour through a dummy node
 * tied to the start, so one set of moves serves both.
 */
export function solveTour(m: DistanceMatrix, opts: TourOptions): number[] {
  if (m.n <= 2) return m.n === 2 ? [opts.start, 1 - opts.start] : [opts.start];
  const work = opts.closed ? m : withOpenEnd(m, opts.start);
  const n = work.n;
  const d = Float64Array.from(work.d as ArrayLike<number>);
  let tour: Int32Array = Int32Array.from(nearestNeighbourTour(work, opts.start));
  localSearch(d, n, tour);
  let best: Int32Array = tour.slice();
  let bestLen = closedLength(d, n, best);
  const random = seededRandom(opts.seed ?? 1);
  const kicks = opts.kicks ?? Math.min(3000, 200 + 25 * n);
  for (let k = 0; k < kicks && n >= 8; k++) {
    tour = doubleBridge(best, random);
    localSearch(d, n, tour);
    const len = closedLength(d, n, tour);
    if (len < bestLen - 1e-9) {
      bestLen = len;
      best = tour;
    }
  }
  return orient(Array.from(best), opts.start, opts.closed ? -1 : m.n);
}

/** The matrix plus a node that costs nothing next to `start` and a lot next to anything else. */
function withOpenEnd(m: DistanceMatrix, start: number): DistanceMatrix {
  const n = m.n + 1;
  const d = new Float64Array(n * n);
  let far = 0;
  for (let i = 0; i < m.n * m.n; i++) far = Math.max(far, m.d[i]!);
  far = far * m.n + 1;
  for (let i = 0; i < m.n; i++) {
    for (let j = 0; j < m.n; j++) d[i * n + j] = m.d[i * m.n + j]!;
    const tie = i === start ? 0 : far;
    d[i * n + m.n] = tie;
    d[m.n * n + i] = tie;
  }
  return { n, d };
}

/** Rotates the tour to begin at start; drops the dummy end node (and orients away from it). */
function orient(tour: number[], start: number, dummy: number): number[] {
  const at = tour.indexOf(start);
  let out = [...tour.slice(at), ...tour.slice(0, at)];
  if (dummy >= 0) {
    if (out[1] === dummy) out = [out[0]!, ...out.slice(1).reverse()];
    out = out.filter((x) => x !== dummy);
  }
  return out;
}

function closedLength(d: Float64Array, n: number, t: Int32Array): number {
  let len = d[t[n - 1]! * n + t[0]!]!;
  for (let k = 1; k < n; k++) len += d[t[k - 1]! * n + t[k]!]!;
  return len;
}

function doubleBridge(t: Int32Array, random: () => number): Int32Array {
  const n = t.length;
  const cut = () => 1 + Math.floor(random() * (n - 1));
  const cuts = [cut(), cut(), cut()];
  cuts.sort((a, b) => a - b);
  const [p, q, r] = cuts as [number, number, number];
  const out = new Int32Array(n);
  out.set(t.subarray(0, p), 0);
  out.set(t.subarray(q, r), p);
  out.set(t.subarray(p, q), p + r - q);
  out.set(t.subarray(r), r);
  return out;
}

/** 2-opt and Or-opt (segments of 1–3, either direction), first improvement, until none helps. */
function localSearch(d: Float64Array, n: number, t: Int32Array): void {
  const EPS = 1e-9;
  let improved = true;
  while (improved) {
    improved = false;
    for (let i = 0; i < n - 1; i++) {
      const a = t[i]!;
      const b = t[i + 1]!;
      const dab = d[a * n + b]!;
      for (let j = i + 2; j < n; j++) {
        if (i === 0 && j === n - 1) continue;
        const c = t[j]!;
        const e = t[(j + 1) % n]!;
        const delta = d[a * n + c]! + d[b * n + e]! - dab - d[c * n + e]!;
        if (delta < -EPS) {
          reverse(t, i + 1, j);
          improved = true;
          break;
        }
      }
      if (improved) break;
    }
    if (improved) continue;
    improved = orOpt(d, n, t, EPS);
  }
}

function orOpt(d: Float64Array, n: number, t: Int32Array, eps: number): boolean {
  for (let len = 1; len <= 3 && len < n - 2; len++) {
    for (let i = 0; i < n; i++) {
      const first = t[i]!;
      const last = t[(i + len - 1) % n]!;
      const prev = t[(i - 1 + n) % n]!;
      const next = t[(i + len) % n]!;
      const gain = d[prev * n + first]! + d[last * n + next]! - d[prev * n + next]!;
      for (let k = 0; k < n - len - 1; k++) {
        const p = (i + len + k) % n;
        const a = t[p]!;
        const b = t[(p + 1) % n]!;
        const base = d[a * n + b]!;
        const fwd = d[a * n + first]! + d[last * n + b]! - base;
        const rev = d[a * n + last]! + d[first * n + b]! - base;
        if (fwd - gain < -eps || rev - gain < -eps) {
          moveSegment(t, i, len, p, rev < fwd);
          return true;
        }
      }
    }
  }
  return false;
}

function reverse(t: Int32Array, from: number, to: number): void {
  for (let i = from, j = to; i < j; i++, j--) {
    const x = t[i]!;
    t[i] = t[j]!;
    t[j] = x;
  }
}

/** Moves the cyclic segment t[i..i+len) to just after position p (outside it), reversed if asked. */
function moveSegment(t: Int32Array, i: number, len: number, p: number, reversed: boolean): void {
  const n = t.length;
  const seg: number[] = [];
  for (let k = 0; k < len; k++) seg.push(t[(i + k) % n]!);
  if (reversed) seg.reverse();
  const rest: number[] = [];
  for (let k = 0; k < n - len; k++) rest.push(t[(i + len + k) % n]!);
  const at = rest.indexOf(t[p]!);
  const out = [...rest.slice(0, at + 1), ...seg, ...rest.slice(at + 1)];
  t.set(out);
}
