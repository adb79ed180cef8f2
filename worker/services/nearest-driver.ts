import { sql, type SQL } from 'drizzle-orm';
import { ACTIVE_JOB } from '../../contract/job-status';
import { pointSql } from '../../db/geo';
import { sqlList } from '../../db/sql-list';

export interface NearestDriverQuery {
  lat: number;
  lng: number;
  /** Search radius in metres (auto-dispatch widens it step by step). */
  radius_m: number;
  /** Driver profile ids already offered this job. */
  exclude?: readonly string[];
  limit?: number;
}

export interface NearestDriver {
  driver_id: string;
  distance_m: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTIVE = sqlList(ACTIVE_JOB);
/** How many nearest available drivers are looked at, at most, before giving up on a point. */
export const MAX_WALK = 500;

/**
 * The nearest available driver to a point: status `available`, a known position within
 * `radius_m` and within the driver's own service radius, account active, no job in hand,
 * not already asked.
 *
 * Shaped for the KNN index walk: the inner query orders available drivers by the PostGIS
 * `<->` operator, which the partial GIST index `idx_driver_profiles_available_location`
 * answers nearest-first, lazily; the checks run on each driver as it comes and the walk
 * stops at the first that passes. There is deliberately no indexable radius predicate —
 * with one, Postgres prefers to fetch everyone in range, check them all and sort, which
 * at 10,000 drivers cost ~19 ms at p99 instead of ~3 ms (docs/decisions/0012). The radius is applied to the
 * walk's own distance; since the walk is nearest-first, a first fit beyond the radius
 * means no fit inside it. `MAX_WALK` bounds the walk when nobody nearby fits.
 *
 * Exported as SQL so the benchmark and the EXPLAIN test run exactly this statement.
 */
export function nearestAvailableDriverSql(o: NearestDriverQuery): SQL {
  const exclude = (o.exclude ?? []).filter((id) => UUID.test(id));
  const point = pointSql(o.lat, o.lng);
  return sql`
    SELECT c.driver_id, ST_Distance(c.current_location, ${point}) AS distance_m
    FROM (
      SELECT d.id AS driver_id, d.user_id, d.current_location, d.service_radius_km, d.current_location <-> ${point} AS knn_m
      FROM driver_profiles d
      WHERE d.status = 'available' AND d.current_location IS NOT NULL
      ORDER BY d.current_location <-> ${point}
      LIMIT ${MAX_WALK}
    ) c
    JOIN users u ON u.id = c.user_id
    WHERE c.knn_m <= ${o.radius_m}::double precision
      AND c.knn_m <= (c.service_radius_km * 1000)::double precision
      AND u.is_active
      AND u.suspended_at IS NULL
      AND c.driver_id <> ALL(${`{${exclude.join(',')}}`}::uuid[])
      AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.driver_id = c.driver_id AND j.status IN (${ACTIVE}))
    ORDER BY c.knn_m
    LIMIT ${o.limit ?? 1}`;
}

interface Executes {
  execute: (query: SQL) => Promise<{ rows: unknown[] }>;
}

export async function nearestAvailableDrivers(db: Executes, o: NearestDriverQuery): Promise<NearestDriver[]> {
  const result = await db.execute(nearestAvailableDriverSql(o));
  return (result.rows as { driver_id: string; distance_m: number | string }[]).map((r) => ({
    driver_id: r.driver_id,
    distance_m: Number(r.distance_m),
  }));
}
