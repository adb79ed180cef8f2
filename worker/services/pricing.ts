import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import { METERS_PER_MILE, pointSql } from '../../db/geo';
import type { Db, Queryable as AnyQueryable } from '../lib/db';
import { ensureSettings, type SettingsRow } from './operator-setup';
import { ApiError } from '../lib/errors';

type Queryable = Pick<Db, 'select' | 'execute'>;

export async function activeTiers(db: Queryable) {
  const { id, tier_label, price_cents, sort_order } = getTableColumns(t.pricing_config);
  return db
    .select({ id, tier_label, price_cents, sort_order })
    .from(t.pricing_config)
    .where(eq(t.pricing_config.is_active, true))
    .orderBy(asc(t.pricing_config.sort_order), asc(t.pricing_config.id));
}

/**
 * A driveway tier by id, offered today or not (a job keeps the tier it was priced on);
 * undefined for a job without one.
 */
export async function tierById(q: Queryable, id: number | null) {
  if (id === null) return undefined;
  const [tier] = await q.select().from(t.pricing_config).where(eq(t.pricing_config.id, id)).limit(1);
  return tier;
}

export async function activeTier(db: Queryable, tierId: number) {
  const [tier] = await db
    .select()
    .from(t.pricing_config)
    .where(and(eq(t.pricing_config.id, tierId), eq(t.pricing_config.is_active, true)))
    .limit(1);
  if (!tier) throw unknownTier();
  return tier;
}

const unknownTier = () =>
  new ApiError(422, 'unknown_tier', 'That driveway tier is not offered; pick one from /api/v1/pricing/tiers.');

export interface AreaCheck {
  in_service_area: boolean;
  distance_miles: number;
  radius_miles: number;
}

/**
 * Distance from the operator's home base and whether the point is inside the radius,
 * decided by PostGIS (`ST_DWithin` on geography, so on the spheroid, index-assisted).
 */
export async function checkServiceArea(db: Queryable, lat: number, lng: number): Promise<AreaCheck> {
  const a = t.service_area_config;
  const [row] = await db.select(areaFields(lat, lng)).from(a).where(eq(a.is_active, true)).limit(1);
  return areaCheck(row);
}

/** The service area's verdict on a point, as columns of a query that reads the active area. */
function areaFields(lat: number, lng: number) {
  const a = t.service_area_config;
  const point = pointSql(lat, lng);
  return {
    distance_m: sql<number | null>`ST_Distance(${a.center}, ${point})`.mapWith(Number),
    radius_miles: a.radius_miles,
    inside: sql<boolean | null>`ST_DWithin(${a.center}, ${point}, ${a.radius_miles} * ${METERS_PER_MILE})`,
  };
}

function areaCheck(
  row: { distance_m: number | null; radius_miles: number | null; inside: boolean | null } | undefined,
) {
  if (!row || row.radius_miles === null)
    throw new ApiError(422, 'service_area_not_configured', 'The operator has not set a service area yet.');
  return {
    in_service_area: row.inside === true,
    distance_miles: Math.round((Number(row.distance_m) / METERS_PER_MILE) * 100) / 100,
    radius_miles: Number(row.radius_miles),
  };
}

/** What the operator offers a request at one point now (`intakeTerms`). */
export interface IntakeTerms {
  settings: SettingsRow;
  tier: typeof t.pricing_config.$inferSelect;
  area: AreaCheck;
  /** A storm is open: on-demand requests must fit its crew's day (`checkStormCapacity`). */
  storm_open: boolean;
}

/**
 * The operator's terms for a request, in one read: their settings, the driveway tier if it is
 * offered (else 422 `unknown_tier`), the service area's verdict on the point, and whether a
 * storm is open. The same answers as `ensureSettings`, `activeTier` and `checkServiceArea`.
 */
export async function intakeTerms(q: AnyQueryable, tierId: number, lat: number, lng: number): Promise<IntakeTerms> {
  const [row] = await q
    .select({
      settings: t.operator_settings,
      tier: t.pricing_config,
      ...areaFields(lat, lng),
      storm_open: sql<boolean>`exists (select 1 from ${t.storms} where ${t.storms.status} = 'active')`,
    })
    .from(t.operator_settings)
    .leftJoin(t.pricing_config, and(eq(t.pricing_config.id, tierId), eq(t.pricing_config.is_active, true)))
    .leftJoin(t.service_area_config, eq(t.service_area_config.is_active, true))
    .limit(1);
  if (!row) {
    await ensureSettings(q); // a new operator's settings row is made on first use
    return intakeTerms(q, tierId, lat, lng);
  }
  if (!row.tier) throw unknownTier();
  return { settings: row.settings, tier: row.tier, area: areaCheck(row), storm_open: row.storm_open };
}

export function outsideArea(area: AreaCheck): ApiError {
  return new ApiError(
    422,
    'outside_service_area',
    `That address is ${area.distance_miles} miles from our base; we plow within ${area.radius_miles} miles.`,
    { distance_miles: area.distance_miles, radius_miles: area.radius_miles },
  );
}
