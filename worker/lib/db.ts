import { Pool, type PoolClient } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { configureDriver, type DriverEnv } from './neon-config';
import { withOutbox, type OutboxEnv } from '../notify/outbox';

/**
 * No relational schema is handed to drizzle: the code uses the query builder only, and
 * building the relational config walks every table on each `drizzle()` call — about a
 * sixth of a request's CPU when a handle is opened per request (docs/decisions/0058).
 */
export type Db = ReturnType<typeof drizzle>;

interface DbEnv extends DriverEnv {
  DATABASE_URL: string;
}

/**
 * One pool per request (or per Durable Object task): Workers cannot keep sockets across
 * requests, so callers end it with `waitUntil(pool.end())`.
 */
export function openDb(env: DbEnv): { db: Db; pool: Pool } {
  configureDriver(env);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 4 });
  pool.on('error', (err: Error) => {
    // A connection dropped while the pool is being closed is the end we asked for, not a fault.
    if ((pool as Pool & { ending?: boolean }).ending) return;
    console.error(JSON.stringify({ level: 'error', msg: 'db pool error', err: err.message }));
  });
  // pg emits a lost connection as an `error` event on the client; a client checked out for a
  // transaction has no listener, so without this one the event is thrown as an uncaught
  // exception. The query in flight is rejected either way — that is what callers act on.
  pool.on('connect', (client: PoolClient) => client.on('error', () => {}));
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
