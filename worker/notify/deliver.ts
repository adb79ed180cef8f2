import { and, eq, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { stillRelevantStatuses } from './templates';
import { delayFor } from './outbox';
import { providerFor } from './providers';
import { TWILIO_UNSUBSCRIBED } from './providers/twilio';
import { ProviderError, type NotificationRow } from './providers/types';
import { smsBlock } from './recipients';
import { hasSecrets, redactSecrets, unmarkSecrets } from './secrets';
import { withdrawQueued } from '../services/notify-intents';

/**
 * Messages the recipient asked for themselves (a code to verify the very phone number,
 * a sign-in link): SMS consent is not required, only an opt-out (STOP) blocks them.
 */
export const REQUESTED_KINDS: ReadonlySet<string> = new Set([
  'verify_phone',
  'verify_email',
  'magic_link',
  'reset_password',
  'invite',
]);

/** What the queue consumer should do with the message after one delivery attempt. */
export type DeliveryOutcome =
  /** Sent, already handled elsewhere, skipped or gone: acknowledge. */
  | { kind: 'done'; status: string }
  /** Not due yet (quiet hours): acknowledge and enqueue again with this delay. */
  | { kind: 'later'; delaySeconds: number }
  /** Transient failure: retry with backoff. */
  | { kind: 'retry'; error: string }
  /** Transient failure on the last attempt: the row is `failed`; retry once more so the queue dead-letters it. */
  | { kind: 'dead_letter'; error: string }
  /** Permanent failure recorded on the row: acknowledge. */
  | { kind: 'failed'; error: string };

async function loadRow(db: Db, id: string): Promise<NotificationRow | undefined> {
  const [row] = await db.select().from(t.notification_log).where(eq(t.notification_log.id, id)).limit(1);
  return row;
}

async function skip(db: Db, row: NotificationRow, reason: string): Promise<DeliveryOutcome> {
  await withdrawQueued(db, eq(t.notification_log.id, row.id), reason);
  return { kind: 'done', status: 'skipped' };
}

/**
 * Checks made at send time, because time passed since the intent: the recipient may have
 * replied STOP, and a message held for quiet hours may no longer apply.
 */
async function reasonNotToSend(db: Db, row: NotificationRow): Promise<string | null> {
  if (row.channel === 'sms' && row.user_id) {
    const [u] = await db
      .select({
        phone: t.users.phone,
        phone_verified_at: t.users.phone_verified_at,
        sms_opt_out_at: t.users.sms_opt_out_at,
        sms_consent_at: t.users.sms_consent_at,
        is_active: t.users.is_active,
      })
      .from(t.users)
      .where(eq(t.users.id, row.user_id))
      .limit(1);
    // The row's recipient may differ from the profile phone (a waitlist contact number); consent
    // is the user's, and only the profile phone's verification says anything about the recipient.
    const requested = REQUESTED_KINDS.has(row.kind);
    const otherNumber = row.recipient !== u?.phone;
    const block = u
      ? smsBlock({
          ...u,
          phone: row.recipient,
          sms_consent_at: requested ? new Date(0) : u.sms_consent_at,
          phone_verified_at: requested || otherNumber ? new Date(0) : u.phone_verified_at,
        })
      : null;
    if (block) return block;
  }
  const relevant = stillRelevantStatuses(row.kind);
  if (row.send_after && row.job_id && relevant) {
    const [job] = await db.select({ status: t.jobs.status }).from(t.jobs).where(eq(t.jobs.id, row.job_id)).limit(1);
    if (job && !relevant.includes(job.status)) return `superseded: the job is now ${job.status}`;
  }
  return null;
}

/**
 * Delivers one outbox row, at most once per claim: the row is claimed by bumping
 * `attempts` with a compare-and-set, so a duplicate queue message cannot send it twice
 * concurrently; a row no longer `queued` (sent, skipped, dead) is left alone. Every
 * attempt is recorded on the row: attempts, provider, provider id, status, last error.
 */
export async function deliverNotification(
  env: Env,
  db: Db,
  id: string,
  opts: { finalAttempt: boolean },
): Promise<DeliveryOutcome> {
  const row = await loadRow(db, id);
  if (!row) return { kind: 'done', status: 'missing' };
  if (row.status !== 'queued') return { kind: 'done', status: row.status };
  const wait = delayFor(row.send_after);
  if (wait > 1) return { kind: 'later', delaySeconds: wait };

  const reason = await reasonNotToSend(db, row);
  if (reason) return skip(db, row, reason);

  const [claimed] = await db
    .update(t.notification_log)
    .set({ attempts: sql`${t.notification_log.attempts} + 1` })
    .where(
      and(
        eq(t.notification_log.id, row.id),
        eq(t.notification_log.status, 'queued'),
        eq(t.notification_log.attempts, row.attempts),
      ),
    )
    .returning({ attempts: t.notification_log.attempts });
  if (!claimed) return { kind: 'done', status: 'claimed_elsewhere' };

  const provider = providerFor(env, row.channel);
  try {
    const result = await provider.send(
      { ...row, body: unmarkSecrets(row.body) },
      { env, db, attempt: claimed.attempts },
    );
    // One-time secrets stay readable only in the local outbox (notify/secrets.ts).
    const body = hasSecrets(row.body)
      ? result.provider === 'outbox'
        ? unmarkSecrets(row.body)
        : redactSecrets(row.body)
      : undefined;
    await db
      .update(t.notification_log)
      .set({
        status: 'sent',
        provider: result.provider,
        provider_message_id: result.provider_message_id,
        sent_at: new Date(),
        last_error: null,
        ...(body !== undefined ? { body } : {}),
      })
      .where(eq(t.notification_log.id, row.id));
    return { kind: 'done', status: 'sent' };
  } catch (err) {
    const e =
      err instanceof ProviderError
        ? err
        : new ProviderError(provider.name, err instanceof Error ? err.message : String(err), true);
    if (e.provider === 'twilio' && Number(e.code) === TWILIO_UNSUBSCRIBED && row.user_id) {
      // Twilio knows about a STOP we missed: record it so we stop trying.
      await db.update(t.users).set({ sms_opt_out_at: new Date() }).where(eq(t.users.id, row.user_id));
    }
    const terminal = !e.retryable || opts.finalAttempt;
    const error =
      opts.finalAttempt && e.retryable
        ? `${e.message} — gave up after ${claimed.attempts} attempts; moved to the dead-letter queue`
        : e.message;
    await db
      .update(t.notification_log)
      .set({
        provider: provider.name,
        last_error: error.slice(0, 1000),
        ...(terminal ? { status: 'failed' as const } : {}),
      })
      .where(eq(t.notification_log.id, row.id));
    if (!e.retryable) return { kind: 'failed', error };
    return opts.finalAttempt ? { kind: 'dead_letter', error } : { kind: 'retry', error };
  }
}

/** Marks a dead-lettered row `dead` (it was `failed` or, if the consumer crashed, still `queued`). */
export async function markDead(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(t.notification_log)
    .set({
      status: 'dead',
      last_error: sql`coalesce(${t.notification_log.last_error}, 'delivery failed') || ' [dead-lettered]'`,
    })
    .where(and(eq(t.notification_log.id, id), sql`${t.notification_log.status} IN ('queued', 'failed')`))
    .returning({ id: t.notification_log.id });
  return rows.length > 0;
}
