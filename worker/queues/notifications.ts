import { withDb } from '../lib/db';
import { deliverNotification, markDead } from '../notify/deliver';
import { NotificationMessage } from '../notify/outbox';
import { log } from '../lib/log';
import { readMessage } from './message';

/** Keep equal to `max_retries` of the plowdispatch-notifications consumer in wrangler.toml. */
export const NOTIFY_MAX_RETRIES = 5;
/** No single retry waits longer than this. */
export const MAX_BACKOFF_SECONDS = 600;

/**
 * Exponential backoff by delivery attempt: base·2^(attempt−1), capped. With the default
 * base of 30 s a message is tried at about 0 s, 30 s, 1.5 min, 3.5 min, 7.5 min and 15.5 min
 * before it is dead-lettered.
 */
export function backoffSeconds(attempt: number, baseSeconds: number): number {
  return Math.min(MAX_BACKOFF_SECONDS, Math.max(0, Math.round(baseSeconds * 2 ** Math.max(0, attempt - 1))));
}

function baseSeconds(env: Env): number {
  const n = Number(env.NOTIFY_RETRY_BASE_SECONDS);
  return Number.isFinite(n) && n >= 0 ? n : 30;
}

/**
 * The notifications consumer. Each message is one outbox row id; see `deliverNotification`
 * for the row's life. Malformed messages are acknowledged and logged (retrying cannot fix
 * them); anything unexpected retries the message.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await withDb(env, (db) =>
    Promise.all(
      batch.messages.map(async (msg) => {
        const notification = readMessage(msg, NotificationMessage, 'dropping malformed notification message');
        if (!notification) return;
        try {
          const outcome = await deliverNotification(env, db, notification.id, {
            finalAttempt: msg.attempts > NOTIFY_MAX_RETRIES,
          });
          switch (outcome.kind) {
            case 'done':
            case 'failed':
              return msg.ack();
            case 'later':
              await env.NOTIFICATIONS.send(notification, { delaySeconds: outcome.delaySeconds });
              return msg.ack();
            case 'retry':
              return msg.retry({ delaySeconds: backoffSeconds(msg.attempts, baseSeconds(env)) });
            case 'dead_letter':
              log.error({
                msg: 'notification dead-lettered',
                id: notification.id,
                error: outcome.error,
              });
              return msg.retry();
          }
        } catch (err) {
          log.error({
            msg: 'notification delivery crashed; retrying',
            id: notification.id,
            err: String(err),
          });
          msg.retry({ delaySeconds: backoffSeconds(msg.attempts, baseSeconds(env)) });
        }
      }),
    ),
  );
}

/**
 * The notifications dead-letter queue: messages that failed every retry. The row becomes
 * `dead` — visible in the admin outbox — so nothing fails silently.
 */
export async function consumeDeadNotifications(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await withDb(env, async (db) => {
    for (const msg of batch.messages) {
      const notification = readMessage(msg, NotificationMessage, 'malformed message in notifications DLQ');
      if (!notification) continue;
      await markDead(db, notification.id);
      log.error({ msg: 'notification is dead', id: notification.id });
      msg.ack();
    }
  });
}
