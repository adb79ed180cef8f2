import { asc, eq } from 'drizzle-orm';
import {
  detectTimeOnSite,
  geofenceRadiusMeters,
  tapDifferenceSeconds,
  type GeofenceResult,
  type TrackFix,
} from '../../contract/time-on-site';
import * as t from '../../db/schema';
import type { Queryable } from '../lib/db';
import type { JobRow } from './jobs';
import { tierById } from './pricing';

export interface TrackPoint extends TrackFix {
  accuracy_m: number | null;
  /** Server time the fix arrived. */
  received_at: string;
}

export interface TimeOnSite extends GeofenceResult {
  fixes: number;
  /** The driver's own taps: the last "arrived" and the "completed", device time when known. */
  taps: { arrived_at: string | null; completed_at: string | null };
  /** Tap minus GPS, in seconds: positive when the tap came later than the truck. */
  tap_difference_seconds: { arrival: number | null; departure: number | null };
}

/** The job's GPS log, oldest fix first. */
export async function jobTrack(q: Queryable, jobId: string): Promise<TrackPoint[]> {
  const rows = await q
    .select({
      coordinates: t.driver_location_log.coordinates,
      accuracy_m: t.driver_location_log.accuracy_m,
      recorded_at: t.driver_location_log.recorded_at,
      received_at: t.driver_location_log.received_at,
    })
    .from(t.driver_location_log)
    .where(eq(t.driver_location_log.job_id, jobId))
    .orderBy(asc(t.driver_location_log.recorded_at), asc(t.driver_location_log.id));
  return rows.map((r) => ({
    lat: r.coordinates.lat,
    lng: r.coordinates.lng,
    accuracy_m: r.accuracy_m,
    recorded_at: r.recorded_at.toISOString(),
    received_at: r.received_at.toISOString(),
  }));
}

/** The geofence radius for the job's driveway tier. */
export async function jobGeofenceRadius(q: Queryable, job: Pick<JobRow, 'driveway_tier_id'>): Promise<number> {
  if (job.driveway_tier_id === null) return geofenceRadiusMeters(null);
  return geofenceRadiusMeters((await tierById(q, job.driveway_tier_id))?.sort_order);
}

/**
 * Arrival, departure and time on site from the GPS log (a geofence around the job's point,
 * sized by tier), beside the driver's own taps. `track` may be passed when already loaded.
 */
export async function timeOnSite(q: Queryable, job: JobRow, track?: TrackPoint[]): Promise<TimeOnSite> {
  const fixes = track ?? (await jobTrack(q, job.id));
  const radius = await jobGeofenceRadius(q, job);
  const result = detectTimeOnSite(fixes, job.job_coordinates, radius);
  const events = await q
    .select({
      new_status: t.job_status_events.new_status,
      recorded_at: t.job_status_events.recorded_at,
      created_at: t.job_status_events.created_at,
    })
    .from(t.job_status_events)
    .where(eq(t.job_status_events.job_id, job.id))
    .orderBy(asc(t.job_status_events.created_at));
  const tapOf = (status: string) => {
    const e = events.filter((ev) => ev.new_status === status).at(-1);
    return e ? (e.recorded_at ?? e.created_at).toISOString() : null;
  };
  const taps = { arrived_at: tapOf('arrived'), completed_at: tapOf('completed') };
  return {
    ...result,
    fixes: fixes.length,
    taps,
    tap_difference_seconds: {
      arrival: tapDifferenceSeconds(taps.arrived_at, result.arrived_at),
      departure: tapDifferenceSeconds(taps.completed_at, result.departed_at),
    },
  };
}
