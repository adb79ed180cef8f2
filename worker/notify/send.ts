import type { Db } from '../lib/db';
import { enqueueNotification, type NotificationChannel } from '../services/notify-intents';
import { enqueueNotifications } from './outbox';

export interface SendNowInput {
  user_id?: string | null;
  channel: NotificationChannel;
  recipient: string;
  subject?: string | null;
  body: string;
  kind: string;
  idempotency_key: string;
}

/**
 * Sends a message right away — verification codes, magic links — through the same outbox
 * and queue as every notification (recorded, retried, visible to admins; the outbox
 * provider in local dev). The message is enqueued before this returns rather than at the
 * end of the request, since the person is waiting for it. Not subject to quiet hours.
 * Returns the notification id (null when the idempotency key was already used).
 */
export async function sendNow(env: Env, db: Db, input: SendNowInput): Promise<{ id: string | null }> {
  const id = await enqueueNotification(db, { ...input, send_after: null });
  if (id) await enqueueNotifications(env, [{ id, send_after: null }]);
  return { id };
}
