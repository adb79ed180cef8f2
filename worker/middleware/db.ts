import type { MiddlewareHandler } from 'hono';
import { openDb } from '../lib/db';
import { withOutbox } from '../notify/outbox';
import type { AppEnv } from '../types';

/**
 * One database handle per request as `c.var.db`, closed after the response. The request is
 * also one outbox unit of work: notifications its transactions recorded are enqueued after
 * the handler returns, without delaying the response (notify/outbox.ts).
 */
export const database: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { db, pool } = openDb(c.env);
  c.set('db', db);
  try {
    await withOutbox(
      c.env,
      () => next(),
      (work) => c.executionCtx.waitUntil(work),
    );
  } finally {
    c.executionCtx.waitUntil(pool.end().catch(() => {}));
  }
};
