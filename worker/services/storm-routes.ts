import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import {
  ROUTE_DRIVER_STATUSES,
  ROUTE_OPEN_STATUSES,
  ROUTE_PLANNABLE_STATUSES,
  routePriority,
  serviceMinutes,
  type MoveStopBody,
} from '../../contract/routes';
import * as t from '../../db/schema';
import type { Db, Tx } from '../lib/db';
import { ApiError, conflict, notFound } from '../lib/errors';
import { planRoutes, replan, type Driver, type Plan, type Stop } from '../routing/planner';
import { transitionJob, type Actor, type TransitionResult } from './jobs';
import { etasOf, openStopsOf, type RouteEta } from './route-stops';
import { findStorm } from './storms';
import { tierById } from './pricing';

/**
 * Storm routes (docs/decisions/0070): the planner (worker/routing/) over a storm's open
 * jobs and the drivers on shift, saved as `route_stops`; each route's first stop is
 * assigned to its driver, the next one when they complete it (services/jobs.ts).
 */

/** A stop as the API shows it. */
export interface RouteStopView {
  job_id: string;
  position: number;
  eta: Date;
  locked: boolean;
  status: t.JobStatus;
  address: string;
  deadline_at: Date | null;
  /** The estimate falls after the contract's deadline. */
  at_risk: boolean;
}

export interface StormRoutes {
  routes: { driver_id: string; stops: RouteStopView[] }[];
  unassigned: { job_id: string; reason: string }[];
}

export interface PlanOutcome extends StormRoutes {
  /** Assignments made by the plan, to announce after the commit. */
  assigned: TransitionResult[];
  etas: RouteEta[];
}

/** The planner's world for one storm: stops, drivers, and the jobs behind the stops. */
interface World {
  stops: Stop[];
  drivers: Driver[];
  startTime: number;
}

/** Drivers on shift (all of them, or those named), each at their last position or the operator's base. */
async function shiftDrivers(q: Db | Tx, ids?: readonly string[]): Promise<Driver[]> {
  const where = [inArray(t.driver_profiles.status, [...ROUTE_DRIVER_STATUSES])];
  if (ids) where.push(inArray(t.driver_profiles.id, [...ids]));
  const rows = await q
    .select({ id: t.driver_profiles.id, at: t.driver_profiles.current_location })
    .from(t.driver_profiles)
    .where(and(...where))
    .orderBy(asc(t.driver_profiles.created_at), asc(t.driver_profiles.id));
  if (ids) {
    const found = new Set(rows.map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ApiError(422, 'driver_unavailable', 'Only drivers on shift (available or on a job) can take a route.', {
        driver_ids: missing,
      });
    }
  }
  const base = rows.some((r) => !r.at) ? await operatorBase(q) : null;
  return rows.map((r) => ({ id: r.id, ...(r.at ?? base!), equipment: [] }));
}

async function operatorBase(q: Db | Tx): Promise<{ lat: number; lng: number }> {
  const [area] = await q
    .select({ lat: t.service_area_config.center_lat, lng: t.service_area_config.center_lng })
    .from(t.service_area_config)
    .where(eq(t.service_area_config.is_active, true))
    .limit(1);
  if (!area) throw new ApiError(422, 'no_service_area', 'Set the operator’s home base before planning routes.');
  return area;
}

/**
 * The storm's plannable stops: pending and assigned jobs. A locked stop keeps its driver
 * (and place); an assigned job stays with the driver who already has it, or is left out
 * when that driver is not among `drivers`.
 */
async function stormStops(q: Db | Tx, stormId: string, drivers: readonly Driver[], override?: Stop): Promise<Stop[]> {
  const rows = await q
    .select({ job: t.jobs, stop: t.route_stops, tier_order: t.pricing_config.sort_order })
    .from(t.jobs)
    .leftJoin(t.route_stops, eq(t.route_stops.job_id, t.jobs.id))
    .leftJoin(t.pricing_config, eq(t.pricing_config.id, t.jobs.driveway_tier_id))
    .where(and(eq(t.jobs.storm_id, stormId), inArray(t.jobs.status, [...ROUTE_PLANNABLE_STATUSES])))
    .orderBy(asc(t.jobs.created_at), asc(t.jobs.id));
  const onShift = new Set(drivers.map((d) => d.id));
  const stops: Stop[] = [];
  for (const { job, stop, tier_order } of rows) {
    if (override?.id === job.id) {
      stops.push(override);
      continue;
    }
    const base: Stop = {
      id: job.id,
      lat: job.job_coordinates.lat,
      lng: job.job_coordinates.lng,
      serviceMinutes: serviceMinutes(job.service_type, tier_order),
      priority: routePriority(job.service_type),
      ...(job.deadline_at ? { deadline: job.deadline_at.getTime() } : {}),
    };
    if (job.status === 'assigned' && job.driver_id) {
      if (!onShift.has(job.driver_id)) continue;
      const pinned = stop?.locked && stop.driver_id === job.driver_id;
      stops.push({
        ...base,
        lock: { driverId: job.driver_id, ...(pinned ? { position: stop.position - 1 } : {}) },
      });
    } else if (stop?.locked) {
      stops.push({ ...base, lock: { driverId: stop.driver_id, position: stop.position - 1 } });
    } else stops.push(base);
  }
  return stops;
}

/** Plans the storm's open jobs over the drivers on shift (or `driverIds`), saves and starts the routes. */
export async function planStorm(db: Db, actor: Actor, stormId: string, driverIds?: readonly string[]) {
  const storm = await findStorm(db, stormId);
  if (storm.status !== 'active') throw conflict('storm_closed', `The storm "${storm.name}" is closed.`);
  const drivers = await shiftDrivers(db, driverIds);
  const world: World = { drivers, stops: await stormStops(db, stormId, drivers), startTime: Date.now() };
  const plan = planRoutes(world, { seed: 1 });
  return db.transaction((tx) => applyPlan(tx, actor, stormId, plan));
}

/**
 * Moves one stop to a driver (at a place, when given) and/or pins it, then re-plans the
 * storm around that change with `replan`: the other stops keep their drivers and order.
 */
export async function moveStop(db: Db, actor: Actor, jobId: string, body: MoveStopBody): Promise<PlanOutcome> {
  const [job] = await db.select().from(t.jobs).where(eq(t.jobs.id, jobId)).limit(1);
  if (!job?.storm_id) throw notFound('Route stop');
  if (!(ROUTE_PLANNABLE_STATUSES as readonly string[]).includes(job.status)) {
    throw conflict('stop_under_way', `Only a pending or assigned stop can move; this one is ${job.status}.`, {
      status: job.status,
    });
  }
  const stormId = job.storm_id;
  const routed = await db
    .selectDistinct({ id: t.route_stops.driver_id })
    .from(t.route_stops)
    .innerJoin(t.jobs, eq(t.jobs.id, t.route_stops.job_id))
    .where(and(eq(t.jobs.storm_id, stormId), inArray(t.jobs.status, [...ROUTE_OPEN_STATUSES])));
  await shiftDrivers(db, [body.driver_id]);
  // The old plan's drivers still on shift, and the new one.
  const keep = new Set([...routed.map((r) => r.id), body.driver_id]);
  const drivers = (await shiftDrivers(db)).filter((d) => keep.has(d.id));
  const previous = await previousPlan(db, stormId);
  const tier = await tierById(db, job.driveway_tier_id);
  const moved: Stop = {
    id: job.id,
    lat: job.job_coordinates.lat,
    lng: job.job_coordinates.lng,
    serviceMinutes: serviceMinutes(job.service_type, tier?.sort_order ?? null),
    priority: routePriority(job.service_type),
    ...(job.deadline_at ? { deadline: job.deadline_at.getTime() } : {}),
    lock: { driverId: body.driver_id, ...(body.position ? { position: body.position - 1 } : {}) },
  };
  return db.transaction(async (tx) => {
    const steps: TransitionResult[] = [];
    // Off the old driver's queue first, so the job can follow the plan to its new driver.
    if (job.status === 'assigned' && job.driver_id !== body.driver_id) {
      steps.push(await transitionJob(tx, actor, job.id, 'pending', { notes: 'moved to another route by dispatcher' }));
    }
    const world: World = { drivers, stops: await stormStops(tx, stormId, drivers, moved), startTime: Date.now() };
    const plan = replan(previous, { kind: 'update', stop: moved }, world);
    const outcome = await applyPlan(tx, actor, stormId, plan, {
      job_id: job.id,
      locked: body.locked ?? false,
    });
    return { ...outcome, assigned: [...steps, ...outcome.assigned] };
  });
}

/** The stored routes of a storm as a `Plan` the re-planner can start from (it reads drivers and order). */
async function previousPlan(db: Db, stormId: string): Promise<Plan> {
  const rows = await db
    .select({ job_id: t.route_stops.job_id, driver_id: t.route_stops.driver_id })
    .from(t.route_stops)
    .innerJoin(t.jobs, eq(t.jobs.id, t.route_stops.job_id))
    .where(and(eq(t.jobs.storm_id, stormId), inArray(t.jobs.status, [...ROUTE_PLANNABLE_STATUSES])))
    .orderBy(asc(t.route_stops.driver_id), asc(t.route_stops.position));
  const routes = new Map<string, Plan['routes'][number]>();
  for (const r of rows) {
    const route = routes.get(r.driver_id) ?? { driverId: r.driver_id, stops: [], distanceMeters: 0, finish: 0 };
    route.stops.push({ stopId: r.job_id, arrival: 0, departure: 0, late: false });
    routes.set(r.driver_id, route);
  }
  return {
    routes: [...routes.values()],
    unassigned: [],
    totalDistanceMeters: 0,
    deadlineMisses: 0,
    cost: 0,
    stats: { elapsedMs: 0, rounds: 0, moves: 0 },
  };
}

/**
 * Saves a plan (in the caller's transaction): unlocked rows of the storm's plannable jobs
 * are replaced, locked ones take their new ETA; `first_eta` is written once. Stops already
 * under way stay at the head of their driver's route. Each route's first stop, if pending,
 * is assigned to its driver.
 */
async function applyPlan(
  tx: Tx,
  actor: Actor,
  stormId: string,
  plan: Plan,
  pin?: { job_id: string; locked: boolean },
): Promise<PlanOutcome> {
  const plannable = await tx
    .select({ id: t.jobs.id, status: t.jobs.status })
    .from(t.jobs)
    .where(and(eq(t.jobs.storm_id, stormId), inArray(t.jobs.status, [...ROUTE_PLANNABLE_STATUSES])))
    .for('update');
  const ids = plannable.map((j) => j.id);
  if (ids.length > 0) {
    await tx.delete(t.route_stops).where(and(inArray(t.route_stops.job_id, ids), eq(t.route_stops.locked, false)));
  }
  const status = new Map(plannable.map((j) => [j.id, j.status]));
  const now = new Date();
  const assigned: TransitionResult[] = [];
  const etas: RouteEta[] = [];
  for (const route of plan.routes) {
    // Stops under way (en route … in progress) stay first; the plan follows them.
    const underWay = (await openStopsOf(tx, route.driverId)).filter(
      (s) => !(ROUTE_PLANNABLE_STATUSES as readonly string[]).includes(s.job.status),
    );
    const timed = route.stops.map((s, i) => ({
      job_id: s.stopId,
      position: underWay.length + i + 1,
      eta: new Date(Math.round(s.arrival)),
    }));
    for (const s of timed) {
      const locked = pin?.job_id === s.job_id ? pin.locked : undefined;
      await tx
        .insert(t.route_stops)
        .values({
          job_id: s.job_id,
          driver_id: route.driverId,
          position: s.position,
          planned_eta: s.eta,
          first_eta: s.eta,
          planned_at: now,
          ...(locked === undefined ? {} : { locked }),
        })
        .onConflictDoUpdate({
          target: t.route_stops.job_id,
          set: {
            driver_id: route.driverId,
            position: s.position,
            planned_eta: s.eta,
            planned_at: now,
            first_eta: sql`coalesce(${t.route_stops.first_eta}, excluded.first_eta)`,
            ...(locked === undefined ? {} : { locked }),
          },
        });
    }
    etas.push(...etasOf(route.driverId, timed, now));
    const head = timed[0];
    if (underWay.length === 0 && head && status.get(head.job_id) === 'pending') {
      assigned.push(
        await transitionJob(tx, actor, head.job_id, 'assigned', {
          driver_id: route.driverId,
          notes: 'first stop on the storm route',
        }),
      );
    }
  }
  const routes = await stormRoutes(tx, stormId);
  const unassigned = [
    ...plan.unassigned.map((u) => ({ job_id: u.stopId, reason: u.reason as string })),
    ...routes.unassigned.filter((u) => !plan.unassigned.some((p) => p.stopId === u.job_id)),
  ];
  return { routes: routes.routes, unassigned, assigned, etas };
}

/** The storm's open routes as stored, and its open jobs that are on no route. */
export async function stormRoutes(q: Db | Tx, stormId: string): Promise<StormRoutes> {
  const rows = await q
    .select({
      job_id: t.jobs.id,
      status: t.jobs.status,
      driver_id: t.route_stops.driver_id,
      position: t.route_stops.position,
      eta: t.route_stops.planned_eta,
      locked: t.route_stops.locked,
      address: t.jobs.job_address,
      deadline_at: t.jobs.deadline_at,
    })
    .from(t.jobs)
    .leftJoin(t.route_stops, eq(t.route_stops.job_id, t.jobs.id))
    .where(and(eq(t.jobs.storm_id, stormId), inArray(t.jobs.status, [...ROUTE_OPEN_STATUSES])))
    .orderBy(asc(t.route_stops.driver_id), asc(t.route_stops.position), asc(t.jobs.id));
  const routes = new Map<string, RouteStopView[]>();
  const unassigned: { job_id: string; reason: string }[] = [];
  for (const r of rows) {
    if (!r.driver_id || r.position === null || !r.eta) {
      unassigned.push({ job_id: r.job_id, reason: 'not_planned' });
      continue;
    }
    const list = routes.get(r.driver_id) ?? [];
    list.push({
      job_id: r.job_id,
      position: r.position,
      eta: r.eta,
      locked: r.locked ?? false,
      status: r.status,
      address: r.address,
      deadline_at: r.deadline_at,
      at_risk: !!r.deadline_at && r.eta > r.deadline_at,
    });
    routes.set(r.driver_id, list);
  }
  return { routes: [...routes].map(([driver_id, stops]) => ({ driver_id, stops })), unassigned };
}

/** The driver's own route: the job to do now (assigned or under way) and every open stop with its ETA. */
export async function driverRoute(db: Db, driverId: string) {
  const open = await openStopsOf(db, driverId);
  const head = open.find((s) => s.job.status !== 'pending' && s.job.driver_id === driverId) ?? null;
  return {
    next: head?.job ?? null,
    stops: open.map(({ job, stop }) => ({
      job_id: job.id,
      position: stop.position,
      eta: stop.planned_eta,
      address: job.job_address,
      lat: job.job_coordinates.lat,
      lng: job.job_coordinates.lng,
    })),
  };
}
