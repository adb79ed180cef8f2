import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { AcceptInviteBody } from '../../contract/api';
import * as t from '../../db/schema';
import { INVITE_PENDING_HASH } from '../auth/passwords';
import { audit } from '../lib/audit';
import { clientIp, userAgent } from '../lib/client';
import { readJson } from '../lib/validate';
import { limitAuth } from '../middleware/rate-limit';
import { invalidToken, issueToken, TOKEN_TTL_SECONDS } from '../services/one-time-tokens';
import { issueSession } from '../services/sessions';
import type { AppEnv } from '../types';
import { acceptablePasswordHash, newPasswordFields, spendEmailLink } from './account-links';

/** Drivers and admins join by invitation (POST /api/v1/admin/invites). */
export const invitations = new Hono<AppEnv>();

/**
 * Sets the invited account's password and activates it. A driver is signed in at once;
 * an admin cannot be without a second factor, so they get a TOTP enrolment token for
 * `POST /auth/totp/enrol` + `/totp/confirm`, then sign in with password and code.
 */
invitations.post('/accept-invite', async (c) => {
  const body = await readJson(c, AcceptInviteBody);
  await limitAuth(c, 'invite', 'token');
  const hash = await acceptablePasswordHash(c, body.password);
  const db = c.var.db;
  const { user, enrolment } = await db.transaction(async (tx) => {
    const { user: u } = await spendEmailLink(
      tx,
      body.token,
      'invite',
      { ...newPasswordFields(hash), is_active: true },
      eq(t.users.password_hash, INVITE_PENDING_HASH),
    );
    if (!u) throw invalidToken();
    await audit(c, { action: 'user.invite_accepted', entity_type: 'user', entity_id: u.id, actor_user_id: u.id }, tx);
    const enrolment = u.role === 'admin' && !u.totp_enabled_at ? await issueToken(tx, u.id, 'admin_enrol') : null;
    return { user: u, enrolment };
  });
  if (enrolment) {
    return c.json({
      user: { id: user.id, email: user.email, role: user.role, full_name: user.full_name },
      totp_enrolment_token: enrolment.raw,
      totp_enrolment_expires_in: TOKEN_TTL_SECONDS.admin_enrol,
    });
  }
  const { response } = await issueSession(db, c.env, user, { device_info: userAgent(c), ip: clientIp(c) });
  return c.json(response);
});
