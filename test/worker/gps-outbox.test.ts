import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { fixAt } from '../support/fixes';
import {
  GpsOutbox,
  LOGGED_THROUGH_KEY,
  SEEN_EVENT_TTL_MS,
  forgetFixesBefore,
  type LogEntry,
} from '../../durable-objects/gps-outbox';

/** An object of its own for each test: its storage holds only what the test writes. */
const scratch = () => env.JOB_ROOM.get(env.JOB_ROOM.newUniqueId());

/** The GPS-log Queue as the outbox sees it, keeping what it is sent instead of logging fixes of drivers nobody has. */
const keptQueue = () => {
  const sent: unknown[] = [];
  return { sent, queue: { send: async (body: unknown) => void sent.push(body) } as unknown as Queue };
};

const fix = (at: number, id: string): LogEntry => ({ ...fixAt(new Date(at).toISOString()), client_event_id: id });

/** `n` pings arriving a second apart from `from`, claimed and written together. */
function acceptAll(outbox: GpsOutbox, name: string, from: number, n: number): Promise<boolean[]> {
  const outcomes = Array.from({ length: n }, (_, i) =>
    outbox.accept(`driver:${name}-${i}`, fix(from + i * 1000, `${name}-${i}`), from + i * 1000, true),
  );
  outbox.write();
  return Promise.all(outcomes);
}

/** The last row the Queue took, as the outbox stored it. */
const loggedThrough = (state: DurableObjectState) => state.storage.kv.get<number>(LOGGED_THROUGH_KEY) ?? 0;

const rowCount = (sql: SqlStorage) => sql.exec<{ n: number }>('SELECT count(*) AS n FROM gps_fixes').one().n;

describe('accepted fixes', () => {
  it('are forgotten after a day by a walk that reads what it forgets, not the day it keeps', async () => {
    await runInDurableObject(scratch(), async (_room, state) => {
      const outbox = new GpsOutbox(state.storage, keptQueue().queue);
      const now = Date.now();
      expect(await acceptAll(outbox, 'yesterday', now - SEEN_EVENT_TTL_MS - 400_000, 300)).not.toContain(false);
      expect(await acceptAll(outbox, 'today', now - 3_000_000, 2_000)).not.toContain(false);
      await outbox.drain();
      const sql = state.storage.sql;
      const prune = forgetFixesBefore(sql, now - SEEN_EVENT_TTL_MS, loggedThrough(state));
      expect(prune.rowsWritten).toBeGreaterThanOrEqual(300);
      expect(rowCount(sql)).toBe(2_000);
      // Each forgotten row is read a few times (walked past, then deleted with its key) and one kept
      // row once: the count follows the 300 forgotten, where a scan would read all 2,300.
      expect(prune.rowsRead).toBeLessThan(3 * 300 + 10);
      // A kept id is still a duplicate; a forgotten one would be accepted again.
      expect(await acceptAll(outbox, 'today', now - 3_000_000, 1)).toEqual([false]);
      expect(forgetFixesBefore(sql, now - SEEN_EVENT_TTL_MS, loggedThrough(state)).rowsWritten).toBe(0);
    });
  });

  it('are kept, however old, until the Queue has taken them', async () => {
    await runInDurableObject(scratch(), async (_room, state) => {
      const { sent, queue } = keptQueue();
      const outbox = new GpsOutbox(state.storage, queue);
      await acceptAll(outbox, 'old', Date.now() - 2 * SEEN_EVENT_TTL_MS, 20);
      const sql = state.storage.sql;
      expect(forgetFixesBefore(sql, Date.now(), loggedThrough(state)).rowsWritten).toBe(0);
      expect(outbox.backlog).toBe(20);
      await outbox.drain();
      expect(sent.flatMap((m) => (m as { fixes: LogEntry[] }).fixes.map((f) => f.client_event_id))).toEqual(
        Array.from({ length: 20 }, (_, i) => `old-${i}`),
      );
      expect(outbox.backlog).toBe(0);
    });
  });

  it('once all older than a day, leave only the newest row, so that the next fix is numbered after it', async () => {
    await runInDurableObject(scratch(), async (_room, state) => {
      const { sent, queue } = keptQueue();
      const outbox = new GpsOutbox(state.storage, queue);
      await acceptAll(outbox, 'old', Date.now() - 2 * SEEN_EVENT_TTL_MS, 20);
      await outbox.drain();
      const sql = state.storage.sql;
      forgetFixesBefore(sql, Date.now() - SEEN_EVENT_TTL_MS, loggedThrough(state));
      expect(rowCount(sql)).toBe(1);
      expect(forgetFixesBefore(sql, Date.now(), loggedThrough(state)).rowsWritten).toBe(0);
      // A row numbered again from 1 would count as logged already, and its fix would never go.
      expect(await acceptAll(outbox, 'new', Date.now(), 1)).toEqual([true]);
      expect(outbox.backlog).toBe(1);
      sent.length = 0;
      await outbox.drain();
      expect(sent).toHaveLength(1);
    });
  });

  it('move over from objects that kept claims and waiting fixes in two tables', async () => {
    await runInDurableObject(scratch(), async (_room, state) => {
      const sql = state.storage.sql;
      const at = Date.now() - 60_000;
      sql.exec('CREATE TABLE seen_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL)');
      sql.exec('CREATE INDEX seen_events_at ON seen_events (at)');
      sql.exec(
        'CREATE TABLE log_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, body TEXT NOT NULL)',
      );
      for (const [i, id] of ['a', 'b', 'c'].entries())
        sql.exec('INSERT INTO seen_events VALUES (?, ?)', `driver:${id}`, at + i);
      sql.exec('INSERT INTO log_outbox (at, body) VALUES (?, ?)', at + 2, JSON.stringify(fix(at + 2, 'c')));

      const { sent, queue } = keptQueue();
      const outbox = new GpsOutbox(state.storage, queue);
      const [a, d] = [
        outbox.accept('driver:a', fix(at, 'a'), at, true),
        outbox.accept('driver:d', fix(at + 3, 'd'), at + 3, true),
      ];
      outbox.write();
      expect(await Promise.all([a, d])).toEqual([false, true]);
      expect(outbox.backlog).toBe(2);
      await outbox.drain();
      expect(sent.flatMap((m) => (m as { fixes: LogEntry[] }).fixes.map((f) => f.client_event_id))).toEqual(['c', 'd']);
      const tables = sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name")
        .toArray()
        .map((r) => r.name)
        .filter((name) => !name.startsWith('_cf') && !name.startsWith('sqlite_sequence'));
      expect(tables).toEqual(['gps_fixes', 'sqlite_autoindex_gps_fixes_1']);
    });
  });
});
