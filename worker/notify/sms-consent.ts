import { and, eq, inArray, isNull } from 'drizzle-orm';
import { SMS_CONSENT_BY_TEXT } from '../../contract/sms-consent';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { withdrawQueued } from '../services/notify-intents';

/** Twilio's standard opt-out and opt-in keywords (matched on the whole, trimmed message). */
export const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
export const START_WORDS = new Set(['START', 'YES', 'UNSTOP', 'OPTIN']);

export type Keyword = 'stop' | 'start' | 'help' | null;

export function keywordOf(body: string): Keyword {
  const word = body
    .trim()
    .toUpperCase()
    .replace(/[.!]+$/, '');
  if (STOP_WORDS.has(word)) return 'stop';
  if (START_WORDS.has(word)) return 'start';
  if (word === 'HELP' || word === 'INFO') return 'help';
  return null;
}

/**
 * Applies an inbound SMS keyword to the sender's account. STOP records the opt-out and
 * drops their SMS still waiting in the outbox (they were queued before the STOP); START
 * records consent and lifts the opt-out. Twilio itself answers the keyword to the phone
 * (Advanced Opt-Out), so we reply with nothing. Returns the users affected.
 */
export async function applyKeyword(db: Db, from: string, keyword: Keyword): Promise<number> {
  if (keyword !== 'stop' && keyword !== 'start') return 0;
  return db.transaction(async (tx) => {
    const now = new Date();
    const users = await tx
      .update(t.users)
      .set(
        keyword === 'stop'
          ? { sms_opt_out_at: now }
          : { sms_opt_out_at: null, sms_consent_at: now, sms_consent_source: SMS_CONSENT_BY_TEXT },
      )
      .where(eq(t.users.phone, from))
      .returning({ id: t.users.id });
    if (keyword === 'stop' && users.length > 0) {
      await withdrawQueued(
        tx,
        and(
          eq(t.notification_log.channel, 'sms'),
          inArray(
            t.notification_log.user_id,
            users.map((u) => u.id),
          ),
          isNull(t.notification_log.sent_at),
        ),
        'recipient replied STOP',
      );
    }
    return users.length;
  });
}
