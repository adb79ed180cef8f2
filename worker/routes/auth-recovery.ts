import { Hono } from 'hono';
import { eq, sql } from 'drizzle-orm';
import { EmailBody, ResetPasswordBody, TokenBody } from '../../contract/api';
import * as t from '../../db/schema';
import { hashPassword } from '../auth/passwords';
import { assertAcceptablePassword } from '../auth/password-policy';
import { audit } from '../lib/audit';
import { afterResponse } from '../lib/background';
import { unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { limitAuth } from '../middleware/rate-limit';
import { mailer, sendMagicLink, sendPasswordReset } from '../services/account-mail';
import { consumeToken, issueToken } from '../services/one-time-tokens';
import { endAllSessions } from '../services/session-end';
import { issueSession } from '../services/sessions';
import type { AppEnv } from '../types';
import type { Db } from '../lib/db';
import { clientIp, userAgent } from '../lib/client';

/** Password reset and passwordless (magic link) sign-in. */
export const accountRecovery = new Hono<AppEnv>();

/** The same answer whether or not the email has an account (SPEC: never reveal it). */
const ACCEPTED = { status: 'accepted', message: 'If that email has an account, a message is on its way.' } as const;

async function activeUserByEmail(db: Db, email: string): Promise<t.User | null> {
  const [u] = await db.select().from(t.users).where(sql`lower(${t.users.email}) = ${email}`).limit(1);
  return u && u.is_active && !u.suspended_at ? u : null;
}

accountRecovery.post('/request-password-reset', async (c) => {
  const body = await readJson(c, EmailBody);
  await limitAuth(c, 'password_reset', body.email);
  afterResponse(c, 'password reset email', async (db) => {
    const user = await activeUserByEmail(db, body.email);
    if (!user) return;
    const token = await issueToken(db, user.id, 'reset_password');
    await sendPasswordReset(mailer(c, db), user, token.id, token.raw);
  });
  return c.json(ACCEPTED, 202);
});

/**
 * Sets a new password from an emailed link. The password is checked before the link is
 * spent; afterwards every session of the account ends (a reset is what you do when
 * someone else may be signed in as you).
 */
accountRecovery.post('/reset-password', async (c) => {
  const body = await readJson(c, ResetPasswordBody);
  await limitAuth(c, 'password_reset', 'token');
  await assertAcceptablePassword(c.env, body.password);
  const hash = await hashPassword(body.password);
  const db = c.var.db;
  const user = await db.transaction(async (tx) => {
    const { user_id } = await consumeToken(tx, body.token, 'reset_password');
    const [u] = await tx
      .update(t.users)
      .set({
        password_hash: hash,
        password_changed_at: sql`now()`,
        email_verified_at: sql`coalesce(${t.users.email_verified_at}, now())`,
      })
      .where(eq(t.users.id, user_id))
      .returning({ id: t.users.id, role: t.users.role });
    await audit(
      c,
      { action: 'auth.password_reset', entity_type: 'user', entity_id: user_id, actor_user_id: user_id },
      tx,
    );
    return u!;
  });
  await endAllSessions(c.env, db, user);
  return c.body(null, 204);
});

/** Customers only: drivers and admins sign in with a password (admins also with TOTP). */
accountRecovery.post('/request-magic-link', async (c) => {
  const body = await readJson(c, EmailBody);
  await limitAuth(c, 'magic_link', body.email);
  afterResponse(c, 'magic link email', async (db) => {
    const user = await activeUserByEmail(db, body.email);
    if (!user || user.role !== 'customer') return;
    const token = await issueToken(db, user.id, 'magic_link');
    await sendMagicLink(mailer(c, db), user, token.id, token.raw);
  });
  return c.json(ACCEPTED, 202);
});

/** Trades a magic link (single use, 15 minutes) for a session; it also proves the email. */
accountRecovery.post('/magic-link', async (c) => {
  const body = await readJson(c, TokenBody);
  await limitAuth(c, 'magic_link', 'token');
  const db = c.var.db;
  const { user_id } = await consumeToken(db, body.token, 'magic_link');
  const [user] = await db
    .update(t.users)
    .set({ email_verified_at: sql`coalesce(${t.users.email_verified_at}, now())`, last_login_at: sql`now()` })
    .where(eq(t.users.id, user_id))
    .returning();
  if (!user || !user.is_active || user.suspended_at || user.role !== 'customer') {
    throw unauthorized('account_disabled', 'This account cannot sign in with a link.');
  }
  const { response } = await issueSession(db, c.env, user, { device_info: userAgent(c), ip: clientIp(c) });
  return c.json(response, 200);
});
