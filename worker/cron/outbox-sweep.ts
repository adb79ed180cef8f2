import { sql } from 'drizzle-orm';
import type { Db } from '../lib/db';
import { withDb } from '../lib/db';
import { enqueueInvoices, enqueueNotifications, SWEEP_GRACE_MINUTES } from '../notify/outbox';
import { sqlList } from '../../db/sql-list';
import { SERVED_JOB } from '../../contract/job-status';
import { log } from '../lib/log';

/** A row that has been tried is left to the queue's own retries for longer than the longest backoff. */
export const RETRYING_GRACE_MINUTES = 15;
const SWEEP_LIMIT = 500;

/** Outbox rows due and stuck in `queued`: see `sweepOutbox`. */
export async function stuckNotifications(db: Db): Promise<{ id: string; send_after: Date | null }[]> {
  const rows = await db.execute<{ id: string; send_after_ms: string | null }>(sql`
    SELECT id, (extract(epoch FROM send_after) * 1000)::bigint AS send_after_ms FROM notification_log
    WHERE status = 'queued'
      AND coalesce(send_after, created_at) < now() - make_interval(mins => ${SWEEP_GRACE_MINUTES}::int)
      AND updated_at < now() - make_interval(mins => CASE WHEN attempts = 0 THEN ${SWEEP_GRACE_MINUTES}::int ELSE ${RETRYING_GRACE_MINUTES}::int END)
    ORDER BY created_at
    LIMIT ${SWEEP_LIMIT}`);
  return rows.rows.map((r) => ({
    id: r.id,
    send_after: r.send_after_ms === null ? null : new Date(Number(r.send_after_ms)),
  }));
}

/** Completed jobs of the last week still without an invoice PDF. */
export async function jobsMissingInvoicePdf(db: Db): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(sql`
    SELECT j.id FROM jobs j
    WHERE j.status IN (${sqlList(SERVED_JOB)})
      AND j.completed_at BETWEEN now() - interval '7 days' AND now() - make_interval(mins => ${SWEEP_GRACE_MINUTES}::int)
      AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.job_id = j.id AND i.status <> 'void' AND i.pdf_key IS NOT NULL)
    ORDER BY j.completed_at
    LIMIT 100`);
  return rows.rows.map((r) => r.id);
}

/**
 * When the outbox next needs a look (epoch ms; null: not until new rows): the earliest
 * moment a `queued` row could count as stuck, or a completed job still lacking its PDF is
 * due (again, for one the sweep just re-enqueued).
 */
export async function nextOutboxCheck(db: Db): Promise<number | null> {
  const grace = sql`make_interval(mins => ${SWEEP_GRACE_MINUTES}::int)`;
  const retrying = sql`make_interval(mins => ${RETRYING_GRACE_MINUTES}::int)`;
  const rows = await db.execute<{ next_ms: string | null }>(sql`
    SELECT (extract(epoch FROM least(
      (SELECT min(greatest(coalesce(send_after, created_at) + ${grace},
                           updated_at + CASE WHEN attempts = 0 THEN ${grace} ELSE ${retrying} END))
         FROM notification_log WHERE status = 'queued'),
      (SELECT min(CASE WHEN j.completed_at <= now() - ${grace} THEN now() + ${retrying} ELSE j.completed_at + ${grace} END)
         FROM jobs j
        WHERE j.status IN (${sqlList(SERVED_JOB)})
          AND j.completed_at > now() - interval '7 days'
          AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.job_id = j.id AND i.status <> 'void' AND i.pdf_key IS NOT NULL))
    )) * 1000)::bigint AS next_ms`);
  const next = rows.rows[0]?.next_ms;
  return next === null || next === undefined ? null : Number(next);
}

/**
 * The outbox's safety net: a crash between a commit and its enqueue leaves a `queued` row
 * no message points at; this finds such rows and enqueues them (and completed jobs whose
 * invoice PDF never got made). Duplicates are harmless — the consumer claims a row before
 * sending. Touching `updated_at` keeps the next sweep from piling on. It says when the
 * outbox next needs a look, so the database can sleep in between (worker/cron.ts).
 */
export async function sweepOutbox(
  env: Env,
): Promise<{ notifications: number; invoices: number; next_check_ms: number | null }> {
  return withDb(env, async (db) => {
    const stuck = await stuckNotifications(db);
    if (stuck.length > 0) {
      await enqueueNotifications(env, stuck);
      await db.execute(
        sql`UPDATE notification_log SET updated_at = now() WHERE id IN (${sql.join(
          stuck.map((s) => sql`${s.id}::uuid`),
          sql`, `,
        )})`,
      );
    }
    const jobs = await jobsMissingInvoicePdf(db);
    await enqueueInvoices(env, jobs);
    if (stuck.length || jobs.length)
      log.info({
        msg: 'outbox sweep re-enqueued',
        notifications: stuck.length,
        invoices: jobs.length,
      });
    return { notifications: stuck.length, invoices: jobs.length, next_check_ms: await nextOutboxCheck(db) };
  });
}
