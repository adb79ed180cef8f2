import type { DriverLocationPayload, LocationPing } from '../contract/ws';
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
 * Live fixes wait at most this long for their writes. The turn that shows a fix to the
 * watchers writes nothing, so their message is never held behind a storage commit; the
 * claims and log entries of every ping that came meanwhile are written together in a turn
 * of their own (one commit for a 20 Hz stream's second). Acks follow the write, so a live
 * fix is acknowledged up to this late; the driver app waits for acks only when it replays
 * its backlog, and those are written in the next turn (`awaitsAck`).
 */
export const WRITE_WINDOW_MS = 1_000;

/**
 * How long a ping waits for its write (ms). Pings closer together than twice the window (a
 * fast stream) share one write per window. A ping on its own is written in the next turn:
 * the driver app sends one every 5 s at most, and a timer pending between pings would keep
 * the object from hibernating, which Cloudflare bills as duration.
 */
export function writeDelayMs(previousAt: number | null, now: number, prompt: boolean): number {
  if (prompt || previousAt === null || now - previousAt >= 2 * WRITE_WINDOW_MS) return 0;
  return WRITE_WINDOW_MS;
}

/** A fix this much older (device time) than its arrival is a replay from the phone's backlog, which waits for each ack. */
export const REPLAY_AGE_MS = 10_000;

/** Whether someone waits for this ping's ack: a replay from the phone's backlog, or a fix with no device time (shown only once stored). */
export function awaitsAck(ping: LocationPing, now: number): boolean {
  return !ping.recorded_at || now - Date.parse(ping.recorded_at) > REPLAY_AGE_MS;
}

/**
 * Forgets the fixes (their claims and their logged bodies) that arrived before `before`
 * (epoch ms), never one the Queue has not taken yet (`seq` past `loggedThrough`) and never
 * the newest row, so that a row id is not handed out twice (a table emptied by a prune
 * would number from 1 again). Rows are written in the order their pings arrived, so row ids
 * follow arrival times: the delete walks from the oldest row and stops at the first one to
 * keep, so what it reads follows what it forgets, however many fixes a busy day left. An
 * index on the arrival time would do the same for a row written with every fix, the largest
 * Cloudflare line of a big fleet's bill (docs/cost.md).
 */
export function forgetFixesBefore(
  sql: SqlStorage,
  before: number,
  loggedThrough: number,
): SqlStorageCursor<Record<string, SqlStorageValue>> {
  return sql.exec(
    `DELETE FROM gps_fixes WHERE seq < min(?, coalesce(
       (SELECT seq FROM gps_fixes WHERE at >= ? ORDER BY seq LIMIT 1),
       (SELECT max(seq) FROM gps_fixes)))`,
    loggedThrough + 1,
    before,
  );
}

/** The storage key of the last row the Queue took (`seq`); rows after it wait for the Queue. */
export const LOGGED_THROUGH_KEY = 'gps_logged_through';

/** A ping waiting for its write, and whoever waits for its outcome. */
interface Pending {
  key: string | null;
  entry: LogEntry;
  at: number;
  /** Called after the write with true when it was accepted, false for a duplicate. */
  settle: ((accepted: boolean) => void)[];
  fail: ((err: unknown) => void)[];
}

/**
 * The way from an accepted ping to the GPS log, inside one Durable Object, in one table of
 * its SQLite storage: each accepted fix is a row holding its client event id (unique, so a
 * replayed ping is applied once) and its log entry. Rows up to `gps_logged_through` have
 * gone to the Queue; the rows after it are the outbox the flush alarm drains. A ping is one
 * statement and one row with its key; a fix the Queue took costs nothing more until the row
 * is forgotten (after a day, or when the room's job ends). Pings are written together
 * (`WRITE_WINDOW_MS`; in the next turn for a replay or a ping on its own, `writeDelayMs`); a
 * copy of a ping still waiting is answered with the same write as a duplicate. The outcome
 * promise settles after the write, so an ack sent then (held by the output gate until the
 * write is confirmed) means "stored". A ping lost with its object before the write was never
 * acknowledged: the phone sends it again, and it is accepted then.
 *
 * The job room uses it for its driver's pings, the dispatch object for pings of drivers
 * who are on no job. The table is made on first use: a room nobody streams to has none.
 */
export class GpsOutbox {
  #storage: DurableObjectStorage;
  #queue: Queue;
  /** Written in the same turn as the pings (the job room's live location). */
  #alsoWrite: () => void;
  #ready = false;
  /** Rows up to this `seq` have gone to the Queue (read with the table, then kept here). */
  #loggedThrough = 0;
  /** Rows in the outbox, counted once and then kept up to date here (undefined: count again). */
  #backlog: number | undefined;
  /** True while a flush alarm is known to be pending, so pings skip the alarm read. */
  #armed = false;
  /** The drain in progress, if any (one at a time, or a batch could go twice). */
  #draining: Promise<void> | null = null;
  #pending: Pending[] = [];
  #pendingByKey = new Map<string, Pending>();
  #writeTimer: ReturnType<typeof setTimeout> | null = null;
  #writeSoon = false;
  /** When the last ping arrived (`writeDelayMs`). */
  #lastPingAt: number | null = null;

  constructor(storage: DurableObjectStorage, queue: Queue, alsoWrite: () => void = () => {}) {
    this.#storage = storage;
    this.#queue = queue;
    this.#alsoWrite = alsoWrite;
  }

  get #sql(): SqlStorage {
    const sql = this.#storage.sql;
    if (!this.#ready) {
      sql.exec(
        'CREATE TABLE IF NOT EXISTS gps_fixes (seq INTEGER PRIMARY KEY, event_id TEXT UNIQUE, at INTEGER NOT NULL, body TEXT)',
      );
      this.#loggedThrough = this.#storage.kv.get<number>(LOGGED_THROUGH_KEY) ?? 0;
      // An object that has logged a fix since has moved over already.
      if (this.#loggedThrough === 0) this.#fromTwoTables(sql);
      this.#ready = true;
    }
    return sql;
  }

  /**
   * Objects made before held claims (`seen_events`) and waiting fixes (`log_outbox`) in two
   * tables: a claim and its outbox row were two statements and two rows per ping, and the
   * outbox row's delete a third. Their claims move over as rows already logged (no body),
   * their waiting fixes after them as the outbox, in arrival order, and the old tables go.
   */
  #fromTwoTables(sql: SqlStorage): void {
    const old = new Set(
      sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('seen_events', 'log_outbox')",
        )
        .toArray()
        .map((r) => r.name),
    );
    if (old.size === 0) return;
    if (old.has('seen_events')) {
      sql.exec('INSERT INTO gps_fixes (event_id, at) SELECT id, at FROM seen_events ORDER BY rowid');
      this.#setLoggedThrough(sql.exec<{ seq: number | null }>('SELECT max(seq) AS seq FROM gps_fixes').one().seq ?? 0);
      sql.exec('DROP TABLE seen_events');
    }
    if (old.has('log_outbox')) {
      sql.exec('INSERT INTO gps_fixes (at, body) SELECT at, body FROM log_outbox ORDER BY seq');
      sql.exec('DROP TABLE log_outbox');
    }
  }

  #setLoggedThrough(seq: number): void {
    this.#loggedThrough = seq;
    if (seq > 0) this.#storage.kv.put(LOGGED_THROUGH_KEY, seq);
    else this.#storage.kv.delete(LOGGED_THROUGH_KEY);
  }

  /**
   * Takes a fix for the log: its event key (`driver:client_event_id`) is claimed and the fix
   * put in the outbox with the next write. Resolves after that write: true when accepted,
   * false (nothing written) when the key was accepted before. `prompt` writes in the next
   * turn instead of the window's end: someone waits for the ack.
   */
  accept(eventKey: string | null, entry: LogEntry, now: number, prompt = false): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const waiting = eventKey ? this.#pendingByKey.get(eventKey) : undefined;
      if (waiting) {
        // A copy of a ping not written yet: a duplicate, answered once the first is stored.
        waiting.settle.push(() => resolve(false));
        waiting.fail.push(reject);
        prompt = true;
      } else {
        const p: Pending = { key: eventKey, entry, at: now, settle: [resolve], fail: [reject] };
        this.#pending.push(p);
        if (eventKey) this.#pendingByKey.set(eventKey, p);
      }
      this.#schedule(writeDelayMs(this.#lastPingAt, now, prompt));
      this.#lastPingAt = now;
    });
  }

  #schedule(delay: number): void {
    if (this.#writeTimer && (this.#writeSoon || delay > 0)) return;
    if (this.#writeTimer) clearTimeout(this.#writeTimer);
    this.#writeSoon = delay === 0;
    this.#writeTimer = setTimeout(() => this.write(), delay);
  }

  /**
   * Writes every waiting ping in this turn (a row each, unless its id was accepted before)
   * and settles their outcomes. The alarm and a room that ends call it directly.
   */
  write(): void {
    if (this.#writeTimer) clearTimeout(this.#writeTimer);
    this.#writeTimer = null;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#pendingByKey.clear();
    let accepted: boolean[];
    try {
      const sql = this.#sql;
      // The claim and the outbox entry in one row: a copy of an accepted id writes nothing.
      accepted = batch.map(
        (p) =>
          sql.exec(
            'INSERT INTO gps_fixes (event_id, at, body) VALUES (?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
            p.key,
            p.at,
            JSON.stringify(p.entry),
          ).rowsWritten > 0,
      );
      this.#alsoWrite();
    } catch (err) {
      log.error({ msg: 'GPS fixes not stored; the phone sends them again', err: String(err) });
      for (const p of batch) for (const fail of p.fail) fail(err);
      return;
    }
    const added = accepted.filter(Boolean).length;
    if (this.#backlog !== undefined) this.#backlog += added;
    if (added > 0) void this.#arm(Date.now());
    if (this.backlog >= LOG_BATCH) void this.drain();
    batch.forEach((p, i) => {
      for (const settle of p.settle) settle(accepted[i]!);
    });
  }

  /** How many fixes wait (read once, then counted here: each statement is a runtime object for the GC, docs/decisions/0061). */
  get backlog(): number {
    const sql = this.#sql;
    return (this.#backlog ??= sql
      .exec<{ count: number }>('SELECT count(*) AS count FROM gps_fixes WHERE seq > ?', this.#loggedThrough)
      .one().count);
  }

  /**
   * Sends the outbox to the Queue, one message per batch of fixes (Queues bill per message:
   * one per fix would be 50 times the operations), marking what the Queue accepted as
   * logged. A failure leaves the rest for the alarm; never throws.
   */
  drain(): Promise<void> {
    this.#draining ??= (async () => {
      try {
        for (let batch = this.#take(); batch.length > 0; batch = this.#take()) {
          await this.#queue.send({ fixes: batch.map((m) => m.body) });
          this.#setLoggedThrough(batch.at(-1)!.seq);
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
    const sql = this.#sql;
    return sql
      .exec<{ seq: number; body: string }>(
        'SELECT seq, body FROM gps_fixes WHERE seq > ? ORDER BY seq LIMIT ?',
        this.#loggedThrough,
        FIXES_PER_MESSAGE,
      )
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
   * The flush alarm: sends what waits, forgets fixes older than a day, and sets the
   * alarm again only while fixes remain — with nothing left, no alarm keeps the object awake.
   */
  async onAlarm(): Promise<void> {
    this.#armed = false;
    this.write();
    await this.drain();
    forgetFixesBefore(this.#sql, Date.now() - SEEN_EVENT_TTL_MS, this.#loggedThrough);
    if (this.backlog > 0) await this.#arm(Date.now());
  }

  /** Forgets every fix once the Queue has them all (a room whose job ended); true when done. */
  forgetIfDrained(): boolean {
    this.write();
    if (
      !this.#ready &&
      this.#storage.sql
        .exec("SELECT 1 FROM sqlite_master WHERE name IN ('gps_fixes', 'seen_events', 'log_outbox')")
        .toArray().length === 0
    )
      return true;
    if (this.backlog > 0) return false;
    this.#sql.exec('DELETE FROM gps_fixes');
    this.#setLoggedThrough(0);
    return true;
  }
}
