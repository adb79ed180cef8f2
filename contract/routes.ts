import { z } from 'zod';
import { uuid } from './api';
import type { JobStatus } from './enums';

/**
 * Storm routes (docs/decisions/0070-storm-routes-and-etas.md): the vocabulary and request
 * schemas of planned driver routes, shared by the Worker, the database schema and the apps.
 */

/** Jobs a plan may still order: nobody has set out for them yet. */
export const ROUTE_PLANNABLE_STATUSES = ['pending', 'assigned'] as const satisfies readonly JobStatus[];

/** Jobs still on a driver's route: planned or under way, not finished. */
export const ROUTE_OPEN_STATUSES = [
  'pending',
  'assigned',
  'en_route',
  'arrived',
  'in_progress',
] as const satisfies readonly JobStatus[];

/** Driver statuses that count as on shift for planning (break and offline drivers get no route). */
export const ROUTE_DRIVER_STATUSES = ['available', 'en_route', 'on_job'] as const;

/**
 * Minutes on site by service type and driveway tier (`pricing_config.sort_order`, 1-car …
 * 6-car): residential 10–25 min, commercial lots 30–45 min. A job without a tier (most
 * contract properties) takes the middle of its range.
 */
export const SERVICE_MINUTES = {
  residential: { byTier: [10, 13, 16, 19, 22, 25], unknown: 15 },
  commercial: { byTier: [30, 33, 36, 39, 42, 45], unknown: 35 },
} as const;

/** Minutes on site for one job; `tierOrder` is the tier's 1-based sort order, or null. */
export function serviceMinutes(serviceType: 'residential' | 'commercial', tierOrder: number | null): number {
  const table = SERVICE_MINUTES[serviceType];
  if (tierOrder === null || tierOrder < 1) return table.unknown;
  return table.byTier[Math.min(tierOrder, table.byTier.length) - 1]!;
}

/** Commercial lots are pulled earlier in a route than driveways (planner priority). */
export const routePriority = (serviceType: 'residential' | 'commercial'): number =>
  serviceType === 'commercial' ? 1 : 0;

/** Plan a storm's open jobs; `driver_ids` limits the crew (default: every driver on shift). */
export const PlanStormBody = z.object({
  driver_ids: z.array(uuid).min(1).max(50).optional(),
});

/** Move a stop to a driver (optionally to a 1-based place in their route) and/or pin it there. */
export const MoveStopBody = z.object({
  driver_id: uuid,
  position: z.number().int().min(1).max(2000).optional(),
  locked: z.boolean().optional(),
});

export type PlanStormBody = z.infer<typeof PlanStormBody>;
export type MoveStopBody = z.infer<typeof MoveStopBody>;

/**
 * Storm-mode intake (docs/decisions/0072): while a storm has planned routes, an on-demand
 * request is taken only when a crew driver can be there within this many minutes of the
 * requested time (now, or `scheduled_for`); otherwise the customer is told the earliest time.
 * The operator sets it (`operator_settings.storm_intake_promise_minutes`); this is its
 * default, within the bounds below.
 */
export const STORM_INTAKE_PROMISE_MINUTES = 120;
export const STORM_INTAKE_PROMISE_MIN = 15;
export const STORM_INTAKE_PROMISE_MAX = 1440;

/** The refusal's details: the earliest honest arrival, to ask for instead (ISO-8601 UTC). */
export interface CrewBookedDetails {
  earliest_at: string;
  promise_minutes: number;
}
