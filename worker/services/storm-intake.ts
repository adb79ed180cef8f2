import { and, asc, eq, inArray, isNull, notExists, sql } from 'drizzle-orm';
import {
  type CrewBookedDetails,
  ROUTE_DRIVER_STATUSES,
  ROUTE_OPEN_STATUSES,
  serviceMinutes,
} from '../../contract/routes';
import * as t from '../../db/schema';
import type { Queryable } from '../lib/db';
import { ApiError } from '../lib/errors';
import { haversineMeters, type LatLng, roadTravel } from '../routing/planner';
import { openStopsByDriver } from './route-stops';

/**
 * Storm-mode intake (docs/decisions/0072): while the open storm has planned routes, an
 * on-demand request is weighed against the storm crew's remaining work. Each crew driver's
 * day is walked from where they are now through their route's open stops, in plan order,
 * then their own on-demand jobs; the request could be reached at the end of that. The
 * earliest such arrival among the crew drivers whose service radius covers the place is
 * the honest answer.
 */

/** One crew driver's remaining work, as the travel model sees it. */
export interface CrewDay {
  driver_id: string;
  /** Where the driver is now (or the operator's base when unknown). */
  from: LatLng;
  radius_km: number;
  /** Open work in the order it will be done. */
  work: { at: LatLng; minutes: number; not_before?: number }[];
}

const travel = roadTravel();

/**
 * When each driver could reach `target` after their remaining work, from `now`; the earliest
 * among the drivers whose radius covers it, or null when none does. Pure, for the tests.
 */
export function earliestArrival(crew: readonly CrewDay[], target: LatLng, now: number): number | null {
  let best: number | null = null;
  for (const day of crew) {
    if (haversineMeters(day.from, target) > day.radius_km * 1000) continue;
    let clock = now;
    let at = day.from;
    for (const job of day.work) {
      clock = Math.max(clock + travel(at, job.at).minutes * 60_000, job.not_before ?? 0);
      clock += job.minutes * 60_000;
      at = job.at;
    }
    const arrival = clock + travel(at, target).minutes * 60_000;
    if (best === null || arrival < best) best = arrival;
  }
  return best;
}

/** A time a person can ask for: rounded up to the next quarter hour. */
export const roundUpToQuarter = (ms: number): number => Math.ceil(ms / 900_000) * 900_000;

/** The open storm's crew (drivers on shift with an open stop on its routes) and their remaining work. */
export async function stormCrew(q: Queryable): Promise<CrewDay[]> {
  const crew = await q
    .selectDistinct({
      id: t.driver_profiles.id,
      at: t.driver_profiles.current_location,
      radius_km: t.driver_profiles.service_radius_km,
    })
    .from(t.route_stops)
    .innerJoin(t.jobs, eq(t.jobs.id, t.route_stops.job_id))
    .innerJoin(t.storms, eq(t.storms.id, t.jobs.storm_id))
    .innerJoin(t.driver_profiles, eq(t.driver_profiles.id, t.route_stops.driver_id))
    .where(
      and(
        eq(t.storms.status, 'active'),
        inArray(t.jobs.status, [...ROUTE_OPEN_STATUSES]),
        inArray(t.driver_profiles.status, [...ROUTE_DRIVER_STATUSES]),
      ),
    );
  if (crew.length === 0) return [];
  const base = crew.some((d) => !d.at) ? await operatorBase(q) : null;
  // Every crew driver's work in two reads, however large the crew.
  const ids = crew.map((d) => d.id);
  const routes = await openStopsByDriver(q, ids);
  const onDemandRows = await q
    .select({ job: t.jobs, tier_order: t.pricing_config.sort_order })
    .from(t.jobs)
    .leftJoin(t.pricing_config, eq(t.pricing_config.id, t.jobs.driveway_tier_id))
    .where(
      and(
        inArray(t.jobs.driver_id, ids),
        isNull(t.jobs.storm_id),
        inArray(t.jobs.status, [...ROUTE_OPEN_STATUSES]),
        notExists(q.select({ one: sql`1` }).from(t.route_stops).where(eq(t.route_stops.job_id, t.jobs.id))),
      ),
    )
    .orderBy(asc(sql`coalesce(${t.jobs.scheduled_for}, ${t.jobs.requested_at})`));
  const days: CrewDay[] = [];
  for (const d of crew) {
    const route = routes.get(d.id) ?? [];
    const onDemand = onDemandRows.filter(({ job }) => job.driver_id === d.id);
    days.push({
      driver_id: d.id,
      from: d.at ?? base!,
      radius_km: d.radius_km,
      work: [
        ...route.map(({ job, tier_order }) => ({
          at: job.job_coordinates,
          minutes: serviceMinutes(job.service_type, tier_order),
        })),
        ...onDemand.map(({ job, tier_order }) => ({
          at: job.job_coordinates,
          minutes: serviceMinutes(job.service_type, tier_order),
          ...(job.scheduled_for ? { not_before: job.scheduled_for.getTime() } : {}),
        })),
      ],
    });
  }
  return days;
}

async function operatorBase(q: Queryable): Promise<LatLng> {
  const [area] = await q
    .select({ lat: t.service_area_config.center_lat, lng: t.service_area_config.center_lng })
    .from(t.service_area_config)
    .where(eq(t.service_area_config.is_active, true))
    .limit(1);
  return area ?? { lat: 0, lng: 0 };
}

/** What the intake check needs of the operator's settings (operator_settings). */
export interface IntakeSettings {
  timezone: string;
  /** The operator's promise: the crew must be there within this many minutes of the requested time. */
  storm_intake_promise_minutes: number;
}

/**
 * Refuses an on-demand request the storm crew cannot reach within the operator's promise of
 * the requested time (`scheduledFor`, or now), with the earliest time it could: 422
 * `crew_booked`, `details.earliest_at`. Asking again for that time (or later) is accepted.
 * No storm crew, or none covering the place: nothing to weigh, the request goes on.
 */
export async function checkStormCapacity(
  q: Queryable,
  target: LatLng,
  scheduledFor: Date | null,
  settings: IntakeSettings,
  now = Date.now(),
): Promise<void> {
  const crew = await stormCrew(q);
  const earliest = earliestArrival(crew, target, now);
  if (earliest === null) return;
  const requested = Math.max(scheduledFor?.getTime() ?? now, now);
  const promise = settings.storm_intake_promise_minutes;
  if (earliest <= requested + promise * 60_000) return;
  const at = new Date(roundUpToQuarter(earliest));
  const details: CrewBookedDetails = { earliest_at: at.toISOString(), promise_minutes: promise };
  throw new ApiError(
    422,
    'crew_booked',
    `Our plows are booked with storm work: the earliest we can be there is ${localTime(at, settings.timezone, now)}. Ask for that time or later.`,
    details,
  );
}

/** "2:30 PM", or "Sat 2:30 PM" when it is not today, on the operator's clock. */
function localTime(at: Date, timezone: string, now: number): string {
  const day = (d: Date) => d.toLocaleDateString('en-US', { timeZone: timezone });
  const sameDay = day(at) === day(new Date(now));
  return at.toLocaleString('en-US', {
    timeZone: timezone,
    hour: 'numeric',
    minute: '2-digit',
    ...(sameDay ? {} : { weekday: 'short' }),
  });
}
