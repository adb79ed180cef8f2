import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { WithSubquery } from 'drizzle-orm/subquery';
import * as t from '../../db/schema';
import type { Queryable } from '../lib/db';
import { noteQueued } from '../notify/outbox';
import type { NotificationChannel } from '../../contract/enums';

export type { Queryable, Tx } from '../lib/db';

/** One message to one recipient, as the domain decides it. */
export interface NotificationIntent {
  user_id?: string | null;
  job_id?: string | null;
  /** e.g. 'job_en_route', 'driver_job_assigned', 'daily_report'. */
  kind: string;
  channel: NotificationChannel;
  /** Phone (E.164), email address, or push_subscriptions.id. */
  recipient: string | null;
  subject?: string | null;
  body: string;
  /** Unique per message: a replayed request or a re-run cron maps onto the same row. */
  idempotency_key: string;
  /** Quiet hours: not before this instant. */
  send_after?: Date | null;
  /** When set the row is recorded as `skipped` with this reason, so the outbox shows why nothing went out. */
  skipped_reason?: string;
}

/**
 * Records a notification in the transactional outbox (`notification_log`, status `queued`)
 * inside the caller's transaction; it is enqueued after the unit of work ends (see
 * notify/outbox.ts). Idempotent on `idempotency_key`: returns the new row's id, or null
 * when that key was already recorded.
 *
 * @example
 *   await db.transaction(async (tx) => {
 *     await tx.update(jobs)…;
 *     await enqueueNotification(tx, { kind: 'job_en_route', channel: 'sms', recipient: '+16035550111',
 *       body: 'Granite State Plowing: your driver is on the way.', idempotency_key: `job:${id}:v3:sms:${userId}` });
 *   });
 */
export async function enqueueNotification(tx: Queryable, intent: NotificationIntent): Promise<string | null> {
  const [recorded] = await enqueueNotificationIntents(tx, [intent]);
  return recorded?.id ?? null;
}

/** What the outbox insert returns of each row it recorded. */
export interface RecordedIntent {
  id: string;
  status: string;
  send_after: Date | string | null;
}

/**
 * One INSERT of `intents` into the outbox, the rows carried as one JSON parameter (a
 * message is a dozen columns: built column by column, the statement cost more CPU than the
 * job change that caused it). With `after` — a statement's `WITH` of the rows a change
 * wrote — it records nothing when that change matched no row, so it can sit in the same
 * statement as the change. Idempotency keys recorded before are skipped; it returns the
 * rows it recorded (`RecordedIntent`).
 */
export function intentsInsertSql(intents: readonly NotificationIntent[], after?: WithSubquery): SQL {
  const rows = intents.map((intent) => {
    const skipped = intent.skipped_reason !== undefined;
    return {
      user_id: intent.user_id ?? null,
      job_id: intent.job_id ?? null,
      kind: intent.kind,
      channel: intent.channel,
      recipient: intent.recipient,
      subject: intent.subject ?? null,
      body: intent.body,
      idempotency_key: intent.idempotency_key,
      send_after: intent.send_after ?? null,
      status: skipped ? 'skipped' : 'queued',
      last_error: skipped ? intent.skipped_reason : null,
    };
  });
  return sql`INSERT INTO ${t.notification_log}
      (user_id, job_id, kind, channel, recipient, subject, body, idempotency_key, send_after, status, last_error)
    SELECT r.user_id, r.job_id, r.kind, r.channel, r.recipient, r.subject, r.body, r.idempotency_key, r.send_after, r.status, r.last_error
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(user_id uuid, job_id uuid, kind text, channel text,
        recipient text, subject text, body text, idempotency_key text, send_after timestamptz, status text, last_error text)
    ${after ? sql`WHERE EXISTS (SELECT 1 FROM ${after})` : sql``}
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, status, send_after`;
}

/**
 * The rows an outbox insert recorded, each noted for enqueueing when the unit of work ends
 * if it is on its way (`queued`) rather than recorded as skipped.
 */
export function noteRecorded(rows: readonly RecordedIntent[]): { id: string; queued: boolean }[] {
  return rows.map((row) => {
    const queued = row.status === 'queued';
    if (queued) noteQueued(row.id, row.send_after === null ? null : new Date(row.send_after));
    return { id: row.id, queued };
  });
}

/**
 * `enqueueNotification` for several messages in one statement (everyone a job change tells,
 * on each of their channels). Returns the rows it recorded, with whether each is on its way
 * (`queued`) or recorded as skipped; idempotency keys recorded before are left out.
 */
export async function enqueueNotificationIntents(
  tx: Queryable,
  intents: readonly NotificationIntent[],
): Promise<{ id: string; queued: boolean }[]> {
  if (intents.length === 0) return [];
  const { rows } = await tx.execute<RecordedIntent & Record<string, unknown>>(intentsInsertSql(intents));
  return noteRecorded(rows);
}

/**
 * Withdraws the messages `which` picks that are still waiting to go, with the reason the
 * outbox shows for each: the recipient replied STOP, the account was deleted, the payment
 * a receipt reports was taken back.
 */
export async function withdrawQueued(tx: Queryable, which: SQL | undefined, reason: string): Promise<void> {
  await tx
    .update(t.notification_log)
    .set({ status: 'skipped', last_error: reason })
    .where(and(eq(t.notification_log.status, 'queued'), which));
}
