import { eq, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { settings } from '../lib/settings';

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
  status: 'sent' | 'failed';
  provider: 'resend' | 'twilio' | 'outbox';
  duplicate: boolean;
}

/** A provider call that did not succeed; `retryable` is for the queue that will wrap this. */
class ProviderError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

async function viaResend(env: Env, msg: OutgoingMessage): Promise<string> {
  const cfg = settings(env);
  const res = await fetch(`${cfg.RESEND_API_URL}/emails`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${cfg.RESEND_API_KEY}`,
      'content-type': 'application/json',
      'idempotency-key': msg.idempotency_key,
    },
    body: JSON.stringify({ from: cfg.EMAIL_FROM, to: [msg.recipient], subject: msg.subject ?? 'PlowDispatch', text: msg.body }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => ({}))) as { id?: string; message?: string };
  if (!res.ok) throw new ProviderError(`resend ${res.status}: ${body.message ?? 'error'}`, res.status === 429 || res.status >= 500);
  return body.id ?? '';
}

async function viaTwilio(env: Env, msg: OutgoingMessage): Promise<string> {
  const cfg = settings(env);
  const sid = cfg.TWILIO_ACCOUNT_SID!;
  const form = new URLSearchParams({ To: msg.recipient, From: cfg.TWILIO_FROM_NUMBER ?? '', Body: msg.body });
  const res = await fetch(`${cfg.TWILIO_API_URL}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${sid}:${cfg.TWILIO_AUTH_TOKEN}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: form,
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => ({}))) as { sid?: string; message?: string };
  if (!res.ok) throw new ProviderError(`twilio ${res.status}: ${body.message ?? 'error'}`, res.status === 429 || res.status >= 500);
  return body.sid ?? '';
}

/** Which provider delivers on this channel, or the outbox when its keys are not set. */
function providerFor(env: Env, channel: OutgoingMessage['channel']): SendResult['provider'] {
  const cfg = settings(env);
  if (channel === 'email' && cfg.RESEND_API_KEY) return 'resend';
  if (channel === 'sms' && cfg.TWILIO_ACCOUNT_SID && cfg.TWILIO_AUTH_TOKEN) return 'twilio';
  return 'outbox';
}

function redacted(body: string, secrets: string[] = []): string {
  return secrets.reduce((text, s) => (s ? text.replaceAll(s, '[redacted]') : text), body);
}

/**
 * Sends one email or SMS now and records it in `notification_log` (the admin's outbox).
 * With RESEND_API_KEY / TWILIO_* set the provider's REST API is called; without them the
 * message is only recorded (status `sent`, provider `outbox`) and, in development,
 * printed to the console so the demo can read codes and links.
 *
 * Idempotent on `idempotency_key`: a second call returns the first row and sends
 * nothing. Never throws for a provider failure — the row says `failed` with the error —
 * so callers like "request a magic link" answer the same either way.
 *
 * @example
 * await sendNow(env, db, { user_id, channel: 'sms', recipient: '+16035550100', body: 'Your code is 123456', kind: 'verify_phone', idempotency_key: `verify_phone:${tokenId}` });
 */
export async function sendNow(env: Env, db: Db, msg: OutgoingMessage): Promise<SendResult> {
  const provider = providerFor(env, msg.channel);
  const [row] = await db
    .insert(t.notification_log)
    .values({
      user_id: msg.user_id ?? null,
      kind: msg.kind,
      channel: msg.channel,
      recipient: msg.recipient,
      subject: msg.subject ?? null,
      body: provider === 'outbox' ? msg.body : redacted(msg.body, msg.redact),
      status: 'queued',
      provider,
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
    return { id: existing!.id, status: existing!.status === 'failed' ? 'failed' : 'sent', provider: (existing!.provider ?? 'outbox') as SendResult['provider'], duplicate: true };
  }

  if (provider === 'outbox') {
    if (settings(env).APP_ENV === 'development') {
      console.log(`\n📬 outbox ${msg.channel} to ${msg.recipient}${msg.subject ? ` — ${msg.subject}` : ''}\n${msg.body}\n`);
    }
    await db.update(t.notification_log).set({ status: 'sent', sent_at: new Date(), attempts: 1 }).where(eq(t.notification_log.id, row.id));
    return { id: row.id, status: 'sent', provider, duplicate: false };
  }

  try {
    const providerId = provider === 'resend' ? await viaResend(env, msg) : await viaTwilio(env, msg);
    await db
      .update(t.notification_log)
      .set({ status: 'sent', sent_at: new Date(), provider_message_id: providerId || null, attempts: sql`${t.notification_log.attempts} + 1` })
      .where(eq(t.notification_log.id, row.id));
    return { id: row.id, status: 'sent', provider, duplicate: false };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(JSON.stringify({ level: 'error', msg: 'notification send failed', provider, kind: msg.kind, notification_id: row.id, err: message }));
    await db
      .update(t.notification_log)
      .set({ status: 'failed', last_error: message.slice(0, 500), attempts: sql`${t.notification_log.attempts} + 1` })
      .where(eq(t.notification_log.id, row.id));
    return { id: row.id, status: 'failed', provider, duplicate: false };
  }
}
