import { withDb } from '../lib/db';
import { type DeliveryOutcome, deliverNotifications, markDead } from '../notify/deliver';
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
 * The notifications consumer. Each message is one outbox row id; the batch's rows are
 * delivered together (`deliverNotifications`: one read, one claim and one record of what
 * was sent for the whole batch). Malformed messages are acknowledged and logged (retrying
 * cannot fix them); a copy of an id already in the batch is acknowledged (the row is
 * delivered once); anything unexpected retries the batch's messages.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const messages = new Map<string, Message<unknown>>();
  for (const msg of batch.messages) {
    const notification = readMessage(msg, NotificationMessage, 'dropping malformed notification message');
    if (!notification) continue;
    if (messages.has(notification.id)) msg.ack();
    else messages.set(notification.id, msg);
  }
  if (messages.size === 0) return;
  let outcomes: Map<string, DeliveryOutcome>;
  try {
    outcomes = await withDb(env, (db) =>
      deliverNotifications(
        env,
        db,
        [...messages].map(([id, msg]) => ({ id, finalAttempt: msg.attempts > NOTIFY_MAX_RETRIES })),
      ),
    );
  } catch (err) {
    log.error({ msg: 'notification delivery crashed; retrying', ids: [...messages.keys()], err: String(err) });
    for (const msg of messages.values()) msg.retry({ delaySeconds: backoffSeconds(msg.attempts, baseSeconds(env)) });
    return;
  }
  await Promise.all(
    [...messages].map(async ([id, msg]) => {
      const outcome = outcomes.get(id)!;
      switch (outcome.kind) {
        case 'done':
        case 'failed':
          return msg.ack();
        case 'later':
          try {
            await env.NOTIFICATIONS.send({ id }, { delaySeconds: outcome.delaySeconds });
            return msg.ack();
          } catch (err) {
            log.error({ msg: 'notification not put back on the queue; retrying', id, err: String(err) });
            return msg.retry({ delaySeconds: outcome.delaySeconds });
          }
        case 'retry':
          return msg.retry({ delaySeconds: backoffSeconds(msg.attempts, baseSeconds(env)) });
        case 'dead_letter':
          log.error({ msg: 'notification dead-lettered', id, error: outcome.error });
          return msg.retry();
      }
    }),
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
