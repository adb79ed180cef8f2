import { Hono } from 'hono';
import { eq, sql } from 'drizzle-orm';
import { InviteBody } from '../../contract/api';
import * as t from '../../db/schema';
import { INVITE_PENDING_HASH } from '../auth/passwords';
import { audit } from '../lib/audit';
import { isUniqueViolation } from '../lib/db-errors';
import { conflict, notFound } from '../lib/errors';
import { readJson, uuidParam } from '../lib/validate';
import { mailer, sendInvite } from '../services/account-mail';
import { issueToken } from '../services/one-time-tokens';
import { endAllSessions } from '../services/session-end';
import type { AppEnv } from '../types';

/** Admin: inviting drivers and dispatchers, suspending and re-activating accounts. */
export const adminAccounts = new Hono<AppEnv>();

/** An account as an admin sees it. */
function accountView(u: t.User) {
  return {
    id: u.id,
    email: u.email,
    role: u.role,
    full_name: u.full_name,
    phone: u.phone,
    is_active: u.is_active,
    invite_pending: u.password_hash === INVITE_PENDING_HASH,
    suspended_at: u.suspended_at,
    email_verified_at: u.email_verified_at,
    phone_verified_at: u.phone_verified_at,
    totp_enabled: u.totp_enabled_at !== null,
    last_login_at: u.last_login_at,
  };
}

/**
 * Invites a driver or an admin: the account exists, inactive, until they follow the
 * emailed link and choose a password. Inviting an email whose invitation is still
 * pending sends a fresh link (the old one stops working).
 */
adminAccounts.post('/invites', async (c) => {
  const body = await readJson(c, InviteBody);
  const db = c.var.db;
  const { user, token } = await db
    .transaction(async (tx) => {
      const [existing] = await tx.select().from(t.users).where(sql`lower(${t.users.email}) = ${body.email}`).limit(1);
      if (existing && existing.password_hash !== INVITE_PENDING_HASH)
        throw conflict('email_taken', 'An account with that email already exists.');
      if (existing && existing.role !== body.role)
        throw conflict('role_mismatch', `That email already has a pending ${existing.role} invitation.`);
      let user = existing;
      if (!user) {
        [user] = await tx
          .insert(t.users)
          .values({
            email: body.email,
            full_name: body.full_name,
            role: body.role,
            phone: body.phone ?? null,
            password_hash: INVITE_PENDING_HASH,
            is_active: false,
          })
          .returning();
        if (body.role === 'driver') await tx.insert(t.driver_profiles).values({ user_id: user!.id });
      }
      const token = await issueToken(tx, user!.id, 'invite');
      await audit(
        c,
        {
          action: existing ? 'user.invite_resent' : 'user.invite',
          entity_type: 'user',
          entity_id: user!.id,
          after: { email: body.email, role: body.role, full_name: body.full_name },
        },
        tx,
      );
      return { user: user!, token };
    })
    .catch((err: unknown) => {
      if (isUniqueViolation(err)) throw conflict('email_taken', 'An account with that email or phone already exists.');
      throw err;
    });
  await sendInvite(mailer(c), user, body.role, token.id, token.raw);
  return c.json(
    {
      invite: {
        user_id: user.id,
        email: user.email,
        role: user.role,
        full_name: user.full_name,
        expires_at: token.expires_at,
      },
    },
    201,
  );
});

/**
 * Suspends an account and ends its sessions at once: refresh tokens revoked, access
 * tokens refused, sockets closed with 4001. A suspended driver also goes offline.
 */
adminAccounts.post('/users/:id/suspend', async (c) => {
  const id = uuidParam(c);
  if (id === c.var.user.sub) throw conflict('cannot_suspend_self', 'You cannot suspend your own account.');
  const db = c.var.db;
  const user = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(t.users).where(eq(t.users.id, id)).for('update').limit(1);
    if (!before) throw notFound('User');
    if (before.suspended_at) return before;
    const [after] = await tx.update(t.users).set({ suspended_at: sql`now()` }).where(eq(t.users.id, id)).returning();
    if (before.role === 'driver')
      await tx.update(t.driver_profiles).set({ status: 'offline' }).where(eq(t.driver_profiles.user_id, id));
    await audit(
      c,
      {
        action: 'user.suspend',
        entity_type: 'user',
        entity_id: id,
        before: { suspended_at: null },
        after: { suspended_at: after!.suspended_at },
      },
      tx,
    );
    return after!;
  });
  await endAllSessions(c.env, db, user);
  return c.json({ user: accountView(user) });
});

adminAccounts.post('/users/:id/activate', async (c) => {
  const id = uuidParam(c);
  const db = c.var.db;
  const user = await db.transaction(async (tx) => {
    const [before] = await tx.select().from(t.users).where(eq(t.users.id, id)).for('update').limit(1);
    if (!before) throw notFound('User');
    if (!before.suspended_at) return before;
    const [after] = await tx.update(t.users).set({ suspended_at: null }).where(eq(t.users.id, id)).returning();
    await audit(
      c,
      {
        action: 'user.activate',
        entity_type: 'user',
        entity_id: id,
        before: { suspended_at: before.suspended_at },
        after: { suspended_at: null },
      },
      tx,
    );
    return after!;
  });
  return c.json({ user: accountView(user) });
});
