import { distanceMeters, type LatLng } from './geo';

/**
 * How many minutes until the plow reaches the driveway: the storm route's estimate when the
 * job is on one (the planner knows the stops before it), else the distance left at the speed
 * the plow has kept over its recent fixes. One estimate for the customer's "Who is coming"
 * card and the driver's own job map, so the two never disagree.
 *
 *   arrivalMinutes({ now, home, fixes })                    // distance and recent speed
 *   arrivalMinutes({ now, home, fixes, routeEta: p.eta })   // the route's estimate wins
 */

/** Roads wind: straight-line metres times this is the usual driving distance in town. */
export const ROAD_FACTOR = 1.3;
/** Speed assumed when the recent fixes tell nothing (parked, one fix, spread too thin): 25 mph. */
export const TYPICAL_SPEED_MPS = 11.2;
/** Below this the plow is not really driving (waiting at a light, finishing a stop). */
export const MOVING_SPEED_MPS = 2;
/** Fixes older than this say nothing about the speed now. */
export const SPEED_WINDOW_MS = 3 * 60_000;
/** Closer than this the plow is at the end of the driveway. */
export const ARRIVING_METERS = 60;

export interface TimedFix extends LatLng {
  /** Device time of the fix (ISO-8601). */
  ts: string;
}

export interface ArrivalInput {
  now: number;
  home: LatLng;
  /** Recent fixes, oldest first; the last is where the plow is. */
  fixes: readonly TimedFix[];
  /** The storm route's estimated arrival (ISO-8601), when the job is on a route. */
  routeEta?: string | null;
}

export interface Arrival {
  /** Whole minutes, at least 1 unless arriving (0). */
  minutes: number;
  source: 'route' | 'speed' | 'typical';
  /** Straight-line metres left, when a fix is known. */
  meters: number | null;
}

/** Metres per second over the fixes of the last SPEED_WINDOW_MS, along the path driven; null when unknown. */
export function recentSpeed(fixes: readonly TimedFix[]): number | null {
  const last = fixes.at(-1);
  if (!last) return null;
  const end = Date.parse(last.ts);
  const recent = fixes.filter((f) => end - Date.parse(f.ts) <= SPEED_WINDOW_MS);
  if (recent.length < 2) return null;
  let meters = 0;
  for (let i = 1; i < recent.length; i++) meters += distanceMeters(recent[i - 1]!, recent[i]!);
  const seconds = (end - Date.parse(recent[0]!.ts)) / 1000;
  if (!(seconds > 0)) return null;
  return meters / seconds;
}

export function arrivalMinutes({ now, home, fixes, routeEta }: ArrivalInput): Arrival | null {
  const last = fixes.at(-1);
  const meters = last ? distanceMeters(home, last) : null;
  if (routeEta) {
    const at = Date.parse(routeEta);
    if (Number.isFinite(at)) return { minutes: Math.max(1, Math.ceil((at - now) / 60_000)), source: 'route', meters };
  }
  if (meters === null) return null;
  if (meters <= ARRIVING_METERS) return { minutes: 0, source: 'speed', meters };
  const speed = recentSpeed(fixes);
  const moving = speed !== null && speed >= MOVING_SPEED_MPS;
  const mps = moving ? speed : TYPICAL_SPEED_MPS;
  const minutes = Math.max(1, Math.ceil((meters * ROAD_FACTOR) / mps / 60));
  return { minutes, source: moving ? 'speed' : 'typical', meters };
}
