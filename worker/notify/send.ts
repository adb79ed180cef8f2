import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { backoffSeconds } from '../queues/notifications';
import { deliverNotification } from './deliver';
import { markSecrets } from './secrets';
import { log } from '../lib/log';

export interface OutgoingMessage {
  user_id?: string | null;
  channel: 'email' | 'sms';
  /** Email address or E.164 phone number. */
  recipient: string;
  subject?: string;
  body: string;
  /** What the message is about, e.g. `magic_link`, `job_assigned`. */
  kind: string;
  /** Collapses retries and redeliveries onto one row and one send. */
  idempotency_key: string;
  /**
   * Secrets inside `body` (one-time links, codes) that must not be kept in the log once
   * a real provider has delivered them: the outbox is readable by admins.
   */
  redact?: string[];
}

export interface SendResult {
  id: string;
  /** `queued`: the first attempt failed transiently and the notifications queue retries it. */
  status: 'sent' | 'queued' | 'failed';
  provider: 'resend' | 'twilio' | 'outbox';
  duplicate: boolean;
}

function providerName(p: string | null | undefined): SendResult['provider'] {
  return p === 'resend' || p === 'twilio' ? p : 'outbox';
}

/**
 * Sends one email or SMS now — verification codes, magic links: the person is waiting —
 * through the same outbox as every notification (notify/deliver.ts). The row is written,
 * then delivered in this request (same claim, providers and recording as the queue
 * consumer); a transient provider failure hands the row to the notifications queue, which
 * retries it with backoff and dead-letters it in the end. Without provider keys the
 * message is only recorded (provider `outbox`) and printed in development.
 *
 * Secrets in `redact` are kept only until a real provider has the message; after that
 * the stored body shows `[redacted]` (the outbox provider keeps them so a local demo can
 * read codes and links).
 *
 * Idempotent on `idempotency_key`: a second call returns the first row and sends
 * nothing. Never throws for a provider failure — the row records it — so callers like
 * "request a magic link" answer the same either way.
 *
 * @example
 * await sendNow(env, db, { user_id, channel: 'sms', recipient: '+16035550100', body: 'Your code is 123456', kind: 'verify_phone', idempotency_key: `verify_phone:${tokenId}`, redact: ['123456'] });
 */
export async function sendNow(env: Env, db: Db, msg: OutgoingMessage): Promise<SendResult> {
  const [row] = await db
    .insert(t.notification_log)
    .values({
      user_id: msg.user_id ?? null,
      kind: msg.kind,
      channel: msg.channel,
      recipient: msg.recipient,
      subject: msg.subject ?? null,
      body: markSecrets(msg.body, msg.redact),
      status: 'queued',
      idempotency_key: msg.idempotency_key,
    })
    .onConflictDoNothing({ target: t.notification_log.idempotency_key })
    .returning({ id: t.notification_log.id });
  if (!row) {
    const [existing] = await db
      .select({ id: t.notification_log.id, status: t.notification_log.status, provider: t.notification_log.provider })
      .from(t.notification_log)
      .where(eq(t.notification_log.idempotency_key, msg.idempotency_key))
      .limit(1);
    const status =
      existing!.status === 'failed' || existing!.status === 'dead'
        ? 'failed'
        : existing!.status === 'queued'
          ? 'queued'
          : 'sent';
    return { id: existing!.id, status, provider: providerName(existing!.provider), duplicate: true };
  }

  const outcome = await deliverNotification(env, db, row.id, { finalAttempt: false });
  const [after] = await db
    .select({ provider: t.notification_log.provider })
    .from(t.notification_log)
    .where(eq(t.notification_log.id, row.id))
    .limit(1);
  const provider = providerName(after?.provider);
  switch (outcome.kind) {
    case 'done':
      return { id: row.id, status: outcome.status === 'sent' ? 'sent' : 'failed', provider, duplicate: false };
    case 'retry':
    case 'later':
      await env.NOTIFICATIONS.send(
        { id: row.id },
        {
          delaySeconds:
            outcome.kind === 'later'
              ? outcome.delaySeconds
              : backoffSeconds(1, Number(env.NOTIFY_RETRY_BASE_SECONDS ?? 30)),
        },
      );
      return { id: row.id, status: 'queued', provider, duplicate: false };
    default:
      log.error({
        msg: 'notification send failed',
        provider,
        kind: msg.kind,
        notification_id: row.id,
        err: outcome.error,
      });
      return { id: row.id, status: 'failed', provider, duplicate: false };
  }
}
