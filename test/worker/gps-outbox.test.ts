import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { fixAt } from '../support/fixes';
import { GpsOutbox, SEEN_EVENT_TTL_MS, forgetSeenBefore, type LogEntry } from '../../durable-objects/gps-outbox';

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

const seenCount = (sql: SqlStorage) => sql.exec<{ n: number }>('SELECT count(*) AS n FROM seen_events').one().n;

describe('accepted event ids', () => {
  it('are forgotten after a day by a walk that reads what it forgets, not the day it keeps', async () => {
    await runInDurableObject(scratch(), async (_room, state) => {
      const outbox = new GpsOutbox(state.storage, keptQueue().queue);
      const now = Date.now();
      expect(await acceptAll(outbox, 'yesterday', now - SEEN_EVENT_TTL_MS - 400_000, 300)).not.toContain(false);
      expect(await acceptAll(outbox, 'today', now - 3_000_000, 2_000)).not.toContain(false);
      const sql = state.storage.sql;
      const prune = forgetSeenBefore(sql, now - SEEN_EVENT_TTL_MS);
      expect(prune.rowsWritten).toBeGreaterThanOrEqual(300);
      expect(seenCount(sql)).toBe(2_000);
      // Each forgotten id is read a few times (walked past, then deleted with its key) and one kept
      // id once: the count follows the 300 forgotten, where a scan would read all 2,300.
      expect(prune.rowsRead).toBeLessThan(3 * 300 + 10);
      // A kept id is still a duplicate; a forgotten one would be accepted again.
      expect(await acceptAll(outbox, 'today', now - 3_000_000, 1)).toEqual([false]);
      expect(forgetSeenBefore(sql, now - SEEN_EVENT_TTL_MS).rowsWritten).toBe(0);
    });
  });

  it('are forgotten all at once when every one is older than a day, and an empty table is left as it is', async () => {
    await runInDurableObject(scratch(), async (_room, state) => {
      const outbox = new GpsOutbox(state.storage, keptQueue().queue);
      await acceptAll(outbox, 'old', Date.now() - 2 * SEEN_EVENT_TTL_MS, 20);
      const sql = state.storage.sql;
      forgetSeenBefore(sql, Date.now() - SEEN_EVENT_TTL_MS);
      expect(seenCount(sql)).toBe(0);
      expect(forgetSeenBefore(sql, Date.now()).rowsWritten).toBe(0);
    });
  });

  it('keep no index on their arrival time: a claim writes its row and its key, in objects made before too', async () => {
    await runInDurableObject(scratch(), async (_room, state) => {
      const sql = state.storage.sql;
      // An object from before, which indexed the arrival time.
      sql.exec('CREATE TABLE seen_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL)');
      sql.exec('CREATE INDEX seen_events_at ON seen_events (at)');
      await acceptAll(new GpsOutbox(state.storage, keptQueue().queue), 'fix', Date.now(), 1);
      const indexes = sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'seen_events'")
        .toArray()
        .map((r) => r.name);
      expect(indexes).toEqual(['sqlite_autoindex_seen_events_1']);
    });
  });
});
