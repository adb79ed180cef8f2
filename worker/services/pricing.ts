import { and, asc, eq, getTableColumns, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import { METERS_PER_MILE, pointSql } from '../../db/geo';
import type { Db } from '../lib/db';
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
  if (!tier)
    throw new ApiError(422, 'unknown_tier', 'That driveway tier is not offered; pick one from /api/v1/pricing/tiers.');
  return tier;
}

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
  const point = pointSql(lat, lng);
  const result = await db.execute<{ distance_m: number; radius_miles: string; inside: boolean }>(sql`
    SELECT ST_Distance(center, ${point}) AS distance_m,
           radius_miles,
           ST_DWithin(center, ${point}, radius_miles * ${METERS_PER_MILE}) AS inside
    FROM service_area_config
    WHERE is_active
    LIMIT 1`);
  const row = result.rows[0];
  if (!row) throw new ApiError(422, 'service_area_not_configured', 'The operator has not set a service area yet.');
  return {
    in_service_area: row.inside,
    distance_miles: Math.round((Number(row.distance_m) / METERS_PER_MILE) * 100) / 100,
    radius_miles: Number(row.radius_miles),
  };
}

export function outsideArea(area: AreaCheck): ApiError {
  return new ApiError(
    422,
    'outside_service_area',
    `That address is ${area.distance_miles} miles from our base; we plow within ${area.radius_miles} miles.`,
    { distance_miles: area.distance_miles, radius_miles: area.radius_miles },
  );
}
