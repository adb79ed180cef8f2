import { Hono } from 'hono';
import { and, eq, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import { EmailBody, PhoneCodeBody, TokenBody, VerifyPhoneBody } from '../../contract/api';
import * as t from '../../db/schema';
import { ApiError, unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { limitAuth } from '../middleware/rate-limit';
import { mailer, sendPhoneCode } from '../services/account-mail';
import { codeSubject, consumeCode, issueToken, sixDigitCode, TOKEN_TTL_SECONDS } from '../services/one-time-tokens';
import type { AppEnv } from '../types';
import { emailLinkAfterResponse, spendEmailLink } from './account-links';

/** Email (required before the first job) and phone (required for SMS) verification. */
export const accountVerification = new Hono<AppEnv>();

accountVerification.post('/request-email-verification', async (c) => {
  const body = await readJson(c, EmailBody);
  await limitAuth(c, 'verify_email', body.email);
  emailLinkAfterResponse(c, body.email, 'verify_email', (user) => !user.email_verified_at);
  return c.json(
    { status: 'accepted', message: 'If that email has an unverified account, a message is on its way.' },
    202,
  );
});

/** Public: the link may be opened on another device than the one signed in. */
accountVerification.post('/verify-email', async (c) => {
  const body = await readJson(c, TokenBody);
  await limitAuth(c, 'verify_email', 'token');
  const { user } = await spendEmailLink(c.var.db, body.token, 'verify_email');
  return c.json({ user: user && { id: user.id, email: user.email, email_verified_at: user.email_verified_at } });
});

/**
 * Texts a 6-digit code to the account's phone, or to a new number given here (which
 * replaces the old one, unverified until the code comes back). Whether another account
 * has the number is never said: the code goes to the phone, and only its holder can
 * send it back (docs/decisions/0065).
 */
accountVerification.post('/request-phone-code', async (c) => {
  const body = await readJson(c, PhoneCodeBody);
  const userId = c.var.user.sub;
  await limitAuth(c, 'verify_phone', `request:${userId}`);
  const db = c.var.db;
  const [user] = await db.select().from(t.users).where(eq(t.users.id, userId)).limit(1);
  if (!user) throw unauthorized('token_revoked', 'This account no longer exists.');
  const phone = body.phone ?? user.phone;
  if (!phone) {
    throw new ApiError(400, 'validation_failed', 'Add a phone number first.', [
      { field: 'phone', message: 'required: the account has no phone number' },
    ]);
  }
  if (phone !== user.phone) {
    await db.update(t.users).set({ phone, phone_verified_at: null }).where(eq(t.users.id, userId));
  }
  const code = sixDigitCode();
  const token = await issueToken(db, userId, 'verify_phone', codeSubject(userId, code));
  await sendPhoneCode(mailer(c), userId, phone, token.id, code);
  return c.json({ status: 'sent', expires_in: TOKEN_TTL_SECONDS.verify_phone }, 202);
});

/**
 * Checks the texted code; five wrong tries void it. The code proves who holds the phone
 * now, so another account that had verified the same number loses it (a number passed on
 * by the carrier, or shared): it is taken off that account, which stops texts to it.
 */
accountVerification.post('/verify-phone', async (c) => {
  const body = await readJson(c, VerifyPhoneBody);
  const userId = c.var.user.sub;
  await limitAuth(c, 'verify_phone', userId);
  // Outside the transaction: a wrong code's spent try must stay spent.
  await consumeCode(c.var.db, userId, 'verify_phone', body.code);
  const user = await c.var.db.transaction(async (tx) => {
    const [me] = await tx.select({ phone: t.users.phone }).from(t.users).where(eq(t.users.id, userId)).for('update');
    if (me?.phone) {
      await tx
        .update(t.users)
        .set({ phone: null, phone_verified_at: null })
        .where(and(eq(t.users.phone, me.phone), ne(t.users.id, userId), isNotNull(t.users.phone_verified_at)));
    }
    const [row] = await tx
      .update(t.users)
      .set({ phone_verified_at: sql`now()` })
      .where(and(eq(t.users.id, userId), isNull(t.users.suspended_at)))
      .returning({ id: t.users.id, phone: t.users.phone, phone_verified_at: t.users.phone_verified_at });
    return row;
  });
  if (!user) throw unauthorized('account_disabled', 'This account is not active.');
  return c.json({ user });
});
