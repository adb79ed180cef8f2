import { Hono, type Context } from 'hono';
import { eq, sql } from 'drizzle-orm';
import { LoginBody, RefreshBody, RegisterBody } from '../../contract/api';
import * as t from '../../db/schema';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from '../auth/passwords';
import { assertAcceptablePassword } from '../auth/password-policy';
import { useRecoveryCode } from '../auth/recovery-codes';
import { useTotpCode } from '../auth/totp-replay';
import { sessionOf } from '../auth/revocation';
import { verifyAccessToken } from '../auth/tokens';
import { audit } from '../lib/audit';
import { isUniqueViolation } from '../lib/db-errors';
import { clientIp, userAgent } from '../lib/client';
import { ApiError, unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { assertAdminIp } from '../middleware/admin-ip';
import { assertAuthBudget, limitAuth } from '../middleware/rate-limit';
import { mailer, sendVerificationEmail } from '../services/account-mail';
import { issueToken } from '../services/one-time-tokens';
import { endAllSessions, endSession, endSessionByRefreshToken } from '../services/session-end';
import { issueSession, rotateRefreshToken, type DeviceContext } from '../services/sessions';
import type { AppEnv } from '../types';
import { accountRecovery } from './auth-recovery';
import { accountVerification } from './auth-verify';
import { invitations } from './auth-invites';
import { totp } from './auth-totp';

export const auth = new Hono<AppEnv>();

export function device(c: Context<AppEnv>, info?: string): DeviceContext {
  return { device_info: info ?? userAgent(c), ip: clientIp(c) };
}

/** Customers register themselves; drivers and admins are invited by an admin. */
auth.post('/register', async (c) => {
  const body = await readJson(c, RegisterBody);
  await assertAcceptablePassword(c.env, body.password);
  const db = c.var.db;
  const passwordHash = await hashPassword(body.password);
  const { user, verification } = await db
    .transaction(async (tx) => {
      const [taken] = await tx
        .select({ id: t.users.id })
        .from(t.users)
        .where(sql`lower(${t.users.email}) = ${body.email}`)
        .limit(1);
      if (taken)
        throw new ApiError(
          409,
          'email_taken',
          'An account with that email already exists; sign in or reset the password.',
        );
      if (body.phone) {
        const [phoneTaken] = await tx
          .select({ id: t.users.id })
          .from(t.users)
          .where(eq(t.users.phone, body.phone))
          .limit(1);
        if (phoneTaken) throw new ApiError(409, 'phone_taken', 'That phone number is already on another account.');
      }
      const [row] = await tx
        .insert(t.users)
        .values({
          email: body.email,
          password_hash: passwordHash,
          role: 'customer',
          full_name: body.full_name,
          phone: body.phone ?? null,
        })
        .returning();
      await tx.insert(t.customer_profiles).values({ user_id: row!.id });
      return { user: row!, verification: await issueToken(tx, row!.id, 'verify_email') };
    })
    .catch((err: unknown) => {
      // Two sign-ups racing for one email or phone: the loser gets the same 409 as above.
      if (isUniqueViolation(err))
        throw new ApiError(
          409,
          'email_taken',
          'An account with that email or phone already exists; sign in or reset the password.',
        );
      throw err;
    });
  await sendVerificationEmail(mailer(c), user, verification.id, verification.raw);
  const { response } = await issueSession(db, c.env, user, device(c));
  return c.json(response, 201);
});

/**
 * Checks an admin's second factor: a current TOTP code not used before on this account,
 * or one unused recovery code. Both are used up in a single guarded UPDATE.
 */
async function secondFactor(c: Context<AppEnv>, user: t.User, code: string | undefined): Promise<void> {
  if (!user.totp_secret || !user.totp_enabled_at) {
    throw unauthorized(
      'totp_enrolment_required',
      'Admin accounts need two-factor sign-in: use your enrolment link first.',
    );
  }
  if (!code) throw unauthorized('totp_required', 'Enter the 6-digit code from your authenticator app.');
  if (/^\d{6}$/.test(code)) {
    if (await useTotpCode(c.var.db, user.id, user.totp_secret, code)) return;
  } else if (await useRecoveryCode(c.var.db, user.id, code)) {
    await audit(c, {
      action: 'auth.recovery_code_used',
      entity_type: 'user',
      entity_id: user.id,
      actor_user_id: user.id,
    });
    return;
  }
  await limitAuth(c, 'login', user.email);
  throw unauthorized(
    'totp_invalid',
    'That code is not valid or was already used; wait for the next code and try again.',
  );
}

/** Only failed attempts spend the per-IP+account budget, so a busy dispatcher is never locked out. */
auth.post('/login', async (c) => {
  const body = await readJson(c, LoginBody);
  await assertAuthBudget(c, 'login', body.email);
  const db = c.var.db;
  const [user] = await db.select().from(t.users).where(sql`lower(${t.users.email}) = ${body.email}`).limit(1);
  const ok = await verifyPassword(body.password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) {
    await limitAuth(c, 'login', body.email);
    throw unauthorized('invalid_credentials', 'That email and password do not match.');
  }
  if (!user.is_active || user.suspended_at)
    throw unauthorized('account_disabled', 'This account has been suspended; contact your dispatcher.');
  if (user.role === 'admin') {
    assertAdminIp(c);
    await secondFactor(c, user, body.totp_code);
  }
  const changes: Partial<t.User> = { last_login_at: new Date() };
  if (needsRehash(user.password_hash)) changes.password_hash = await hashPassword(body.password);
  await db.update(t.users).set(changes).where(eq(t.users.id, user.id));
  if (user.role === 'admin')
    await audit(c, { action: 'auth.login', entity_type: 'user', entity_id: user.id, actor_user_id: user.id });
  const { response } = await issueSession(db, c.env, user, device(c, body.device_info));
  return c.json(response, 200);
});

auth.post('/refresh', async (c) => {
  const body = await readJson(c, RefreshBody);
  return c.json(await rotateRefreshToken(c.var.db, c.env, body.refresh_token, device(c)), 200);
});

/**
 * Ends this session: the refresh token's family, every access token issued in it and the
 * sockets opened with them. An access token sent too ends its own session as well, should
 * that be another one. Public so a client whose access token already expired can still
 * sign out.
 */
auth.post('/logout', async (c) => {
  const body = await readJson(c, RefreshBody);
  const ended = await endSessionByRefreshToken(c.env, c.var.db, body.refresh_token);
  const header = c.req.header('authorization');
  if (header?.startsWith('Bearer ')) {
    const v = await verifyAccessToken(c.env, header.slice(7).trim());
    if (v.ok && v.claims.sid !== ended)
      await endSession(c.env, c.var.db, { id: v.claims.sub, role: v.claims.role }, sessionOf(v.claims));
  }
  return c.body(null, 204);
});

/** Signs out everywhere: every device, every token, every open socket. */
auth.post('/logout-all', async (c) => {
  const user = c.var.user;
  await endAllSessions(c.env, c.var.db, { id: user.sub, role: user.role });
  return c.body(null, 204);
});

/** The signed-in account, with what is verified (the web app uses it to prompt). */
auth.get('/me', async (c) => {
  const [u] = await c.var.db.select().from(t.users).where(eq(t.users.id, c.var.user.sub)).limit(1);
  if (!u) throw unauthorized('token_revoked', 'This account no longer exists.');
  return c.json({
    user: {
      id: u.id,
      email: u.email,
      role: u.role,
      full_name: u.full_name,
      phone: u.phone,
      email_verified_at: u.email_verified_at,
      phone_verified_at: u.phone_verified_at,
      totp_enabled: u.totp_enabled_at !== null,
    },
  });
});

auth.route('/', accountRecovery);
auth.route('/', accountVerification);
auth.route('/', invitations);
auth.route('/', totp);
