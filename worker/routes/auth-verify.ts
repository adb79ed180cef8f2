import { Hono } from 'hono';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { EmailBody, PhoneCodeBody, TokenBody, VerifyPhoneBody } from '../../contract/api';
import * as t from '../../db/schema';
import { afterResponse } from '../lib/background';
import { isUniqueViolation } from '../lib/db-errors';
import { ApiError, unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { limitAuth } from '../middleware/rate-limit';
import { mailer, sendPhoneCode, sendVerificationEmail } from '../services/account-mail';
import {
  codeSubject,
  consumeCode,
  consumeToken,
  issueToken,
  sixDigitCode,
  TOKEN_TTL_SECONDS,
} from '../services/one-time-tokens';
import type { AppEnv } from '../types';

/** Email (required before the first job) and phone (required for SMS) verification. */
export const accountVerification = new Hono<AppEnv>();

accountVerification.post('/request-email-verification', async (c) => {
  const body = await readJson(c, EmailBody);
  await limitAuth(c, 'verify_email', body.email);
  afterResponse(c, 'verification email', async (db) => {
    const [user] = await db.select().from(t.users).where(sql`lower(${t.users.email}) = ${body.email}`).limit(1);
    if (!user || !user.is_active || user.suspended_at || user.email_verified_at) return;
    const token = await issueToken(db, user.id, 'verify_email');
    await sendVerificationEmail(mailer(c, db), user, token.id, token.raw);
  });
  return c.json(
    { status: 'accepted', message: 'If that email has an unverified account, a message is on its way.' },
    202,
  );
});

/** Public: the link may be opened on another device than the one signed in. */
accountVerification.post('/verify-email', async (c) => {
  const body = await readJson(c, TokenBody);
  await limitAuth(c, 'verify_email', 'token');
  const db = c.var.db;
  const { user_id } = await consumeToken(db, body.token, 'verify_email');
  const [user] = await db
    .update(t.users)
    .set({ email_verified_at: sql`coalesce(${t.users.email_verified_at}, now())` })
    .where(eq(t.users.id, user_id))
    .returning({ id: t.users.id, email: t.users.email, email_verified_at: t.users.email_verified_at });
  return c.json({ user });
});

/**
 * Texts a 6-digit code to the account's phone, or to a new number given here (which
 * replaces the old one, unverified until the code comes back).
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
    const [taken] = await db
      .select({ id: t.users.id })
      .from(t.users)
      .where(and(eq(t.users.phone, phone), ne(t.users.id, userId)))
      .limit(1);
    if (taken) throw new ApiError(409, 'phone_taken', 'That phone number is already on another account.');
    try {
      await db.update(t.users).set({ phone, phone_verified_at: null }).where(eq(t.users.id, userId));
    } catch (err) {
      if (isUniqueViolation(err))
        throw new ApiError(409, 'phone_taken', 'That phone number is already on another account.');
      throw err;
    }
  }
  const code = sixDigitCode();
  const token = await issueToken(db, userId, 'verify_phone', codeSubject(userId, code));
  await sendPhoneCode(mailer(c), userId, phone, token.id, code);
  return c.json({ status: 'sent', expires_in: TOKEN_TTL_SECONDS.verify_phone }, 202);
});

/** Checks the texted code; five wrong tries void it. */
accountVerification.post('/verify-phone', async (c) => {
  const body = await readJson(c, VerifyPhoneBody);
  const userId = c.var.user.sub;
  await limitAuth(c, 'verify_phone', userId);
  const db = c.var.db;
  await consumeCode(db, userId, 'verify_phone', body.code);
  const [user] = await db
    .update(t.users)
    .set({ phone_verified_at: sql`now()` })
    .where(and(eq(t.users.id, userId), isNull(t.users.suspended_at)))
    .returning({ id: t.users.id, phone: t.users.phone, phone_verified_at: t.users.phone_verified_at });
  if (!user) throw unauthorized('account_disabled', 'This account is not active.');
  return c.json({ user });
});
