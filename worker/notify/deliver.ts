import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { JobStatus } from '../../contract/enums';
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

/** The recipient's SMS standing, read with an SMS row (smsBlock's fields). */
type SmsStanding = Parameters<typeof smsBlock>[0];

/** A row as delivery finds it, with what its send-time checks need. */
interface LoadedRow {
  row: NotificationRow;
  /** The recipient's account, for an SMS to a user; otherwise null. */
  user: SmsStanding | null;
  /** The job's status now, for a held-back job message; otherwise null. */
  job_status: JobStatus | null;
}

/** The rows `ids` name, with each SMS recipient's standing and each held-back message's job status: one statement. */
async function loadRows(db: Db, ids: readonly string[]): Promise<Map<string, LoadedRow>> {
  const n = t.notification_log;
  const rows = await db
    .select({
      row: n,
      user: {
        phone: t.users.phone,
        phone_verified_at: t.users.phone_verified_at,
        sms_opt_out_at: t.users.sms_opt_out_at,
        sms_consent_at: t.users.sms_consent_at,
        is_active: t.users.is_active,
      },
      job_status: t.jobs.status,
    })
    .from(n)
    .leftJoin(t.users, and(eq(t.users.id, n.user_id), eq(n.channel, 'sms')))
    .leftJoin(t.jobs, and(eq(t.jobs.id, n.job_id), isNotNull(n.send_after)))
    .where(inArray(n.id, [...ids]));
  return new Map(rows.map((r) => [r.row.id, r]));
}

/**
 * Checks made at send time, because time passed since the intent: the recipient may have
 * replied STOP, and a message held for quiet hours may no longer apply.
 */
function reasonNotToSend({ row, user, job_status }: LoadedRow): string | null {
  if (row.channel === 'sms' && row.user_id && user) {
    // The row's recipient may differ from the profile phone (a waitlist contact number); consent
    // is the user's, and only the profile phone's verification says anything about the recipient.
    const requested = REQUESTED_KINDS.has(row.kind);
    const otherNumber = row.recipient !== user.phone;
    const block = smsBlock({
      ...user,
      phone: row.recipient,
      sms_consent_at: requested ? new Date(0) : user.sms_consent_at,
      phone_verified_at: requested || otherNumber ? new Date(0) : user.phone_verified_at,
    });
    if (block) return block;
  }
  const relevant = stillRelevantStatuses(row.kind);
  if (row.send_after && job_status && relevant && !relevant.includes(job_status))
    return `superseded: the job is now ${job_status}`;
  return null;
}

/**
 * Claims rows for one attempt each by bumping `attempts` with a compare-and-set on the
 * value just read, so a duplicate queue message cannot send a row twice concurrently; a
 * row no longer `queued` is not claimed. Returns each claimed row's attempt number.
 */
async function claim(db: Db, rows: readonly NotificationRow[]): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const n = t.notification_log;
  const asRead = sql.join(
    rows.map((r) => sql`(${r.id}::uuid, ${r.attempts}::integer)`),
    sql`, `,
  );
  const claimed = await db
    .update(n)
    .set({ attempts: sql`${n.attempts} + 1` })
    .where(and(eq(n.status, 'queued'), sql`(${n.id}, ${n.attempts}) IN (${asRead})`))
    .returning({ id: n.id, attempts: n.attempts });
  return new Map(claimed.map((c) => [c.id, c.attempts]));
}

/** A provider took the row: what its `sent` record holds. */
interface Sent {
  id: string;
  provider: string;
  provider_message_id: string | null;
  /** The body to keep instead (secrets redacted or unmarked), or null to keep it as it is. */
  body: string | null;
}

/** Records rows the providers took as `sent`: one statement for all of them. */
async function recordSent(db: Db, sent: readonly Sent[]): Promise<void> {
  if (sent.length === 0) return;
  await db.execute(sql`
    UPDATE notification_log n
    SET status = 'sent', provider = v.provider, provider_message_id = v.provider_message_id,
        sent_at = now(), last_error = NULL, body = coalesce(v.body, n.body)
    FROM jsonb_to_recordset(${JSON.stringify(sent)}::jsonb) AS v(id uuid, provider text, provider_message_id text, body text)
    WHERE n.id = v.id`);
}

/** One attempt at a claimed row: `Sent` when the provider took it; a failure is recorded on the row. */
async function attempt(
  env: Env,
  db: Db,
  row: NotificationRow,
  attemptNo: number,
  finalAttempt: boolean,
): Promise<Sent | DeliveryOutcome> {
  const provider = providerFor(env, row.channel);
  try {
    const result = await provider.send({ ...row, body: unmarkSecrets(row.body) }, { env, db, attempt: attemptNo });
    // One-time secrets stay readable only in the local outbox (notify/secrets.ts).
    const body = hasSecrets(row.body)
      ? result.provider === 'outbox'
        ? unmarkSecrets(row.body)
        : redactSecrets(row.body)
      : null;
    return { id: row.id, provider: result.provider, provider_message_id: result.provider_message_id, body };
  } catch (err) {
    const e =
      err instanceof ProviderError
        ? err
        : new ProviderError(provider.name, err instanceof Error ? err.message : String(err), true);
    if (e.provider === 'twilio' && Number(e.code) === TWILIO_UNSUBSCRIBED && row.user_id) {
      // Twilio knows about a STOP we missed: record it so we stop trying.
      await db.update(t.users).set({ sms_opt_out_at: new Date() }).where(eq(t.users.id, row.user_id));
    }
    const terminal = !e.retryable || finalAttempt;
    const error =
      finalAttempt && e.retryable
        ? `${e.message} — gave up after ${attemptNo} attempts; moved to the dead-letter queue`
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
    return finalAttempt ? { kind: 'dead_letter', error } : { kind: 'retry', error };
  }
}

/** One row to deliver; `finalAttempt` when a transient failure now dead-letters it. */
export interface DeliveryRequest {
  id: string;
  finalAttempt: boolean;
}

/**
 * Delivers outbox rows, each at most once per claim (`claim`); a row no longer `queued`
 * (sent, skipped, dead) is left alone. Every attempt is recorded on its row: attempts,
 * provider, provider id, status, last error. However many rows, the reads, the claim and
 * the `sent` records are one statement each (a queue batch of ten is three statements, not
 * thirty); the providers are called side by side. Returns each row's outcome by id.
 */
export async function deliverNotifications(
  env: Env,
  db: Db,
  requests: readonly DeliveryRequest[],
): Promise<Map<string, DeliveryOutcome>> {
  const outcomes = new Map<string, DeliveryOutcome>();
  const finalAttempt = new Map(requests.map((r) => [r.id, r.finalAttempt]));
  const loaded = await loadRows(db, [...finalAttempt.keys()]);
  const due: NotificationRow[] = [];
  for (const id of finalAttempt.keys()) {
    const found = loaded.get(id);
    if (!found) {
      outcomes.set(id, { kind: 'done', status: 'missing' });
      continue;
    }
    const { row } = found;
    const wait = delayFor(row.send_after);
    if (row.status !== 'queued') outcomes.set(id, { kind: 'done', status: row.status });
    else if (wait > 1) outcomes.set(id, { kind: 'later', delaySeconds: wait });
    else {
      const reason = reasonNotToSend(found);
      if (!reason) due.push(row);
      else {
        await withdrawQueued(db, eq(t.notification_log.id, row.id), reason);
        outcomes.set(id, { kind: 'done', status: 'skipped' });
      }
    }
  }
  const claimed = await claim(db, due);
  const sent: Sent[] = [];
  await Promise.all(
    due.map(async (row) => {
      const attemptNo = claimed.get(row.id);
      if (attemptNo === undefined) return outcomes.set(row.id, { kind: 'done', status: 'claimed_elsewhere' });
      const result = await attempt(env, db, row, attemptNo, finalAttempt.get(row.id) ?? false);
      if ('kind' in result) return outcomes.set(row.id, result);
      sent.push(result);
      outcomes.set(row.id, { kind: 'done', status: 'sent' });
    }),
  );
  await recordSent(db, sent);
  return outcomes;
}

/** `deliverNotifications` for one row (a message someone waits for: `sendNow`). */
export async function deliverNotification(
  env: Env,
  db: Db,
  id: string,
  opts: { finalAttempt: boolean },
): Promise<DeliveryOutcome> {
  const outcomes = await deliverNotifications(env, db, [{ id, finalAttempt: opts.finalAttempt }]);
  return outcomes.get(id)!;
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
