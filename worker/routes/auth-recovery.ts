import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import { EmailBody, ResetPasswordBody, TokenBody } from '../../contract/api';
import { audit } from '../lib/audit';
import { unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { limitAuth } from '../middleware/rate-limit';
import { endAllSessions } from '../services/session-end';
import { issueSession } from '../services/sessions';
import type { AppEnv } from '../types';
import { clientIp, userAgent } from '../lib/client';
import { acceptablePasswordHash, emailLinkAfterResponse, newPasswordFields, spendEmailLink } from './account-links';

/** Password reset and passwordless (magic link) sign-in. */
export const accountRecovery = new Hono<AppEnv>();

/** The same answer whether or not the email has an account (SPEC: never reveal it). */
const ACCEPTED = { status: 'accepted', message: 'If that email has an account, a message is on its way.' } as const;

accountRecovery.post('/request-password-reset', async (c) => {
  const body = await readJson(c, EmailBody);
  await limitAuth(c, 'password_reset', body.email);
  emailLinkAfterResponse(c, body.email, 'reset_password');
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
  const hash = await acceptablePasswordHash(c, body.password);
  const db = c.var.db;
  const user = await db.transaction(async (tx) => {
    const { user_id, user: u } = await spendEmailLink(tx, body.token, 'reset_password', newPasswordFields(hash));
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
  emailLinkAfterResponse(c, body.email, 'magic_link', (user) => user.role === 'customer');
  return c.json(ACCEPTED, 202);
});

/** Trades a magic link (single use, 15 minutes) for a session; it also proves the email. */
accountRecovery.post('/magic-link', async (c) => {
  const body = await readJson(c, TokenBody);
  await limitAuth(c, 'magic_link', 'token');
  const db = c.var.db;
  const { user } = await spendEmailLink(db, body.token, 'magic_link', { last_login_at: sql`now()` });
  if (!user || !user.is_active || user.suspended_at || user.role !== 'customer') {
    throw unauthorized('account_disabled', 'This account cannot sign in with a link.');
  }
  const { response } = await issueSession(db, c.env, user, { device_info: userAgent(c), ip: clientIp(c) });
  return c.json(response, 200);
});
