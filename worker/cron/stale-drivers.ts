import { sql } from 'drizzle-orm';
import { withDb } from '../lib/db';
import { dispatchStub, publishDriverStatus } from '../realtime';
import { log } from '../lib/log';

export type StaleDriver = { id: string; previous_status: string };

/**
 * ApexPlow CleanupStaleDriverLocations (every 5 minutes while a driver is on shift): a
 * driver not heard from for `operator_settings.stale_driver_minutes` — no location flush,
 * no status change, i.e. the row's `updated_at` — goes offline and loses their current
 * location, so the fleet map shows no ghosts; the Dispatch object forgets their live position and the admins' board
 * is told. The driver app keeps a driver fresh by pinging while available.
 * Silence is measured up to `asOf` — the Cron Trigger's scheduled time, so a tick that runs
 * late judges by the time it was meant for (and a test can fire a tick of its own time).
 * `onlyDrivers` narrows the sweep (tests share one database).
 */
export async function cleanupStaleDrivers(
  env: Env,
  opts: { onlyDrivers?: string[]; asOf?: Date } = {},
): Promise<{ stale: StaleDriver[]; next_check_ms: number | null }> {
  const only = opts.onlyDrivers
    ? sql`AND d.id IN (${sql.join(
        opts.onlyDrivers.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`
    : sql``;
  const asOf = opts.asOf ? sql`${opts.asOf.toISOString()}::timestamptz` : sql`now()`;
  const { stale, next_check_ms } = await withDb(env, async (db) => {
    const result = await db.execute<StaleDriver>(sql`
      WITH settings AS (SELECT coalesce((SELECT stale_driver_minutes FROM operator_settings LIMIT 1), 10) AS minutes),
      stale AS (
        SELECT d.id, d.status FROM driver_profiles d, settings s
        WHERE d.status <> 'offline'
          AND d.updated_at < ${asOf} - make_interval(mins => s.minutes)
          ${only}
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE driver_profiles d SET status = 'offline', current_location = NULL
      FROM stale WHERE d.id = stale.id
      RETURNING d.id, stale.status AS previous_status`);
    // The next driver on shift who could fall silent: the check is not needed before then.
    const next = await db.execute<{ next_ms: string | null }>(sql`
      SELECT (extract(epoch FROM min(d.updated_at)
                + make_interval(mins => coalesce((SELECT stale_driver_minutes FROM operator_settings LIMIT 1), 10))) * 1000)::bigint AS next_ms
      FROM driver_profiles d WHERE d.status <> 'offline'`);
    const nextMs = next.rows[0]?.next_ms;
    return { stale: result.rows, next_check_ms: nextMs === null || nextMs === undefined ? null : Number(nextMs) };
  });
  if (stale.length === 0) return { stale, next_check_ms };
  const dispatch = dispatchStub(env);
  const ts = new Date().toISOString();
  const results = await Promise.allSettled(
    stale.flatMap((d) => [dispatch.forgetDriver(d.id), publishDriverStatus(env, d.id, 'offline', ts)]),
  );
  for (const r of results)
    if (r.status === 'rejected') log.error({ msg: 'stale-driver fan-out failed', err: String(r.reason) });
  log.info({ msg: 'stale drivers set offline', drivers: stale.map((d) => d.id) });
  return { stale, next_check_ms };
}
