import type { DriverLocationPayload } from '../contract/ws';
import { FIXES_PER_MESSAGE } from '../worker/queues/location-log';
import { log } from '../worker/lib/log';

/**
 * Fixes reach Postgres at most this often (SPEC §5: batched, ~15 s, not per ping): the
 * flush alarm sends the outbox to the Queue, whose consumer writes the log rows and the
 * drivers' live positions in one transaction. A lone driver so costs one write per 15 s
 * (240 per driver-hour); a fleet shares its writes (`npm run bench:gps-writes`).
 */
export const POSITION_FLUSH_MS = 15_000;

/** A busy stream does not wait for the alarm: the outbox goes once it holds this many fixes. */
export const LOG_BATCH = 50;

/** Accepted client event ids are kept this long: longer than any offline queue a phone replays. */
export const SEEN_EVENT_TTL_MS = 24 * 60 * 60 * 1000;

/** One fix for `driver_location_log`, as the Queue consumer reads it (worker/queues/location-log.ts). */
export type LogEntry = DriverLocationPayload & { client_event_id: string | null };

/** What a driver's ping came to. */
export interface PingResult {
  /** Newer (device time) than the fix held before, so shown as the live position. */
  current: boolean;
  /** Its client event id was accepted before: nothing was done. */
  duplicate: boolean;
  /** The fix as shown to watchers (absent for a duplicate). */
  fix?: DriverLocationPayload;
}

/**
 * The way from an accepted ping to the GPS log, inside one Durable Object: the client event
 * ids it has accepted (so a replayed ping is applied once) and the outbox of fixes waiting
 * for the Queue, both in the object's SQLite storage, plus the flush alarm that drains the
 * outbox. The claim and the outbox row are written in one synchronous step, so a copy of
 * the same ping on another socket cannot slip in between, and the ack the caller sends
 * afterwards (held by the output gate until the writes are confirmed) means "stored".
 *
 * The job room uses it for its driver's pings, the dispatch object for pings of drivers
 * who are on no job. The tables are made on first use: a room nobody streams to has none.
 */
export class GpsOutbox {
  #storage: DurableObjectStorage;
  #queue: Queue;
  #ready = false;
  /** Rows in the outbox, counted once and then kept up to date here (undefined: count again). */
  #backlog: number | undefined;
  /** True while a flush alarm is known to be pending, so pings skip the alarm read. */
  #armed = false;
  /** The drain in progress, if any (one at a time, or a batch could go twice). */
  #draining: Promise<void> | null = null;

  constructor(storage: DurableObjectStorage, queue: Queue) {
    this.#storage = storage;
    this.#queue = queue;
  }

  get #sql(): SqlStorage {
    const sql = this.#storage.sql;
    if (!this.#ready) {
      sql.exec('CREATE TABLE IF NOT EXISTS seen_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL)');
      // The flush alarm prunes by age; a day of 1 Hz pings is tens of thousands of ids, and
      // without this index each prune would scan them all on the object's one thread.
      sql.exec('CREATE INDEX IF NOT EXISTS seen_events_at ON seen_events (at)');
      sql.exec(
        'CREATE TABLE IF NOT EXISTS log_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, body TEXT NOT NULL)',
      );
      this.#ready = true;
    }
    return sql;
  }

  /**
   * Accepts a fix for the log: claims its event key (`driver:client_event_id`) and puts it
   * in the outbox. False, and nothing written, when the key was accepted before. Call it in
   * the same synchronous turn as anything that must not interleave with a repeat.
   */
  accept(eventKey: string | null, entry: LogEntry, now: number): boolean {
    const sql = this.#sql;
    if (
      eventKey &&
      sql.exec('INSERT INTO seen_events (id, at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', eventKey, now)
        .rowsWritten === 0
    )
      return false;
    sql.exec('INSERT INTO log_outbox (at, body) VALUES (?, ?)', now, JSON.stringify(entry));
    if (this.#backlog !== undefined) this.#backlog++;
    void this.#arm(now);
    if (this.backlog >= LOG_BATCH) void this.drain();
    return true;
  }

  /** How many fixes wait (read once, then counted here: each statement is a runtime object for the GC, docs/decisions/0061). */
  get backlog(): number {
    return (this.#backlog ??= this.#sql
      .exec<{ count: number }>('SELECT count(*) AS count FROM log_outbox')
      .one().count);
  }

  /**
   * Sends the outbox to the Queue, one message per batch of fixes (Queues bill per message:
   * one per fix would be 50 times the operations), removing what the Queue accepted. A
   * failure leaves the rest for the alarm; never throws.
   */
  drain(): Promise<void> {
    this.#draining ??= (async () => {
      try {
        for (let batch = this.#take(); batch.length > 0; batch = this.#take()) {
          await this.#queue.send({ fixes: batch.map((m) => m.body) });
          this.#sql.exec('DELETE FROM log_outbox WHERE seq <= ?', batch.at(-1)!.seq);
          this.#backlog = undefined;
        }
      } catch (err) {
        log.error({ msg: 'GPS log batch not queued; will retry', err: String(err) });
      } finally {
        this.#draining = null;
      }
    })();
    return this.#draining;
  }

  #take(): { seq: number; body: unknown }[] {
    return this.#sql
      .exec<{ seq: number; body: string }>('SELECT seq, body FROM log_outbox ORDER BY seq LIMIT ?', FIXES_PER_MESSAGE)
      .toArray()
      .map((r) => ({ seq: r.seq, body: JSON.parse(r.body) as unknown }));
  }

  async #arm(now: number): Promise<void> {
    if (this.#armed) return;
    this.#armed = true;
    try {
      if ((await this.#storage.getAlarm()) === null) await this.#storage.setAlarm(now + POSITION_FLUSH_MS);
    } catch (err) {
      this.#armed = false;
      log.error({ msg: 'GPS flush alarm not set', err: String(err) });
    }
  }

  /**
   * The flush alarm: sends what waits, forgets event ids older than a day, and sets the
   * alarm again only while fixes remain — with nothing left, no alarm keeps the object awake.
   */
  async onAlarm(): Promise<void> {
    this.#armed = false;
    await this.drain();
    this.#sql.exec('DELETE FROM seen_events WHERE at < ?', Date.now() - SEEN_EVENT_TTL_MS);
    if (this.backlog > 0) await this.#arm(Date.now());
  }

  /** Forgets every accepted event id once the outbox is empty (a room whose job ended); true when done. */
  forgetIfDrained(): boolean {
    if (
      !this.#ready &&
      this.#storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'log_outbox'").toArray().length === 0
    )
      return true;
    if (this.backlog > 0) return false;
    this.#sql.exec('DELETE FROM seen_events');
    return true;
  }
}
