import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { openDb } from '../lib/db';
import journal from '../../migrations/meta/_journal.json';
import type { AppEnv } from '../types';
import { log } from '../lib/log';

export const health = new Hono<AppEnv>();

/** The newest migration this build was made with (drizzle records its `when`). */
const LATEST_MIGRATION = journal.entries[journal.entries.length - 1]!;

/** The process is up (no dependencies checked). */
health.get('/healthz', (c) => c.json({ status: 'ok' }));

/**
 * A healthy answer is reused for this long (per isolate and database): monitors poll
 * /readyz outside the anonymous rate limit, so it must not be a way to load the database.
 * A failing check is never reused — recovery shows at once.
 */
export const READYZ_FRESH_MS = 1_000;
/** Past this the database counts as unreachable: a monitor gets an answer, not a hung request. */
export const READYZ_DB_TIMEOUT_MS = 3_000;

const lastReady = new Map<string, { at: number; body: Record<string, unknown> }>();

/** Ready to serve: the database answers and its migrations are the ones this build expects. */
health.get('/readyz', async (c) => {
  const started = Date.now();
  const cacheKey = `${c.env.DATABASE_URL}|${c.env.DB_WS_PROXY ?? ''}`;
  const fresh = lastReady.get(cacheKey);
  if (fresh && started - fresh.at < READYZ_FRESH_MS) return c.json(fresh.body, 200);
  const { db, pool } = openDb(c.env);
  let timer: ReturnType<typeof setTimeout> | null = null;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${READYZ_DB_TIMEOUT_MS} ms`)), READYZ_DB_TIMEOUT_MS);
    });
    const result = await Promise.race([
      db.execute<{ hash: string; created_at: string }>(
        sql`SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
      ),
      timeout,
    ]);
    const applied = Number(result.rows[0]?.created_at ?? 0);
    const current = applied >= LATEST_MIGRATION.when;
    const body = {
      status: current ? 'ready' : 'migrations_pending',
      database: 'ok',
      db_ms: Date.now() - started,
      migration: { expected: LATEST_MIGRATION.tag, current },
    };
    if (current) lastReady.set(cacheKey, { at: started, body });
    else lastReady.delete(cacheKey);
    return c.json(body, current ? 200 : 503);
  } catch (err) {
    lastReady.delete(cacheKey);
    log.error({ msg: 'readyz: database unreachable', err: String(err) });
    c.header('Retry-After', '5');
    return c.json({ status: 'unavailable', database: 'unreachable' }, 503);
  } finally {
    if (timer) clearTimeout(timer);
    c.executionCtx.waitUntil(pool.end().catch(() => {}));
  }
});
