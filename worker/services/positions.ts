import { and, desc, inArray, sql } from 'drizzle-orm';
import { ACTIVE_JOB } from '../../contract/job-status';
import { geographyPointSql } from '../../db/geo';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';

export interface DriverPosition {
  driver_id: string;
  lat: number;
  lng: number;
  ts: string;
}

/**
 * Writes many drivers' live positions in one UPDATE … FROM a JSON array (one parameter),
 * inside the GPS-log consumer's transaction. A position older than the stored one never
 * overwrites it (pings can arrive late, and a retried batch can land after a newer one).
 */
export async function flushDriverPositions(db: Pick<Db, 'execute'>, rows: DriverPosition[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.execute(sql`
    UPDATE driver_profiles d
    SET current_location = ${geographyPointSql(sql.raw('v.lat'), sql.raw('v.lng'))},
        location_updated_at = v.ts
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(driver_id uuid, lat double precision, lng double precision, ts timestamptz)
    WHERE d.id = v.driver_id AND (d.location_updated_at IS NULL OR d.location_updated_at < v.ts)`);
  return result.rowCount ?? 0;
}

/**
 * The job each driver's pings belong to right now (the most recently assigned live one), in
 * one query for many drivers; a driver with none is absent. For
 * the dispatch object when it meets a driver it has no record of — a fresh deployment, or
 * an assignment whose fan-out was lost.
 */
export async function activeJobsOf(db: Db, driverIds: readonly string[]): Promise<Map<string, string>> {
  if (driverIds.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([t.jobs.driver_id], { driver_id: t.jobs.driver_id, id: t.jobs.id })
    .from(t.jobs)
    .where(and(inArray(t.jobs.driver_id, [...driverIds]), inArray(t.jobs.status, [...ACTIVE_JOB])))
    .orderBy(t.jobs.driver_id, desc(t.jobs.assigned_at));
  return new Map(rows.map((r) => [r.driver_id!, r.id]));
}
