import type { Context } from 'hono';
import type { AppEnv } from '../types';
import { withDb, type Db } from './db';
import { log } from './log';

/**
 * Runs `work` after the response has gone, with its own database handle (the request's
 * closes with the response). Used where the answer must not depend on — or take longer
 * because of — what the work finds, e.g. "if that email has an account, send a link".
 */
export function afterResponse(c: Context<AppEnv>, what: string, work: (db: Db) => Promise<void>): void {
  const requestId = c.get('requestId');
  c.executionCtx.waitUntil(
    withDb(c.env, work).catch((err) => {
      log.error({
        msg: `background task failed: ${what}`,
        request_id: requestId,
        err: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
    }),
  );
}
