import { sql, type SQL } from 'drizzle-orm';
import { ACTIVE_JOB_STATUSES } from '../../contract/enums';
import { pointSql } from '../../db/geo';

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
const ACTIVE = sql.raw(ACTIVE_JOB_STATUSES.map((s) => `'${s}'`).join(', '));

/**
 * The nearest available driver to a point: status `available`, a known position within
 * `radius_m` and within the driver's own service radius, account active, no job in hand,
 * not already asked. Ordered by the PostGIS KNN operator `<->` so the GIST index on
 * `driver_profiles.current_location` walks outward from the point and stops at `limit`
 * instead of sorting every driver (see bench/nearest-driver.ts for the numbers).
 *
 * Exported as SQL so the benchmark and the EXPLAIN test run exactly this statement.
 */
export function nearestAvailableDriverSql(o: NearestDriverQuery): SQL {
  const exclude = (o.exclude ?? []).filter((id) => UUID.test(id));
  const point = pointSql(o.lat, o.lng);
  return sql`
    SELECT d.id AS driver_id, ST_Distance(d.current_location, ${point}) AS distance_m
    FROM driver_profiles d
    JOIN users u ON u.id = d.user_id
    WHERE d.status = 'available'
      AND ST_DWithin(d.current_location, ${point}, ${o.radius_m}::double precision)
      AND ST_DWithin(d.current_location, ${point}, (d.service_radius_km * 1000)::double precision)
      AND u.is_active
      AND u.suspended_at IS NULL
      AND d.id <> ALL(${`{${exclude.join(',')}}`}::uuid[])
      AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.driver_id = d.id AND j.status IN (${ACTIVE}))
    ORDER BY d.current_location <-> ${point}
    LIMIT ${o.limit ?? 1}`;
}

interface Executes {
  execute: (query: SQL) => Promise<{ rows: unknown[] }>;
}

export async function nearestAvailableDrivers(db: Executes, o: NearestDriverQuery): Promise<NearestDriver[]> {
  const result = await db.execute(nearestAvailableDriverSql(o));
  return (result.rows as { driver_id: string; distance_m: number | string }[]).map((r) => ({ driver_id: r.driver_id, distance_m: Number(r.distance_m) }));
}
