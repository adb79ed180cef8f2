import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import { ChangePasswordBody } from '../../contract/api';
import * as t from '../../db/schema';
import { verifyPassword } from '../auth/passwords';
import { audit } from '../lib/audit';
import { clientIp, userAgent } from '../lib/client';
import { ApiError, unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { assertAuthBudget, limitAuth } from '../middleware/rate-limit';
import { endAllSessions } from '../services/session-end';
import { issueSession } from '../services/sessions';
import type { AppEnv } from '../types';
import { acceptablePasswordHash, newPasswordFields } from './account-links';

/** Changing the password while signed in (any role). */
export const passwordChange = new Hono<AppEnv>();

/**
 * Checks the current password, then the new one against the same policy as sign-up
 * (length, the HaveIBeenPwned list). Every sign-in of the account ends — other devices,
 * their tokens, their open sockets — and this device gets a fresh sign-in in the answer
 * (the token response of /auth/login), so the person changing it stays signed in. A wrong
 * current password changes nothing and spends the same per-IP budget as a failed sign-in.
 */
passwordChange.post('/change-password', async (c) => {
  const body = await readJson(c, ChangePasswordBody);
  const me = c.var.user;
  await assertAuthBudget(c, 'password_change', me.sub);
  const db = c.var.db;
  const [user] = await db.select().from(t.users).where(eq(t.users.id, me.sub)).limit(1);
  if (!user?.is_active || user.suspended_at) throw unauthorized('token_revoked', 'This account cannot sign in.');
  if (!(await verifyPassword(body.current_password, user.password_hash))) {
    await limitAuth(c, 'password_change', me.sub);
    throw new ApiError(400, 'wrong_password', 'Your current password is not right, so nothing was changed.', [
      { field: 'current_password', message: 'is not your current password' },
    ]);
  }
  if (body.new_password === body.current_password)
    throw new ApiError(400, 'same_password', 'Choose a new password that differs from the current one.', [
      { field: 'new_password', message: 'is the same as the current password' },
    ]);
  const hash = await acceptablePasswordHash(c, body.new_password);
  const [updated] = await db.transaction(async (tx) => {
    const rows = await tx.update(t.users).set(newPasswordFields(hash)).where(eq(t.users.id, user.id)).returning();
    await audit(
      c,
      { action: 'auth.password_changed', entity_type: 'user', entity_id: user.id, actor_user_id: user.id },
      tx,
    );
    return rows;
  });
  await endAllSessions(c.env, db, { id: user.id, role: user.role });
  const { response } = await issueSession(db, c.env, updated!, { device_info: userAgent(c), ip: clientIp(c) });
  return c.json(response, 200);
});
