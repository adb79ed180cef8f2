import { sql } from 'drizzle-orm';
import { withDb } from '../lib/db';
import { log } from '../lib/log';

/**
 * Runs one scheduled task and records it in `cron_runs` (started, finished, ok/error and
 * the error text) for the health view. The task's own failure is re-thrown after it is
 * recorded, so the platform's cron log shows it too.
 */
export async function recordRun<T>(env: Env, name: string, task: () => Promise<T>): Promise<T> {
  await withDb(env, (db) =>
    db.execute(sql`
      INSERT INTO cron_runs (name, last_started_at, last_status, last_error) VALUES (${name}, now(), 'running', NULL)
      ON CONFLICT (name) DO UPDATE SET last_started_at = now(), last_status = 'running', last_error = NULL`),
  );
  let status = 'ok';
  let error: string | null = null;
  try {
    return await task();
  } catch (err) {
    status = 'error';
    error = err instanceof Error ? err.message : String(err);
    log.error({ msg: 'cron task failed', task: name, err: error });
    throw err;
  } finally {
    await withDb(env, (db) =>
      db.execute(
        sql`UPDATE cron_runs SET last_finished_at = now(), last_status = ${status}, last_error = ${error} WHERE name = ${name}`,
      ),
    ).catch((err: unknown) => log.error({ msg: 'could not record cron run', task: name, err: String(err) }));
  }
}
