/**
 * Time on site from a GPS track: when the truck came inside a circle around the property
 * and when it left, without trusting the driver's own status taps. Pure functions, used by
 * the Worker (job API, evidence pack) and testable on their own.
 */

export interface TrackFix {
  lat: number;
  lng: number;
  /** Device time of the fix, ISO-8601. */
  recorded_at: string;
}

export interface Visit {
  arrived_at: string;
  departed_at: string | null;
  seconds: number;
}

export interface GeofenceResult {
  radius_m: number;
  /** First entry into the circle, or null when the track never came inside. */
  arrived_at: string | null;
  /** Leaving the circle after the last visit; null while the truck is still inside. */
  departed_at: string | null;
  /** The sum of the visits, in whole seconds. */
  seconds_on_site: number;
  visits: Visit[];
}

/** A geofence a driveway of tier `sortOrder` (1-car … 6-car) fits in, with room for GPS error. */
export const GEOFENCE_BASE_M = 40;
export const GEOFENCE_STEP_M = 10;
export function geofenceRadiusMeters(tierSortOrder: number | null | undefined): number {
  const step = Math.min(Math.max((tierSortOrder ?? 1) - 1, 0), 10);
  return GEOFENCE_BASE_M + GEOFENCE_STEP_M * step;
}

/**
 * Stepping outside for less than this (GPS drift, backing into the road to turn) does not
 * end a visit.
 */
export const GEOFENCE_GRACE_SECONDS = 90;

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (d: number) => (d * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

const ms = (iso: string) => new Date(iso).getTime();
const iso = (t: number) => new Date(t).toISOString();

/**
 * Arrival and departure from a track (in any order; sorted by device time here). A visit
 * starts at the first fix inside the circle and ends at the first fix outside that is not
 * followed by a return within `GEOFENCE_GRACE_SECONDS`; a visit with no fix outside after
 * it is still under way (no departure, counted up to its last fix).
 *
 * @example
 * detectTimeOnSite(track, { lat: 43.2, lng: -71.53 }, geofenceRadiusMeters(2))
 * // → { arrived_at: '…T06:02:10Z', departed_at: '…T06:19:40Z', seconds_on_site: 1050, … }
 */
export function detectTimeOnSite(
  track: readonly TrackFix[],
  site: { lat: number; lng: number },
  radiusM: number,
): GeofenceResult {
  const fixes = [...track].sort((a, b) => ms(a.recorded_at) - ms(b.recorded_at));
  const visits: { start: number; lastInside: number; end: number | null }[] = [];
  for (const fix of fixes) {
    const at = ms(fix.recorded_at);
    const inside = distanceMeters(fix, site) <= radiusM;
    const open = visits.at(-1);
    if (inside) {
      if (open && (open.end === null || at - open.end <= GEOFENCE_GRACE_SECONDS * 1000)) {
        open.end = null;
        open.lastInside = at;
      } else visits.push({ start: at, lastInside: at, end: null });
    } else if (open && open.end === null) open.end = at;
  }
  const out: Visit[] = visits.map((v) => {
    const until = v.end ?? v.lastInside;
    return {
      arrived_at: iso(v.start),
      departed_at: v.end === null ? null : iso(v.end),
      seconds: Math.round((until - v.start) / 1000),
    };
  });
  return {
    radius_m: radiusM,
    arrived_at: out[0]?.arrived_at ?? null,
    departed_at: out.length ? (out.at(-1)!.departed_at ?? null) : null,
    seconds_on_site: out.reduce((sum, v) => sum + v.seconds, 0),
    visits: out,
  };
}

/** Seconds by which the driver's tap came after (positive) or before (negative) the GPS. */
export function tapDifferenceSeconds(tap: string | null, gps: string | null): number | null {
  if (!tap || !gps) return null;
  return Math.round((ms(tap) - ms(gps)) / 1000);
}
