import { z } from 'zod';
import { DRIVER_STATUSES, NOTIFICATION_CHANNELS } from './enums';

/**
 * `GET /api/v1/admin/health`: the operator's one view of the running system. The Worker
 * builds it and parses it with this schema before answering; the admin portal reads it.
 */

const iso = z.string();
const seconds = z.number().int().min(0);

/** Why the overall status is not `ok`, as codes the admin portal words. */
export const HEALTH_CONCERNS = [
  'database_unreachable',
  'migrations_pending',
  'notification_backlog',
  'dead_letters',
  'cron_failed',
  'cron_overdue',
  'stale_drivers',
  'gps_log_lag',
] as const;
export type HealthConcern = (typeof HEALTH_CONCERNS)[number];

export const CronRunHealth = z.object({
  name: z.string(),
  /** The Cron Trigger expression that runs it (wrangler.toml `[triggers]`). */
  schedule: z.string(),
  last_started_at: iso.nullable(),
  last_finished_at: iso.nullable(),
  /** `never` when it has not run on this database yet. */
  last_status: z.enum(['ok', 'error', 'running', 'never']),
  last_error: z.string().nullable(),
  /** Started longer ago than twice its period (only for a task that has run before). */
  overdue: z.boolean(),
});

export const DeadLetter = z.object({
  id: z.string(),
  kind: z.string(),
  channel: z.enum(NOTIFICATION_CHANNELS),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  created_at: iso,
  updated_at: iso,
});

export const StaleDriver = z.object({
  id: z.string(),
  full_name: z.string(),
  status: z.enum(DRIVER_STATUSES),
  /** Device time of the last fix, or null when the driver never sent one. */
  last_fix_at: iso.nullable(),
  silent_minutes: z.number().int().min(0),
});

export const AdminHealth = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  concerns: z.array(z.enum(HEALTH_CONCERNS)),
  checked_at: iso,
  app: z.object({
    env: z.string(),
    version: z.string(),
    /** The deployed Worker version (Cloudflare's version-metadata binding), when bound. */
    deployment: z.object({ id: z.string(), tag: z.string(), timestamp: z.string() }).nullable(),
    config_warnings: z.array(z.string()),
  }),
  database: z.object({
    ok: z.boolean(),
    /** First `SELECT 1`: opening the connection plus one round trip. */
    connect_ms: z.number().nullable(),
    /** Second `SELECT 1`: one round trip. */
    ping_ms: z.number().nullable(),
    /** A small real query (open jobs by status, on its index). */
    query_ms: z.number().nullable(),
    error: z.string().nullable(),
  }),
  migrations: z.object({ expected: z.string(), applied: z.string().nullable(), current: z.boolean() }).nullable(),
  notifications: z
    .object({
      /** Due and never tried. */
      queued: seconds,
      /** Due, tried at least once, waiting for the queue's next retry. */
      retrying: seconds,
      /** Held until later (quiet hours). */
      held: seconds,
      oldest_due_at: iso.nullable(),
      oldest_age_seconds: seconds.nullable(),
    })
    .nullable(),
  dead_letters: z.object({ count: seconds, last_24h: seconds, recent: z.array(DeadLetter).max(5) }).nullable(),
  crons: z.array(CronRunHealth).nullable(),
  stale_drivers: z.object({ threshold_minutes: z.number().int().min(1), drivers: z.array(StaleDriver) }).nullable(),
  gps_log: z
    .object({
      /** Drivers not offline. */
      on_shift: seconds,
      /** Largest gap between a driver's live position and the newest fix in the GPS log. */
      max_lag_seconds: seconds.nullable(),
      lagging: z.array(z.object({ driver_id: z.string(), full_name: z.string(), lag_seconds: seconds })).max(5),
    })
    .nullable(),
});
export type AdminHealth = z.infer<typeof AdminHealth>;
export type CronRunHealth = z.infer<typeof CronRunHealth>;
export type DeadLetter = z.infer<typeof DeadLetter>;
export type StaleDriver = z.infer<typeof StaleDriver>;
