import type { Pool } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { openPool, type DriverEnv } from './neon-config';
import { withOutbox, type OutboxEnv } from '../notify/outbox';

/**
 * No relational schema is handed to drizzle: the code uses the query builder only, and
 * building the relational config walks every table on each `drizzle()` call — about a
 * sixth of a request's CPU when a handle is opened per request (docs/decisions/0058).
 */
export type Db = ReturnType<typeof drizzle>;
/** An open transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** A database handle or an open transaction: services take either so callers can compose them. */
export type Queryable = Db | Tx;

interface DbEnv extends DriverEnv {
  DATABASE_URL: string;
}

/**
 * One pool per request (or per Durable Object task): Workers cannot keep sockets across
 * requests, so callers end it with `waitUntil(pool.end())`.
 */
export function openDb(env: DbEnv): { db: Db; pool: Pool } {
  const pool = openPool(env, 4);
  return { db: drizzle(pool), pool };
}

/**
 * Runs `fn` with a short-lived database handle and always closes it. Outside a request
 * (Durable Objects, queue consumers, cron) this is the outbox unit of work: notifications
 * recorded inside are enqueued before it returns.
 */
export async function withDb<T>(env: DbEnv & Partial<OutboxEnv>, fn: (db: Db) => Promise<T>): Promise<T> {
  const { db, pool } = openDb(env);
  try {
    return await withOutbox(env, () => fn(db));
  } finally {
    await pool.end().catch(() => {});
  }
}
