import { Hono } from 'hono';
import { eq, sql } from 'drizzle-orm';
import { LoginBody, RefreshBody, RegisterBody } from '../../contract/api';
import * as t from '../../db/schema';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../auth/passwords';
import { verifyTotp } from '../auth/totp';
import { verifyAccessToken } from '../auth/tokens';
import { revokeAccessToken } from '../auth/revocation';
import { ApiError, unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { issueSession, logoutRefreshToken, rotateRefreshToken, type DeviceContext } from '../services/sessions';
import type { AppEnv } from '../types';
import type { Context } from 'hono';

export const auth = new Hono<AppEnv>();

function device(c: Context<AppEnv>, info?: string): DeviceContext {
  return { device_info: info ?? c.req.header('user-agent') ?? null, ip: c.req.header('cf-connecting-ip') ?? null };
}

/** Customers register themselves; drivers and admins are invited by an admin. */
auth.post('/register', async (c) => {
  const body = await readJson(c, RegisterBody);
  const db = c.var.db;
  const passwordHash = await hashPassword(body.password);
  const user = await db.transaction(async (tx) => {
    const [taken] = await tx.select({ id: t.users.id }).from(t.users).where(sql`lower(${t.users.email}) = ${body.email}`).limit(1);
    if (taken) throw new ApiError(409, 'email_taken', 'An account with that email already exists; sign in or reset the password.');
    if (body.phone) {
      const [phoneTaken] = await tx.select({ id: t.users.id }).from(t.users).where(eq(t.users.phone, body.phone)).limit(1);
      if (phoneTaken) throw new ApiError(409, 'phone_taken', 'That phone number is already on another account.');
    }
    const [row] = await tx
      .insert(t.users)
      .values({ email: body.email, password_hash: passwordHash, role: 'customer', full_name: body.full_name, phone: body.phone ?? null })
      .returning();
    await tx.insert(t.customer_profiles).values({ user_id: row!.id });
    return row!;
  });
  const { response } = await issueSession(db, c.env, user, device(c));
  return c.json(response, 201);
});

auth.post('/login', async (c) => {
  const body = await readJson(c, LoginBody);
  const db = c.var.db;
  const [user] = await db.select().from(t.users).where(sql`lower(${t.users.email}) = ${body.email}`).limit(1);
  const ok = await verifyPassword(body.password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) throw unauthorized('invalid_credentials', 'That email and password do not match.');
  if (!user.is_active || user.suspended_at) throw unauthorized('account_disabled', 'This account has been suspended; contact your dispatcher.');
  if (user.role === 'admin') {
    if (!user.totp_secret) throw unauthorized('totp_enrolment_required', 'Admin accounts need two-factor sign-in: use your enrolment link first.');
    if (!body.totp_code) throw unauthorized('totp_required', 'Enter the 6-digit code from your authenticator app.');
    if (!(await verifyTotp(user.totp_secret, body.totp_code))) throw unauthorized('totp_invalid', 'That code is not valid; check the time on your phone and try again.');
  }
  await db.update(t.users).set({ last_login_at: new Date() }).where(eq(t.users.id, user.id));
  const { response } = await issueSession(db, c.env, user, device(c, body.device_info));
  return c.json(response, 200);
});

auth.post('/refresh', async (c) => {
  const body = await readJson(c, RefreshBody);
  return c.json(await rotateRefreshToken(c.var.db, c.env, body.refresh_token, device(c)), 200);
});

/** Ends this session: the refresh token's family, and the access token if one is sent. */
auth.post('/logout', async (c) => {
  const body = await readJson(c, RefreshBody);
  await logoutRefreshToken(c.var.db, body.refresh_token);
  const header = c.req.header('authorization');
  if (header?.startsWith('Bearer ')) {
    const v = await verifyAccessToken(c.env, header.slice(7));
    if (v.ok) await revokeAccessToken(c.env, v.claims);
  }
  return c.body(null, 204);
});
