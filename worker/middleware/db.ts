import type { MiddlewareHandler } from 'hono';
import { openDb } from '../lib/db';
import type { AppEnv } from '../types';

/** One database handle per request as `c.var.db`, closed after the response. */
export const database: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { db, pool } = openDb(c.env);
  c.set('db', db);
  try {
    await next();
  } finally {
    c.executionCtx.waitUntil(pool.end().catch(() => {}));
  }
};
