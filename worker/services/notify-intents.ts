import { and, eq, type SQL } from 'drizzle-orm';
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
  const rows = await tx
    .insert(t.notification_log)
    .values(
      intents.map((intent) => {
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
          status: skipped ? ('skipped' as const) : ('queued' as const),
          last_error: skipped ? intent.skipped_reason : null,
        };
      }),
    )
    .onConflictDoNothing({ target: t.notification_log.idempotency_key })
    .returning({
      id: t.notification_log.id,
      status: t.notification_log.status,
      send_after: t.notification_log.send_after,
    });
  return rows.map((row) => {
    const queued = row.status === 'queued';
    if (queued) noteQueued(row.id, row.send_after);
    return { id: row.id, queued };
  });
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
