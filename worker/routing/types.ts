/**
 * Shapes of the storm route planner's input and output. Times are epoch milliseconds, as
 * the rest of the Worker passes them; distances are metres.
 */

/** A point on the map (WGS 84 degrees). */
export interface LatLng {
  lat: number;
  lng: number;
}

/** Where a stop must stay when the dispatcher has pinned it. */
export interface StopLock {
  /** The driver who keeps this stop whatever the planner finds. */
  driverId: string;
  /** 0-based place in that driver's route; without it the planner may reorder the stop within the route. */
  position?: number;
}

/** One driveway or lot to clear. */
export interface Stop extends LatLng {
  id: string;
  /** Minutes on site. */
  serviceMinutes: number;
  /** Epoch ms by which the stop should be cleared (service finished). */
  deadline?: number;
  /**
   * Larger is more urgent (for example commercial 1, residential 0). A missed deadline of a
   * higher-priority stop costs more, and higher-priority stops are pulled earlier in a route.
   */
  priority?: number;
  /** Equipment tags the driver must carry (e.g. `truck`, `salter`, `plow_9ft`, `walk_behind`). */
  requires?: readonly string[];
  lock?: StopLock;
}

/** A driver on shift, at their live GPS position. */
export interface Driver extends LatLng {
  id: string;
  /** Equipment tags carried; a stop is served only by a driver carrying all its `requires`. */
  equipment: readonly string[];
  /** Epoch ms from which the driver can start driving; the plan's start time if absent. */
  availableFrom?: number;
  /** Whether the route ends back at the start (a closed tour); routes are open paths by default. */
  returnToStart?: boolean;
}

/** Distance and driving time of one leg. */
export interface Leg {
  meters: number;
  minutes: number;
}

/**
 * The travel model: one function, so a road-network lookup can replace the default. It must
 * be symmetric (each pair is asked once). A model may also carry `fill`, which computes the
 * whole matrix at once; the default does, because 2,000 stops are two million pairs.
 */
export type TravelFn = ((from: LatLng, to: LatLng) => Leg) & { fill?: MatrixFill };

/** Fills `meters` and `minutes` (row-major, points.length squared) for every pair of points. */
export type MatrixFill = (points: readonly LatLng[], meters: Float32Array, minutes: Float32Array) => void;

export interface PlanInput {
  stops: readonly Stop[];
  drivers: readonly Driver[];
  /** Epoch ms the plan starts from (now, usually). */
  startTime: number;
  /** Defaults to `roadTravel()` (haversine × road factor at an average speed). */
  travel?: TravelFn;
}

/** How much each part of the objective weighs, in metre-equivalents. */
export interface Weights {
  /** Per missed deadline, times (1 + priority): dominates any distance. */
  miss: number;
  /** Per minute late, times (1 + priority). */
  lateMinute: number;
  /** Per minute of arrival time, times priority: serves urgent stops earlier. */
  priorityMinute: number;
  /** Times the square of each route's finish (minutes after start): spreads the work. */
  balance: number;
}

export interface PlanOptions {
  /** Seed of the planner's random choices; the same input, options and seed give the same plan. */
  seed?: number;
  /** Ruin-and-recreate rounds after the first local search (default grows with the instance). */
  rounds?: number;
  /**
   * A safety cap on wall time. The result is deterministic as long as the rounds finish
   * within it; when it cuts in, the best plan so far is returned.
   */
  timeBudgetMs?: number;
  weights?: Partial<Weights>;
}

/** A stop in a planned route, with its ETA. */
export interface PlannedStop {
  stopId: string;
  /** Epoch ms of arrival (ETA). */
  arrival: number;
  /** Epoch ms when the stop is cleared. */
  departure: number;
  /** Whether it is cleared after its deadline. */
  late: boolean;
}

export interface Route {
  driverId: string;
  stops: PlannedStop[];
  distanceMeters: number;
  /** Epoch ms when the last stop is cleared (or the driver is back, for closed tours). */
  finish: number;
}

export type UnassignedReason = 'no_equipped_driver' | 'locked_driver_unknown' | 'locked_driver_lacks_equipment';

export interface UnassignedStop {
  stopId: string;
  reason: UnassignedReason;
}

export interface Plan {
  /** One route per driver, in the input's driver order (possibly empty). */
  routes: Route[];
  unassigned: UnassignedStop[];
  totalDistanceMeters: number;
  /** Number of stops cleared after their deadline. */
  deadlineMisses: number;
  /** The objective value (lower is better); comparable only between plans of the same input and weights. */
  cost: number;
  stats: { elapsedMs: number; rounds: number; moves: number };
}

/** One change to re-plan around. */
export type PlanChange =
  | { kind: 'add'; stop: Stop }
  | { kind: 'remove'; stopId: string }
  /** The stop changed (moved, new deadline, new lock…): it is taken out and put back in its best place. */
  | { kind: 'update'; stop: Stop };
