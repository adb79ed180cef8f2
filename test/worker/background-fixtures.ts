import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import { openDb, type Db } from '../../worker/lib/db';
import { withOutbox } from '../../worker/notify/outbox';

/**
 * Helpers of the background-work tests (notifications, queues, cron): the outbox-aware
 * database handle, polling, the notification log and the operator's quiet hours.
 */

let shared: Db | null = null;

/**
 * One database handle for the whole test file (polling opens no new connections), run as
 * an outbox unit of work so notifications recorded through it are enqueued like the app's.
 */
export function db<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  shared ??= openDb(env).db;
  return withOutbox(env, () => fn(shared!));
}

/** Polls `probe` until it returns a truthy value (bounded). */
export async function waitFor<T>(
  probe: () => Promise<T>,
  { timeoutMs = 15_000, intervalMs = 200, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function notificationsFor(where: { job_id?: string; user_id?: string; kind?: string }) {
  return db(async (d) => {
    const conds = [];
    if (where.job_id) conds.push(sql`job_id = ${where.job_id}`);
    if (where.user_id) conds.push(sql`user_id = ${where.user_id}`);
    if (where.kind) conds.push(sql`kind = ${where.kind}`);
    const rows = await d.execute<typeof t.notification_log.$inferSelect>(
      sql`SELECT * FROM notification_log WHERE ${sql.join(conds, sql` AND `)} ORDER BY created_at, id`,
    );
    return rows.rows;
  });
}

/** Sets the operator's quiet hours; returns a function restoring the previous ones. */
export async function setQuietHours(start: number | null, end: number | null): Promise<() => Promise<void>> {
  const [before] = await db((d) =>
    d
      .select({ s: t.operator_settings.quiet_hours_start, e: t.operator_settings.quiet_hours_end })
      .from(t.operator_settings)
      .limit(1),
  );
  await db((d) => d.update(t.operator_settings).set({ quiet_hours_start: start, quiet_hours_end: end }));
  return async () => {
    await db((d) =>
      d.update(t.operator_settings).set({ quiet_hours_start: before?.s ?? null, quiet_hours_end: before?.e ?? null }),
    );
  };
}
