import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { ROUTE_OPEN_STATUSES, serviceMinutes } from '../../contract/routes';
import type { RouteEtaPayload } from '../../contract/ws';
import * as t from '../../db/schema';
import type { Queryable, Tx } from '../lib/db';
import { roadTravel } from '../routing/planner';

/**
 * Route rows of the storm plan (docs/decisions/0070): what a driver still has to do, in
 * order, and what happens to the route when one of its stops is completed. Kept apart from
 * the planning service so `transitionJob` can call it without an import cycle.
 */

/** One `route_eta` message and the driver whose route it is on (their channel hears it too). */
export interface RouteEta {
  driver_id: string;
  payload: RouteEtaPayload;
}

/** An open stop on a driver's route, with what re-timing needs. */
export interface OpenStop {
  job: t.Job;
  stop: t.RouteStop;
  tier_order: number | null;
}

/** The driver's open stops (not finished, not cancelled), in route order. */
export async function openStopsOf(q: Queryable, driverId: string): Promise<OpenStop[]> {
  return (await openStopsByDriver(q, [driverId])).get(driverId) ?? [];
}

/** `openStopsOf` for several drivers in one read: each driver's open stops, in route order. */
export async function openStopsByDriver(q: Queryable, driverIds: readonly string[]): Promise<Map<string, OpenStop[]>> {
  const byDriver = new Map(driverIds.map((id): [string, OpenStop[]] => [id, []]));
  if (driverIds.length === 0) return byDriver;
  const rows = await q
    .select({ job: t.jobs, stop: t.route_stops, tier_order: t.pricing_config.sort_order })
    .from(t.route_stops)
    .innerJoin(t.jobs, eq(t.jobs.id, t.route_stops.job_id))
    .leftJoin(t.pricing_config, eq(t.pricing_config.id, t.jobs.driveway_tier_id))
    .where(and(inArray(t.route_stops.driver_id, [...driverIds]), inArray(t.jobs.status, [...ROUTE_OPEN_STATUSES])))
    .orderBy(asc(t.route_stops.position), asc(t.route_stops.planned_eta));
  for (const row of rows) byDriver.get(row.stop.driver_id)?.push(row);
  return byDriver;
}

/** The `route_eta` messages of a route as stored, `at` the time they are sent. */
export function etasOf(driverId: string, stops: readonly { job_id: string; position: number; eta: Date }[], at: Date) {
  return stops.map(
    (s): RouteEta => ({
      driver_id: driverId,
      payload: {
        job_id: s.job_id,
        position: s.position,
        stops_before: s.position - 1,
        eta: s.eta.toISOString(),
        ts: at.toISOString(),
      },
    }),
  );
}

export interface RouteAdvance {
  /** The stop now at the head of the route, when it still waits for its driver (to assign). */
  next: { job_id: string; driver_id: string } | null;
  etas: RouteEta[];
}

/**
 * In the completing transaction: records the stop's ETA error (completed_at − first_eta),
 * then re-times the rest of the driver's route from this place and time, renumbered from 1.
 * Null when the job was on no route.
 */
export async function advanceRoute(tx: Tx, job: t.Job): Promise<RouteAdvance | null> {
  const [done] = await tx.select().from(t.route_stops).where(eq(t.route_stops.job_id, job.id)).limit(1);
  if (!done) return null;
  const completedAt = job.completed_at ?? new Date();
  if (done.first_eta) {
    const error = Math.round((completedAt.getTime() - done.first_eta.getTime()) / 1000);
    await tx.update(t.route_stops).set({ eta_error_seconds: error }).where(eq(t.route_stops.job_id, job.id));
  }
  const rest = await openStopsOf(tx, done.driver_id);
  const travel = roadTravel();
  const now = new Date();
  let at = job.job_coordinates;
  let clock = Math.max(now.getTime(), completedAt.getTime());
  const timed: { job_id: string; position: number; eta: Date }[] = [];
  for (const [i, { job: next, stop, tier_order }] of rest.entries()) {
    const arrival = clock + travel(at, next.job_coordinates).minutes * 60_000;
    const eta = new Date(Math.round(arrival));
    await tx
      .update(t.route_stops)
      .set({ position: i + 1, planned_eta: eta, first_eta: stop.first_eta ?? eta })
      .where(eq(t.route_stops.job_id, next.id));
    timed.push({ job_id: next.id, position: i + 1, eta });
    clock = arrival + serviceMinutes(next.service_type, tier_order) * 60_000;
    at = next.job_coordinates;
  }
  const head = rest[0];
  const next = head && head.job.status === 'pending' ? { job_id: head.job.id, driver_id: done.driver_id } : null;
  return { next, etas: etasOf(done.driver_id, timed, now) };
}

/**
 * Where one job stands on its driver's route as stored (what its customer sees on load;
 * `route_eta` messages keep it current). Null when the job is on no open route.
 */
export async function routeEtaOf(q: Queryable, jobId: string): Promise<RouteEtaPayload | null> {
  const [row] = await q
    .select({ stop: t.route_stops })
    .from(t.route_stops)
    .innerJoin(t.jobs, eq(t.jobs.id, t.route_stops.job_id))
    .where(and(eq(t.route_stops.job_id, jobId), inArray(t.jobs.status, [...ROUTE_OPEN_STATUSES])))
    .limit(1);
  if (!row) return null;
  return etasOf(
    row.stop.driver_id,
    [{ job_id: jobId, position: row.stop.position, eta: row.stop.planned_eta }],
    new Date(),
  )[0]!.payload;
}

/** Absolute ETA errors of a storm's completed route stops, in minutes: count, median and 90th percentile. */
export async function etaAccuracy(q: Queryable, stormId: string) {
  const rows = await q
    .select({ error: t.route_stops.eta_error_seconds })
    .from(t.route_stops)
    .innerJoin(t.jobs, eq(t.jobs.id, t.route_stops.job_id))
    .where(and(eq(t.jobs.storm_id, stormId), sql`${t.route_stops.eta_error_seconds} IS NOT NULL`));
  const minutes = rows.map((r) => Math.abs(r.error!) / 60).sort((a, b) => a - b);
  return {
    count: minutes.length,
    median_minutes: percentile(minutes, 0.5),
    p90_minutes: percentile(minutes, 0.9),
  };
}

/** Linear interpolation between closest ranks; null for no data; one decimal. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const value = sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
  return Math.round(value * 10) / 10;
}
