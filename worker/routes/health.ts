import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { openDb } from '../lib/db';
import journal from '../../migrations/meta/_journal.json';
import type { AppEnv } from '../types';

export const health = new Hono<AppEnv>();

/** The newest migration this build was made with (drizzle records its `when`). */
const LATEST_MIGRATION = journal.entries[journal.entries.length - 1]!;

/** The process is up (no dependencies checked). */
health.get('/healthz', (c) => c.json({ status: 'ok' }));

/** Ready to serve: the database answers and its migrations are the ones this build expects. */
health.get('/readyz', async (c) => {
  const started = Date.now();
  const { db, pool } = openDb(c.env);
  try {
    const result = await db.execute<{ hash: string; created_at: string }>(
      sql`SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
    );
    const applied = Number(result.rows[0]?.created_at ?? 0);
    const current = applied >= LATEST_MIGRATION.when;
    const body = {
      status: current ? 'ready' : 'migrations_pending',
      database: 'ok',
      db_ms: Date.now() - started,
      migration: { expected: LATEST_MIGRATION.tag, current },
    };
    return c.json(body, current ? 200 : 503);
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', msg: 'readyz: database unreachable', err: String(err) }));
    c.header('Retry-After', '5');
    return c.json({ status: 'unavailable', database: 'unreachable' }, 503);
  } finally {
    c.executionCtx.waitUntil(pool.end().catch(() => {}));
  }
});
