import { sql } from 'drizzle-orm';
import { AdminHealth, type HealthConcern } from '../../contract/health';
import journal from '../../migrations/meta/_journal.json';
import pkg from '../../package.json';
import { configStatus } from '../config';
import { CRON_TASKS, IDLE_TASK_PERIOD_MINUTES } from '../cron';
import { RETRYING_GRACE_MINUTES } from '../cron/outbox-sweep';
import type { Db } from '../lib/db';
import { sqlList } from '../../db/sql-list';
import { OPEN_JOB } from '../../contract/job-status';
import { log } from '../lib/log';

/**
 * The admin's health view (`GET /api/v1/admin/health`): what an operator checks first when
 * something seems wrong — is the database there and current, are notifications flowing,
 * did the crons run, are drivers silent. Every section is a small indexed query; none
 * scans a large table.
 */

/** A due notification older than the queue's longest retry cycle is stuck, not retrying. */
export const NOTIFICATION_BACKLOG_SECONDS = RETRYING_GRACE_MINUTES * 60;
/** The GPS log trails live positions by a queue hop (seconds); minutes means the consumer is failing. */
export const GPS_LOG_LAG_SECONDS = 300;
const STALE_DRIVERS_SHOWN = 50;

const LATEST_MIGRATION = journal.entries[journal.entries.length - 1]!;

/** Minutes between runs of a cron expression, for the forms wrangler.toml uses; null for others. */
export function cronPeriodMinutes(expr: string): number | null {
  const [min = '', hour = '', dom = '', mon = '', dow = ''] = expr.trim().split(/\s+/);
  const num = (f: string) => /^\d+$/.test(f);
  if (mon !== '*' || dow !== '*') return null;
  if (hour === '*' && dom === '*') {
    if (min === '*') return 1;
    const step = /^\*\/(\d+)$/.exec(min);
    if (step) return Number(step[1]);
    return num(min) ? 60 : null;
  }
  if (num(min) && num(hour)) return dom === '*' ? 24 * 60 : num(dom) ? 31 * 24 * 60 : null;
  return null;
}

/** A timestamp from the driver (Date) or from json_agg (ISO text) as ISO-8601 UTC. */
function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await db.execute(query)).rows as T[];
}

async function migrations(db: Db): Promise<AdminHealth['migrations']> {
  const [row] = await rows<{ created_at: string }>(
    db,
    sql`SELECT created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1`,
  );
  const last = row ? Number(row.created_at) : null;
  const applied = last === null ? null : (journal.entries.find((e) => e.when === last)?.tag ?? `unknown (${last})`);
  return { expected: LATEST_MIGRATION.tag, applied, current: last !== null && last >= LATEST_MIGRATION.when };
}

async function notifications(db: Db): Promise<AdminHealth['notifications']> {
  const [r] = await rows<{
    queued: number;
    retrying: number;
    held: number;
    oldest_due_at: unknown;
    oldest_age_seconds: number | null;
  }>(
    db,
    sql`
      SELECT count(*) FILTER (WHERE due AND attempts = 0)::int AS queued,
             count(*) FILTER (WHERE due AND attempts > 0)::int AS retrying,
             count(*) FILTER (WHERE NOT due)::int AS held,
             min(due_at) FILTER (WHERE due) AS oldest_due_at,
             floor(extract(epoch FROM now() - min(due_at) FILTER (WHERE due)))::int AS oldest_age_seconds
      FROM (SELECT attempts, coalesce(send_after, created_at) AS due_at, coalesce(send_after, created_at) <= now() AS due
            FROM notification_log WHERE status = 'queued') q`,
  );
  return {
    queued: r!.queued,
    retrying: r!.retrying,
    held: r!.held,
    oldest_due_at: iso(r!.oldest_due_at),
    oldest_age_seconds: r!.oldest_age_seconds === null ? null : Math.max(0, r!.oldest_age_seconds),
  };
}

async function deadLetters(db: Db): Promise<AdminHealth['dead_letters']> {
  const [counts, recent] = await Promise.all([
    rows<{ count: number; last_24h: number }>(
      db,
      sql`SELECT count(*)::int AS count, count(*) FILTER (WHERE updated_at > now() - interval '24 hours')::int AS last_24h FROM notification_log WHERE status = 'dead'`,
    ),
    rows<{
      id: string;
      kind: string;
      channel: string;
      attempts: number;
      last_error: string | null;
      created_at: unknown;
      updated_at: unknown;
    }>(
      db,
      sql`SELECT id, kind, channel, attempts, last_error, created_at, updated_at FROM notification_log WHERE status = 'dead' ORDER BY updated_at DESC, id DESC LIMIT 5`,
    ),
  ]);
  return {
    count: counts[0]!.count,
    last_24h: counts[0]!.last_24h,
    recent: recent.map((r) => ({
      ...r,
      channel: r.channel as never,
      created_at: iso(r.created_at)!,
      updated_at: iso(r.updated_at)!,
    })),
  };
}

async function crons(db: Db): Promise<AdminHealth['crons']> {
  const recorded = await rows<{
    name: string;
    last_started_at: unknown;
    last_finished_at: unknown;
    last_status: string | null;
    last_error: string | null;
    started_ago: number | null;
  }>(
    db,
    sql`SELECT name, last_started_at, last_finished_at, last_status, last_error, floor(extract(epoch FROM now() - last_started_at))::int AS started_ago FROM cron_runs`,
  );
  return Object.entries(CRON_TASKS).map(([schedule, task]) => {
    const run = recorded.find((r) => r.name === task.name);
    // A task that idles with the database runs at least on the hour.
    const period = 'idle' in task ? IDLE_TASK_PERIOD_MINUTES : cronPeriodMinutes(schedule);
    const status =
      run?.last_status === 'ok' || run?.last_status === 'error' || run?.last_status === 'running'
        ? run.last_status
        : 'never';
    return {
      name: task.name,
      schedule,
      last_started_at: iso(run?.last_started_at),
      last_finished_at: iso(run?.last_finished_at),
      last_status: status,
      last_error: run?.last_error ?? null,
      // A missed tick or two is the platform's business; two whole periods without a start is ours.
      overdue: !!run && run.started_ago !== null && period !== null && run.started_ago > 2 * period * 60 + 60,
    };
  });
}

/** Drivers on shift (not offline) without a GPS fix for `operator_settings.stale_driver_minutes`. */
async function staleDrivers(db: Db): Promise<AdminHealth['stale_drivers']> {
  const [r] = await rows<{
    minutes: number;
    drivers: { id: string; full_name: string; status: string; last_fix_at: string | null; silent_minutes: number }[];
  }>(
    db,
    sql`
      WITH s AS (SELECT coalesce((SELECT stale_driver_minutes FROM operator_settings ORDER BY created_at LIMIT 1), 10) AS minutes),
      stale AS (
        SELECT d.id, u.full_name, d.status, d.location_updated_at AS last_fix_at,
               floor(extract(epoch FROM now() - coalesce(d.location_updated_at, d.updated_at)) / 60)::int AS silent_minutes
        FROM driver_profiles d JOIN users u ON u.id = d.user_id, s
        WHERE d.status <> 'offline'
          AND coalesce(d.location_updated_at, d.updated_at) < now() - make_interval(mins => s.minutes)
        ORDER BY silent_minutes DESC, d.id
        LIMIT ${STALE_DRIVERS_SHOWN}
      )
      SELECT (SELECT minutes FROM s) AS minutes, coalesce((SELECT json_agg(stale ORDER BY silent_minutes DESC, id) FROM stale), '[]'::json) AS drivers`,
  );
  return {
    threshold_minutes: r!.minutes,
    drivers: r!.drivers.map((d) => ({
      ...d,
      status: d.status as never,
      last_fix_at: iso(d.last_fix_at),
      silent_minutes: Math.max(0, d.silent_minutes),
    })),
  };
}

/**
 * How far the GPS log trails the live positions: per driver on shift, the device time of
 * their live position minus that of their newest logged fix (one index probe per driver).
 */
async function gpsLog(db: Db): Promise<AdminHealth['gps_log']> {
  const drivers = await rows<{ driver_id: string; full_name: string; lag_seconds: number | null }>(
    db,
    sql`
      SELECT d.id AS driver_id, u.full_name,
             floor(extract(epoch FROM d.location_updated_at - l.recorded_at))::int AS lag_seconds
      FROM driver_profiles d JOIN users u ON u.id = d.user_id
      LEFT JOIN LATERAL (
        SELECT recorded_at FROM driver_location_log WHERE driver_id = d.id ORDER BY recorded_at DESC LIMIT 1
      ) l ON true
      WHERE d.status <> 'offline'`,
  );
  const lags = drivers
    .filter((d): d is typeof d & { lag_seconds: number } => d.lag_seconds !== null)
    .map((d) => ({ ...d, lag_seconds: Math.max(0, d.lag_seconds) }));
  lags.sort((a, b) => b.lag_seconds - a.lag_seconds || a.driver_id.localeCompare(b.driver_id));
  return {
    on_shift: drivers.length,
    max_lag_seconds: lags[0]?.lag_seconds ?? null,
    lagging: lags.filter((d) => d.lag_seconds > 0).slice(0, 5),
  };
}

/** One section that fails (a table a pending migration has not made yet…) is null in the view, not a 500. */
async function section<T>(name: string, work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (err) {
    log.error({ msg: 'admin health: section failed', section: name, err: String(err) });
    return null;
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, Math.round((performance.now() - started) * 10) / 10];
}

function concernsOf(h: Omit<AdminHealth, 'status' | 'concerns'>): HealthConcern[] {
  const c: HealthConcern[] = [];
  if (!h.database.ok) return ['database_unreachable'];
  if (h.migrations && !h.migrations.current) c.push('migrations_pending');
  if ((h.notifications?.oldest_age_seconds ?? 0) > NOTIFICATION_BACKLOG_SECONDS) c.push('notification_backlog');
  if ((h.dead_letters?.last_24h ?? 0) > 0) c.push('dead_letters');
  if (h.crons?.some((r) => r.last_status === 'error')) c.push('cron_failed');
  if (h.crons?.some((r) => r.overdue)) c.push('cron_overdue');
  if ((h.stale_drivers?.drivers.length ?? 0) > 0) c.push('stale_drivers');
  if ((h.gps_log?.max_lag_seconds ?? 0) > GPS_LOG_LAG_SECONDS) c.push('gps_log_lag');
  return c;
}

/** Builds the health view over one database handle. A database that does not answer is reported, not thrown. */
export async function systemHealth(env: Env, db: Db): Promise<AdminHealth> {
  const config = configStatus(env);
  const meta = (env as Env & { CF_VERSION_METADATA?: { id: string; tag: string; timestamp: string } })
    .CF_VERSION_METADATA;
  const app = {
    env: env.APP_ENV,
    version: pkg.version,
    deployment: meta ? { id: meta.id, tag: meta.tag ?? '', timestamp: meta.timestamp ?? '' } : null,
    config_warnings: config.ok ? config.warnings : [],
  };
  const empty = {
    migrations: null,
    notifications: null,
    dead_letters: null,
    crons: null,
    stale_drivers: null,
    gps_log: null,
  };
  let database: AdminHealth['database'];
  let sections: Pick<AdminHealth, keyof typeof empty> = empty;
  try {
    // Sequential, so each number means one thing: the first includes opening the connection.
    const [, connect_ms] = await timed(() => db.execute(sql`SELECT 1`));
    const [, ping_ms] = await timed(() => db.execute(sql`SELECT 1`));
    const [, query_ms] = await timed(() =>
      db.execute(
        sql`SELECT status, count(*)::int AS n FROM jobs WHERE status IN (${sqlList(OPEN_JOB)}) GROUP BY status`,
      ),
    );
    database = { ok: true, connect_ms, ping_ms, query_ms, error: null };
  } catch (err) {
    log.error({ msg: 'admin health: database query failed', err: String(err) });
    database = {
      ok: false,
      connect_ms: null,
      ping_ms: null,
      query_ms: null,
      error: err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300),
    };
  }
  if (database.ok) {
    const [m, n, d, c, s, g] = await Promise.all([
      section('migrations', migrations(db)),
      section('notifications', notifications(db)),
      section('dead_letters', deadLetters(db)),
      section('crons', crons(db)),
      section('stale_drivers', staleDrivers(db)),
      section('gps_log', gpsLog(db)),
    ]);
    sections = { migrations: m, notifications: n, dead_letters: d, crons: c, stale_drivers: s, gps_log: g };
  }
  const body = { checked_at: new Date().toISOString(), app, database, ...sections };
  const concerns = concernsOf(body);
  const status = !database.ok ? 'down' : concerns.length ? 'degraded' : 'ok';
  // Parsed on the way out: the shape the admin portal reads is the contract's, checked here.
  return AdminHealth.parse({ status, concerns, ...body });
}
