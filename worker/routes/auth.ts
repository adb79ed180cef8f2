import { Hono, type Context } from 'hono';
import { eq, sql } from 'drizzle-orm';
import { LoginBody, RefreshBody, RegisterBody } from '../../contract/api';
import * as t from '../../db/schema';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from '../auth/passwords';
import { assertAcceptablePassword } from '../auth/password-policy';
import { spendRecoveryCode } from '../auth/recovery-codes';
import { spendTotpCode } from '../auth/totp-replay';
import { sessionOf } from '../auth/revocation';
import { verifyAccessToken } from '../auth/tokens';
import { audit } from '../lib/audit';
import { clientIp, userAgent } from '../lib/client';
import { unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { assertAdminIp } from '../middleware/admin-ip';
import { assertAuthBudget, limitAuth } from '../middleware/rate-limit';
import { afterResponse } from '../lib/background';
import { mailer, sendSignUpAttempt, sendVerificationEmail } from '../services/account-mail';
import { smsConsentColumns } from '../services/customer-profile';
import { issueToken } from '../services/one-time-tokens';
import { endAllSessions, endSession, endSessionByRefreshToken } from '../services/session-end';
import { issueSession, rotateRefreshToken, type DeviceContext } from '../services/sessions';
import type { AppEnv } from '../types';
import { accountRecovery } from './auth-recovery';
import { accountVerification } from './auth-verify';
import { invitations } from './auth-invites';
import { totp } from './auth-totp';
import { passwordChange } from './auth-password';

export const auth = new Hono<AppEnv>();

export function device(c: Context<AppEnv>, info?: string): DeviceContext {
  return { device_info: info ?? userAgent(c), ip: clientIp(c) };
}

/** What sign-up answers when it does not sign the person in: the same for every address. */
const SIGN_UP_ACCEPTED = {
  status: 'accepted',
  message: 'Check your email: we sent you a message to finish signing up.',
} as const;

/** The client asked for the answer that does not depend on the address (RFC 7240 `Prefer: respond-async`). */
function prefersAsync(c: Context<AppEnv>): boolean {
  return (c.req.header('prefer') ?? '')
    .split(',')
    .some((p) => p.split(';')[0]!.trim().toLowerCase() === 'respond-async');
}

/**
 * Customers register themselves; drivers and admins are invited by an admin. Whether an
 * address or a phone number already has an account is never said (docs/decisions/0065):
 * a new address gets its account and a link to confirm it; an address that has one gets
 * nothing changed and its holder a "someone tried to sign up" mail; a phone number is
 * stored unverified either way (only the texted code proves whose it is).
 *
 * With `Prefer: respond-async` (the web app) both cases answer 202 with the same body.
 * Without it a new account is signed in at once — 201 with the token response, which
 * outside clients rely on (SPEC §7) — and a known address answers that same 202, never
 * a 409; sign-ups are limited per IP like the other auth actions.
 */
auth.post('/register', async (c) => {
  const body = await readJson(c, RegisterBody);
  await limitAuth(c, 'register', 'sign-up');
  await assertAcceptablePassword(c.env, body.password);
  const db = c.var.db;
  const async = prefersAsync(c);
  if (async) c.header('preference-applied', 'respond-async');
  // Hashed before knowing whether the address is new, so both answers take as long.
  const passwordHash = await hashPassword(body.password);
  const created = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(t.users)
      .values({
        email: body.email,
        password_hash: passwordHash,
        role: 'customer',
        full_name: body.full_name,
        phone: body.phone ?? null,
        ...(body.sms_consent ? smsConsentColumns(true, clientIp(c)) : {}),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) return null;
    await tx.insert(t.customer_profiles).values({ user_id: row.id });
    return { user: row, verification: await issueToken(tx, row.id, 'verify_email') };
  });
  if (!created) {
    afterResponse(c, 'sign-up attempt email', async (bg) => {
      const [holder] = await bg.select().from(t.users).where(sql`lower(${t.users.email}) = ${body.email}`).limit(1);
      if (holder?.is_active && !holder.suspended_at) await sendSignUpAttempt(mailer(c, bg), holder);
    });
    return c.json(SIGN_UP_ACCEPTED, 202);
  }
  const { user, verification } = created;
  if (async) {
    afterResponse(c, 'verification email', (bg) =>
      sendVerificationEmail(mailer(c, bg), user, verification.id, verification.raw),
    );
    return c.json(SIGN_UP_ACCEPTED, 202);
  }
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
    if (await spendTotpCode(c.var.db, user.id, user.totp_secret, code)) return;
  } else if (await spendRecoveryCode(c.var.db, user.id, code)) {
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
  // A suspended or inactive account answers exactly like a wrong password: the answer
  // must not confirm that the password was right.
  if (!user || !ok || !user.is_active || user.suspended_at) {
    await limitAuth(c, 'login', body.email);
    throw unauthorized(
      'invalid_credentials',
      'That email and password do not match an account that can sign in. If your account was suspended, ask your dispatcher.',
    );
  }
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
auth.route('/', passwordChange);
