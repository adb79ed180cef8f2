import type { DriverLocationPayload } from '../contract/ws';

/** A driver as the dispatch object knows them: the job their pings belong to and the last fix. */
export interface DriverRow {
  driver_id: string;
  active_job_id: string | null;
  lat: number | null;
  lng: number | null;
  accuracy: number | null;
  heading: number | null;
  speed: number | null;
  ts: string | null;
  received_at: string | null;
}

/**
 * The dispatch object's table of drivers: each one's active job (where their pings go)
 * and last position on the fleet map. All calls are synchronous SQLite.
 */
export class DriverPositions {
  #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS drivers (
      driver_id TEXT PRIMARY KEY,
      active_job_id TEXT,
      lat REAL, lng REAL, accuracy REAL, heading REAL, speed REAL,
      ts TEXT, received_at TEXT
    )`);
  }

  get(driverId: string): DriverRow | undefined {
    return this.#sql
      .exec<DriverRow & Record<string, SqlStorageValue>>(
        'SELECT driver_id, active_job_id, lat, lng, accuracy, heading, speed, ts, received_at FROM drivers WHERE driver_id = ?',
        driverId,
      )
      .toArray()[0];
  }

  /**
   * Stores a driver's fix — unless a newer one is already stored (two copies in flight on different sockets may land in either order).
   */
  saveFix(loc: DriverLocationPayload): void {
    this.#sql.exec(
      `INSERT INTO drivers (driver_id, lat, lng, accuracy, heading, speed, ts, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (driver_id) DO UPDATE SET lat = excluded.lat, lng = excluded.lng, accuracy = excluded.accuracy,
         heading = excluded.heading, speed = excluded.speed, ts = excluded.ts, received_at = excluded.received_at
       WHERE drivers.ts IS NULL OR excluded.ts > drivers.ts`,
      loc.driver_id,
      loc.lat,
      loc.lng,
      loc.accuracy,
      loc.heading,
      loc.speed,
      loc.ts,
      loc.received_at,
    );
  }

  /** The driver's live job; one they already had is not written again (each of its status changes names it). */
  setActiveJob(driverId: string, jobId: string | null): void {
    this.#sql.exec(
      `INSERT INTO drivers (driver_id, active_job_id) VALUES (?, ?)
       ON CONFLICT (driver_id) DO UPDATE SET active_job_id = excluded.active_job_id
       WHERE drivers.active_job_id IS NOT excluded.active_job_id`,
      driverId,
      jobId,
    );
  }

  /** Clears the active job only if it is still `jobId` (a newer assignment wins). */
  clearActiveJob(driverId: string, jobId: string): void {
    this.#sql.exec(
      'UPDATE drivers SET active_job_id = NULL WHERE driver_id = ? AND active_job_id = ?',
      driverId,
      jobId,
    );
  }

  /** Latest known positions (the fleet map), newest first. */
  fleet(): DriverLocationPayload[] {
    return this.#sql
      .exec<DriverRow & Record<string, SqlStorageValue>>(
        'SELECT driver_id, active_job_id, lat, lng, accuracy, heading, speed, ts, received_at FROM drivers WHERE ts IS NOT NULL ORDER BY ts DESC',
      )
      .toArray()
      .map((r) => ({
        job_id: r.active_job_id,
        driver_id: r.driver_id,
        lat: r.lat!,
        lng: r.lng!,
        accuracy: r.accuracy,
        heading: r.heading,
        speed: r.speed,
        ts: r.ts!,
        received_at: r.received_at!,
      }));
  }

  /** Forgets a driver's live position (stale-driver cleanup). */
  forget(driverId: string): void {
    this.#sql.exec('UPDATE drivers SET lat = NULL, lng = NULL, ts = NULL WHERE driver_id = ?', driverId);
  }
}
