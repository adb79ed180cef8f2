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

/** Seen client event ids are kept this long: longer than any offline queue a phone replays. */
export const SEEN_EVENT_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The dispatch object's SQLite tables: each driver's active job and live position, the
 * client event ids already accepted
 * (so a replayed ping is applied once), and the outbox of fixes on their way to the GPS
 * log. All calls are synchronous SQLite: a
 * check-then-insert cannot interleave with another message.
 */
export class DriverPositions {
  #sql: SqlStorage;
  /** Rows in the outbox, counted once and then kept up to date here (undefined: count again). */
  #backlog: number | undefined;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS drivers (
      driver_id TEXT PRIMARY KEY,
      active_job_id TEXT,
      lat REAL, lng REAL, accuracy REAL, heading REAL, speed REAL,
      ts TEXT, received_at TEXT
    )`);
    sql.exec('CREATE TABLE IF NOT EXISTS seen_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL)');
    // The flush alarm prunes by age every 15 s; a day of 1 Hz pings from 50 drivers is over
    // four million ids, and without this index each prune scanned them all on the one thread
    // every dispatch message waits on.
    sql.exec('CREATE INDEX IF NOT EXISTS seen_events_at ON seen_events (at)');
    sql.exec('CREATE TABLE IF NOT EXISTS log_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, body TEXT NOT NULL)');
  }

  // ---- GPS log outbox: fixes wait here, durably, until a batch goes to the Queue ----

  enqueueLog(body: unknown, now: number): void {
    this.#sql.exec('INSERT INTO log_outbox (at, body) VALUES (?, ?)', now, JSON.stringify(body));
    if (this.#backlog !== undefined) this.#backlog++;
  }

  /**
   * How many fixes wait in the outbox: asked on every ping, so it is not a query each time
   * (each statement is a runtime cursor object for the garbage collector, docs/decisions/0061).
   */
  backlogCount(): number {
    return (this.#backlog ??= this.#sql.exec<{ count: number }>('SELECT count(*) AS count FROM log_outbox').one().count);
  }

  takeLog(limit: number): { seq: number; body: unknown }[] {
    return this.#sql
      .exec<{ seq: number; body: string }>('SELECT seq, body FROM log_outbox ORDER BY seq LIMIT ?', limit)
      .toArray()
      .map((r) => ({ seq: r.seq, body: JSON.parse(r.body) as unknown }));
  }

  /** Removes the entries the Queue accepted (everything up to and including `seq`). */
  dropLog(uptoSeq: number): void {
    this.#sql.exec('DELETE FROM log_outbox WHERE seq <= ?', uptoSeq);
    this.#backlog = undefined;
  }

  seenEvent(key: string): boolean {
    return this.#sql.exec('SELECT 1 FROM seen_events WHERE id = ?', key).toArray().length > 0;
  }

  /** Records `key` as accepted (call in the same synchronous turn as `seenEvent`). */
  claimEvent(key: string, now: number): void {
    this.#sql.exec('INSERT INTO seen_events (id, at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', key, now);
  }

  pruneEvents(olderThan: number): void {
    this.#sql.exec('DELETE FROM seen_events WHERE at < ?', olderThan);
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
      loc.driver_id, loc.lat, loc.lng, loc.accuracy, loc.heading, loc.speed, loc.ts, loc.received_at,
    );
  }

  setActiveJob(driverId: string, jobId: string | null): void {
    this.#sql.exec(
      `INSERT INTO drivers (driver_id, active_job_id) VALUES (?, ?)
       ON CONFLICT (driver_id) DO UPDATE SET active_job_id = excluded.active_job_id`,
      driverId, jobId,
    );
  }

  /** Clears the active job only if it is still `jobId` (a newer assignment wins). */
  clearActiveJob(driverId: string, jobId: string): void {
    this.#sql.exec('UPDATE drivers SET active_job_id = NULL WHERE driver_id = ? AND active_job_id = ?', driverId, jobId);
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
