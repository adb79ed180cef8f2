import type { Model } from './model';

const EPS = 1e-6;

/**
 * One driver's route: `free` is the order of the stops the search may move; `pins` are the
 * stops locked to a position, merged in at their index whenever the route is evaluated.
 * The arrays below are running totals along `free` (kept only for routes without pins),
 * so a move that keeps a route's head and tail is judged from its changed middle alone.
 */
export interface RouteState {
  free: number[];
  pins: number[];
  cost: number;
  /** Minutes after start when stop i is cleared. */
  fin: Float64Array;
  /** Metres, urgency (priority × arrival), weighted late minutes and weighted misses up to and with stop i. */
  met: Float64Array;
  urg: Float64Array;
  lat: Float64Array;
  mis: Float64Array;
  /** From stop i to the end: sum of priorities, sum of weights of late stops, least slack of on-time stops. */
  sufP: Float64Array;
  sufLateW: Float64Array;
  sufSlack: Float64Array;
}

const EMPTY = new Float64Array(0);

/** Running totals of a route driven stop by stop from its start; `t` is the clock in minutes. */
interface Drive {
  prev: number;
  t: number;
  meters: number;
  missed: number;
  late: number;
  urgency: number;
}

function startDrive(md: Model, r: number): Drive {
  return { prev: md.n + r, t: md.startMinute[r]!, meters: 0, missed: 0, late: 0, urgency: 0 };
}

/** Drives on to stop s and serves it; true when s is cleared after its deadline. */
function serve(md: Model, d: Drive, s: number): boolean {
  const leg = d.prev * md.size + s;
  d.meters += md.dist[leg]!;
  d.t += md.time[leg]!;
  d.urgency += md.priority[s]! * d.t;
  d.t += md.service[s]!;
  d.prev = s;
  if (d.t > md.due[s]!) {
    d.missed += md.missWeight[s]!;
    d.late += md.missWeight[s]! * (d.t - md.due[s]!);
    return true;
  }
  return false;
}

/** The route's cost from its parts (see `Weights`), with the drive home when the route is closed. */
function finish(md: Model, r: number, d: Drive): number {
  const start = md.n + r;
  if (md.closed[r] && d.prev !== start) {
    d.meters += md.dist[d.prev * md.size + start]!;
    d.t += md.time[d.prev * md.size + start]!;
  }
  const w = md.weights;
  return d.meters + w.miss * d.missed + w.lateMinute * d.late + w.priorityMinute * d.urgency + w.balance * d.t * d.t;
}

function emptyRoute(): RouteState {
  return {
    free: [],
    pins: [],
    cost: 0,
    fin: EMPTY,
    met: EMPTY,
    urg: EMPTY,
    lat: EMPTY,
    mis: EMPTY,
    sufP: EMPTY,
    sufLateW: EMPTY,
    sufSlack: EMPTY,
  };
}

/** Breakdown of one evaluated route. */
export interface RouteTotals {
  cost: number;
  meters: number;
  misses: number;
  /** Minutes after the plan's start when the route ends. */
  end: number;
}

/**
 * The search state over a model: routes, where each stop is, and the moves. A candidate is
 * described as a splice — route r's first x stops, an explicit middle, then the tail of a
 * route q from index y — and costed from the routes' running totals: O(middle) when the
 * tail's shift in time cannot change which stops are late, else O(tail). The granular
 * neighbourhood (each stop's nearest nodes) keeps the number of candidates small.
 */
export class Search {
  readonly routes: RouteState[];
  readonly routeOf: Int32Array;
  readonly posOf: Int32Array;
  moves = 0;
  #model: Model;
  #seqA: Int32Array;
  #seqB: Int32Array;
  #mid: Int32Array;
  #queue: number[] = [];
  #head = 0;
  #queued: Uint8Array;
  #snapshots = new Map<number, RouteState>();

  constructor(model: Model) {
    this.#model = model;
    this.routes = Array.from({ length: model.m }, emptyRoute);
    this.routeOf = new Int32Array(model.n).fill(-1);
    this.posOf = new Int32Array(model.n).fill(-1);
    this.#seqA = new Int32Array(model.n + 1);
    this.#seqB = new Int32Array(model.n + 1);
    this.#mid = new Int32Array(model.n + 1);
    this.#queued = new Uint8Array(model.n);
  }

  /** Places locked-position stops; call once before anything else is inserted. */
  placePins(): void {
    const md = this.#model;
    const byRoute = new Map<number, number[]>();
    for (let s = 0; s < md.n; s++) {
      if (md.unplannable[s] || md.pinPos[s]! < 0) continue;
      const r = md.lockedTo[s]!;
      byRoute.set(r, [...(byRoute.get(r) ?? []), s]);
    }
    for (const [r, pins] of byRoute) {
      pins.sort((a, b) => md.pinPos[a]! - md.pinPos[b]! || a - b);
      this.routes[r]!.pins = pins;
      for (const s of pins) this.routeOf[s] = r;
    }
  }

  /** Sets a route's free order (used when starting from a previous plan or a baseline). */
  setRoute(r: number, free: number[]): void {
    const seq = Int32Array.from(free);
    this.#commit(r, seq, seq.length, 0, false);
  }

  /** Recomputes every route's cost and running totals (after pins were placed or routes set). */
  refreshCosts(): void {
    for (let r = 0; r < this.routes.length; r++) this.setRoute(r, this.routes[r]!.free);
  }

  get totalCost(): number {
    let c = 0;
    for (const route of this.routes) c += route.cost;
    return c;
  }

  /** The route's stops in driving order, pins merged in. */
  sequence(r: number): number[] {
    const { free, pins } = this.routes[r]!;
    const pinPos = this.#model.pinPos;
    const out: number[] = [];
    let f = 0;
    let p = 0;
    while (f < free.length || p < pins.length) {
      if (p < pins.length && (pinPos[pins[p]!]! <= out.length || f >= free.length)) out.push(pins[p++]!);
      else out.push(free[f++]!);
    }
    return out;
  }

  /** Cost, metres, misses and end time of route r as it stands. */
  totals(r: number): RouteTotals {
    const route = this.routes[r]!;
    return this.#evaluate(r, Int32Array.from(route.free), route.free.length);
  }

  /**
   * The objective of route r with free order seq[0..len): distance, plus penalties for missed
   * deadlines and late minutes, a pull of urgent stops towards the front and a square of the
   * finish time that spreads work across drivers. Fills the running totals when `into` is given.
   */
  #evaluate(r: number, seq: Int32Array, len: number, into?: RouteState): RouteTotals {
    const md = this.#model;
    const pinPos = md.pinPos;
    const pins = this.routes[r]!.pins;
    const d = startDrive(md, r);
    let misses = 0;
    let f = 0;
    let p = 0;
    let k = 0;
    while (f < len || p < pins.length) {
      let s: number;
      if (p < pins.length && (pinPos[pins[p]!]! <= k || f >= len)) s = pins[p++]!;
      else s = seq[f++]!;
      if (serve(md, d, s)) misses++;
      if (into) {
        into.fin[k] = d.t;
        into.met[k] = d.meters;
        into.urg[k] = d.urgency;
        into.lat[k] = d.late;
        into.mis[k] = d.missed;
      }
      k++;
    }
    const cost = finish(md, r, d);
    return { cost, meters: d.meters, misses, end: d.t };
  }

  /**
   * Cost of route r made of its own free[0..x), then mid[0..midLen), then route q's free[y..].
   * Routes with pins are costed in full.
   */
  #splice(r: number, x: number, mid: Int32Array, midLen: number, q: number, y: number): number {
    const md = this.#model;
    const R = this.routes[r]!;
    const Q = this.routes[q]!;
    if (R.pins.length > 0 || Q.pins.length > 0) {
      const seq = this.#seqB === mid ? this.#seqA : this.#seqB;
      let w = 0;
      for (let k = 0; k < x; k++) seq[w++] = R.free[k]!;
      for (let k = 0; k < midLen; k++) seq[w++] = mid[k]!;
      for (let k = y; k < Q.free.length; k++) seq[w++] = Q.free[k]!;
      return this.#evaluate(r, seq, w).cost;
    }
    const d = startDrive(md, r);
    if (x > 0) {
      d.prev = R.free[x - 1]!;
      d.t = R.fin[x - 1]!;
      d.meters = R.met[x - 1]!;
      d.urgency = R.urg[x - 1]!;
      d.late = R.lat[x - 1]!;
      d.missed = R.mis[x - 1]!;
    }
    for (let k = 0; k < midLen; k++) serve(md, d, mid[k]!);
    const L = Q.free.length;
    if (y < L) {
      const { dist, time, size, service } = md;
      const first = Q.free[y]!;
      const arrival = d.t + time[d.prev * size + first]!;
      const delta = arrival - (Q.fin[y]! - service[first]!);
      const lateW = Q.sufLateW[y]!;
      if (Math.abs(delta) < 1e-9 || (delta < 0 && lateW === 0) || (delta > 0 && delta <= Q.sufSlack[y]!)) {
        d.meters += dist[d.prev * size + first]! + Q.met[L - 1]! - Q.met[y]!;
        const before = y > 0 ? 1 : 0;
        d.urgency += Q.urg[L - 1]! - (before ? Q.urg[y - 1]! : 0) + delta * Q.sufP[y]!;
        d.late += Q.lat[L - 1]! - (before ? Q.lat[y - 1]! : 0) + (delta > 0 ? delta * lateW : 0);
        d.missed += Q.mis[L - 1]! - (before ? Q.mis[y - 1]! : 0);
        d.t = Q.fin[L - 1]! + delta;
        d.prev = Q.free[L - 1]!;
      } else {
        for (let k = y; k < L; k++) serve(md, d, Q.free[k]!);
      }
    }
    return finish(md, r, d);
  }

  #reindex(r: number): void {
    const free = this.routes[r]!.free;
    for (let i = 0; i < free.length; i++) {
      this.routeOf[free[i]!] = r;
      this.posOf[free[i]!] = i;
    }
  }

  /** Starts recording route changes so `rollback` can undo them; returns the current total. */
  beginTrial(): number {
    this.#snapshots.clear();
    return this.totalCost;
  }

  rollback(): void {
    for (const [r, snap] of this.#snapshots) {
      for (const s of this.routes[r]!.free) this.routeOf[s] = -1;
      this.routes[r] = snap;
    }
    for (const r of this.#snapshots.keys()) this.#reindex(r);
    this.#snapshots.clear();
  }

  /** Makes seq[0..len) route r's free order, recomputes its running totals and queues its stops. */
  #commit(r: number, seq: Int32Array, len: number, _expected: number, queue = true): void {
    const old = this.routes[r]!;
    if (!this.#snapshots.has(r)) this.#snapshots.set(r, old);
    const total = len + old.pins.length;
    const next: RouteState = {
      free: Array.from(seq.subarray(0, len)),
      pins: old.pins,
      cost: 0,
      fin: new Float64Array(total),
      met: new Float64Array(total),
      urg: new Float64Array(total),
      lat: new Float64Array(total),
      mis: new Float64Array(total),
      sufP: new Float64Array(total),
      sufLateW: new Float64Array(total),
      sufSlack: new Float64Array(total),
    };
    this.routes[r] = next;
    next.cost = this.#evaluate(r, seq, len, next).cost;
    const { priority, missWeight, due } = this.#model;
    let p = 0;
    let lateW = 0;
    let slack = Infinity;
    for (let k = next.pins.length > 0 ? -1 : total - 1; k >= 0; k--) {
      const s = next.free[k]!;
      p += priority[s]!;
      if (next.fin[k]! > due[s]!) lateW += missWeight[s]!;
      else slack = Math.min(slack, due[s]! - next.fin[k]!);
      next.sufP[k] = p;
      next.sufLateW[k] = lateW;
      next.sufSlack[k] = slack;
    }
    this.#reindex(r);
    if (queue) {
      // Queue only the stretch that changed (and one stop either side): the rest of the
      // route kept its neighbours, and re-trying every stop of it dominates the run time.
      const before = old.free;
      const after = next.free;
      let head = 0;
      while (head < before.length && head < after.length && before[head] === after[head]) head++;
      let tail = 0;
      const room = Math.min(before.length, after.length) - head;
      while (tail < room && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
      const last = Math.min(after.length, after.length - tail + 1);
      for (let k = Math.max(0, head - 1); k < last; k++) this.enqueue(after[k]!);
    }
  }

  enqueue(s: number): void {
    if (!this.#queued[s]) {
      this.#queued[s] = 1;
      this.#queue.push(s);
    }
  }

  /** Removes a free stop from its route. */
  remove(s: number): void {
    const r = this.routeOf[s]!;
    const at = this.posOf[s]!;
    const free = this.routes[r]!.free;
    const seq = this.#seqA;
    let len = 0;
    for (let i = 0; i < free.length; i++) if (i !== at) seq[len++] = free[i]!;
    this.#commit(r, seq, len, 0);
    this.routeOf[s] = -1;
    this.posOf[s] = -1;
  }

  /**
   * Puts stop s where it costs least: every position of every route that may take it, or
   * only `routes` when given (the routes of its neighbours, in ruin-and-recreate).
   */
  insertBest(s: number, routes?: Iterable<number>): void {
    const md = this.#model;
    const mid = this.#mid;
    mid[0] = s;
    let bestR = -1;
    let bestAt = 0;
    let bestDelta = Infinity;
    for (const r of routes ?? this.routes.keys()) {
      if (!md.canServe[s * md.m + r]) continue;
      const route = this.routes[r]!;
      for (let at = 0; at <= route.free.length; at++) {
        const delta = this.#splice(r, at, mid, 1, r, at) - route.cost;
        if (delta < bestDelta) {
          bestDelta = delta;
          bestR = r;
          bestAt = at;
        }
      }
    }
    if (bestR < 0) {
      if (routes) return this.insertBest(s);
      throw new Error('no route can take the stop');
    }
    const free = this.routes[bestR]!.free;
    const seq = this.#seqA;
    let w = 0;
    for (let i = 0; i < bestAt; i++) seq[w++] = free[i]!;
    seq[w++] = s;
    for (let i = bestAt; i < free.length; i++) seq[w++] = free[i]!;
    this.#commit(bestR, seq, w, 0);
  }

  /**
   * Local search from the queued stops until no move improves, `maxMoves` were made or the
   * deadline passed: Or-opt (1–3 stops, either direction) and 2-opt within a route;
   * relocate, swap and 2-opt* (exchange of route tails) between routes. First improvement;
   * a changed route's stops are queued again.
   */
  improve(maxMoves = Infinity, deadline = Infinity): void {
    let steps = 0;
    while (this.#head < this.#queue.length && this.moves < maxMoves) {
      const s = this.#queue[this.#head++]!;
      if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      this.#queued[s] = 0;
      if (this.routeOf[s]! < 0 || this.#model.pinPos[s]! >= 0) continue;
      if (this.#tryMoves(s)) {
        this.moves++;
        this.enqueue(s);
      }
      if ((++steps & 63) === 0 && Date.now() > deadline) break;
    }
    for (let k = this.#head; k < this.#queue.length; k++) this.#queued[this.#queue[k]!] = 0;
    this.#queue.length = 0;
    this.#head = 0;
  }

  #tryMoves(s: number): boolean {
    const md = this.#model;
    const a = this.routeOf[s]!;
    for (let q = 0; q < md.k; q++) {
      const t = md.neighbours[s * md.k + q]!;
      if (t < 0) break;
      let b: number;
      let j: number;
      if (t >= md.n) {
        b = t - md.n;
        j = -1;
      } else {
        if (md.pinPos[t]! >= 0 || this.routeOf[t]! < 0) continue;
        b = this.routeOf[t]!;
        j = this.posOf[t]!;
      }
      if (a === b) {
        if (this.#intra(s, a, j)) return true;
      } else if (this.#inter(s, a, t, b, j)) {
        return true;
      }
    }
    return false;
  }

  /** Or-opt of the segment starting at s to either side of position j, and 2-opt making s and free[j] adjacent. */
  #intra(s: number, r: number, j: number): boolean {
    const route = this.routes[r]!;
    const free = route.free;
    const L = free.length;
    const i = this.posOf[s]!;
    const mid = this.#mid;
    for (let len = 1; len <= 3 && i + len <= L; len++) {
      if (j >= i && j < i + len) break;
      for (let side = 0; side < 2; side++) {
        // Insert before original index q: after t (q = j + 1) or before it (q = j).
        const q = j < 0 ? 0 : j + 1 - side;
        if ((j < 0 && side === 1) || (q >= i && q <= i + len)) continue;
        for (let rev = 0; rev < (len === 1 ? 1 : 2); rev++) {
          let w = 0;
          let x: number;
          let y: number;
          if (q < i) {
            x = q;
            y = i + len;
            for (let k = 0; k < len; k++) mid[w++] = free[rev ? i + len - 1 - k : i + k]!;
            for (let k = q; k < i; k++) mid[w++] = free[k]!;
          } else {
            x = i;
            y = q;
            for (let k = i + len; k < q; k++) mid[w++] = free[k]!;
            for (let k = 0; k < len; k++) mid[w++] = free[rev ? i + len - 1 - k : i + k]!;
          }
          const cost = this.#splice(r, x, mid, w, r, y);
          if (cost < route.cost - EPS) {
            this.#apply(r, x, w, r, y);
            return true;
          }
        }
      }
    }
    if (j < 0) return false;
    // 2-opt: reverse the stretch between them so that s and free[j] become neighbours.
    for (let option = 0; option < 2; option++) {
      const from = i < j ? i + 1 - option : j + 1 - option;
      const to = i < j ? j - option : i - option;
      if (to - from < 1) continue;
      let w = 0;
      for (let k = to; k >= from; k--) mid[w++] = free[k]!;
      const cost = this.#splice(r, from, mid, w, r, to + 1);
      if (cost < route.cost - EPS) {
        this.#apply(r, from, w, r, to + 1);
        return true;
      }
    }
    return false;
  }

  /** Relocate s next to t, swap s and t, and the two tail exchanges that join s to t's route. */
  #inter(s: number, a: number, t: number, b: number, j: number): boolean {
    const md = this.#model;
    const m = md.m;
    const A = this.routes[a]!;
    const B = this.routes[b]!;
    const i = this.posOf[s]!;
    const base = A.cost + B.cost;
    const mid = this.#mid;
    if (md.lockedTo[s]! < 0 && md.canServe[s * m + b]) {
      const costA = this.#splice(a, i, mid, 0, a, i + 1);
      mid[0] = s;
      for (let side = 0; side < (j < 0 ? 1 : 2); side++) {
        const q = j < 0 ? 0 : j + 1 - side;
        const costB = this.#splice(b, q, mid, 1, b, q);
        if (costA + costB < base - EPS) {
          this.#apply(a, i, 0, a, i + 1);
          mid[0] = s;
          this.#apply(b, q, 1, b, q);
          return true;
        }
      }
      if (j >= 0 && md.lockedTo[t]! < 0 && md.canServe[t * m + a]) {
        mid[0] = t;
        const costA2 = this.#splice(a, i, mid, 1, a, i + 1);
        mid[0] = s;
        const costB2 = this.#splice(b, j, mid, 1, b, j + 1);
        if (costA2 + costB2 < base - EPS) {
          this.#apply(b, j, 1, b, j + 1);
          mid[0] = t;
          this.#apply(a, i, 1, a, i + 1);
          return true;
        }
      }
    }
    // 2-opt*: A keeps its head up to s and takes B's tail from t (or after t); B takes A's tail.
    for (let option = 0; option < (j < 0 ? 1 : 2); option++) {
      const cut = j < 0 ? 0 : j + option;
      if (!this.#movable(B.free, cut, a) || !this.#movable(A.free, i + 1, b)) continue;
      const costA = this.#splice(a, i + 1, mid, 0, b, cut);
      const costB = this.#splice(b, cut, mid, 0, a, i + 1);
      if (costA + costB < base - EPS) {
        const headA = A.free.slice(0, i + 1).concat(B.free.slice(cut));
        const headB = B.free.slice(0, cut).concat(A.free.slice(i + 1));
        this.#commit(a, Int32Array.from(headA), headA.length, costA);
        this.#commit(b, Int32Array.from(headB), headB.length, costB);
        return true;
      }
    }
    return false;
  }

  /** Commits route r := free[0..x) + mid[0..midLen) + route q's free[y..] (q = r here). */
  #apply(r: number, x: number, midLen: number, q: number, y: number): void {
    const R = this.routes[r]!.free;
    const Q = this.routes[q]!.free;
    const seq = this.#seqA;
    let w = 0;
    for (let k = 0; k < x; k++) seq[w++] = R[k]!;
    for (let k = 0; k < midLen; k++) seq[w++] = this.#mid[k]!;
    for (let k = y; k < Q.length; k++) seq[w++] = Q[k]!;
    this.#commit(r, seq, w, 0);
  }

  /** Whether free[from..] may all move to route r. */
  #movable(free: number[], from: number, r: number): boolean {
    const md = this.#model;
    for (let k = from; k < free.length; k++) {
      const s = free[k]!;
      if (md.lockedTo[s]! >= 0 || !md.canServe[s * md.m + r]) return false;
    }
    return true;
  }
}
