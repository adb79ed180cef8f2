import { Hono, type Context } from 'hono';
import { eq } from 'drizzle-orm';
import { TotpConfirmBody, TotpEnrolBody } from '../../contract/api';
import * as t from '../../db/schema';
import { replaceRecoveryCodes } from '../auth/recovery-codes';
import { sessionGuard } from '../auth/revocation';
import { newTotpSecret, otpauthUri, totpStepOf } from '../auth/totp';
import { enableTotp, spendTotpCode } from '../auth/totp-replay';
import { audit } from '../lib/audit';
import { ApiError, unauthorized } from '../lib/errors';
import { readJson } from '../lib/validate';
import { assertAdminIp } from '../middleware/admin-ip';
import { authenticate } from '../middleware/auth';
import { limitAuth } from '../middleware/rate-limit';
import { consumeToken, peekToken } from '../services/one-time-tokens';
import type { AppEnv } from '../types';

/** Admin two-factor: enrol an authenticator app, confirm it, get recovery codes. */
export const totp = new Hono<AppEnv>();

/** An unconfirmed secret is kept this long (time to scan the QR code and type a code). */
const PENDING_TTL_MS = 15 * 60 * 1000;

interface Subject {
  user: t.User;
  /** Set when acting on an invitation's enrolment token rather than a session. */
  enrolToken?: string;
}

/**
 * Who is enrolling: a signed-in admin (Authorization header), or a new admin holding
 * the `admin_enrol` token their invitation produced. These routes are public in the
 * ACCESS table because the second kind has no session yet; the check is here.
 */
async function subject(c: Context<AppEnv>, enrolToken: string | undefined): Promise<Subject> {
  const header = c.req.header('authorization');
  let userId: string;
  if (header?.startsWith('Bearer ')) {
    const claims = await authenticate(c.env, header.slice(7).trim());
    if (claims.role !== 'admin')
      throw new ApiError(403, 'totp_admins_only', 'Two-factor enrolment is for admin accounts.');
    c.set('user', claims);
    userId = claims.sub;
    enrolToken = undefined;
  } else if (enrolToken) {
    userId = (await peekToken(c.var.db, enrolToken, 'admin_enrol')).user_id;
  } else {
    throw unauthorized(
      'enrolment_token_required',
      'Sign in as an admin, or send the enrol_token from your invitation.',
    );
  }
  assertAdminIp(c);
  const [user] = await c.var.db.select().from(t.users).where(eq(t.users.id, userId)).limit(1);
  if (!user || user.role !== 'admin' || !user.is_active || user.suspended_at)
    throw unauthorized('account_disabled', 'This account cannot enrol.');
  return enrolToken ? { user, enrolToken } : { user };
}

/**
 * Starts enrolment and returns the secret to put in an authenticator app. Replacing a
 * working second factor needs a current code from it, so a stolen access token cannot
 * swap the admin's authenticator for the thief's.
 */
totp.post('/totp/enrol', async (c) => {
  const body = await readJson(c, TotpEnrolBody, { optional: true });
  const { user, enrolToken } = await subject(c, body.enrol_token);
  await limitAuth(c, 'totp', user.id);
  if (!enrolToken && user.totp_enabled_at && user.totp_secret) {
    if (!body.current_code)
      throw unauthorized('totp_required', 'Enter a code from your current authenticator to replace it.');
    if (!(await spendTotpCode(c.var.db, user.id, user.totp_secret, body.current_code)))
      throw unauthorized('totp_invalid', 'That code is not valid or was already used; wait for the next one.');
  }
  if (enrolToken && user.totp_enabled_at)
    throw new ApiError(409, 'totp_already_enabled', 'Two-factor sign-in is already on; sign in to change it.');
  const secret = newTotpSecret();
  await sessionGuard(c.env, user.id).setPendingTotp(secret, PENDING_TTL_MS);
  return c.json({ secret, otpauth_uri: otpauthUri(secret, user.email) });
});

/** Turns the pending secret on once a code from it checks out; returns 10 recovery codes, once. */
totp.post('/totp/confirm', async (c) => {
  const body = await readJson(c, TotpConfirmBody);
  const { user, enrolToken } = await subject(c, body.enrol_token);
  await limitAuth(c, 'totp', user.id);
  const guard = sessionGuard(c.env, user.id);
  const secret = await guard.pendingTotp();
  if (!secret)
    throw new ApiError(
      409,
      'totp_enrolment_missing',
      'Start enrolment first (POST /api/v1/auth/totp/enrol); it lasts 15 minutes.',
    );
  const step = await totpStepOf(secret, body.code);
  if (step === null)
    throw new ApiError(400, 'totp_invalid', 'That code does not match the new secret; check the time on your phone.');
  const { codes, enabledAt } = await c.var.db.transaction(async (tx) => {
    if (enrolToken) await consumeToken(tx, enrolToken, 'admin_enrol');
    // The confirming code is used up too: it cannot sign in or confirm a second time.
    const u = await enableTotp(tx, user.id, secret, step);
    if (!u) throw new ApiError(400, 'totp_invalid', 'That code was already used; wait for the next one.');
    const codes = await replaceRecoveryCodes(tx, user.id);
    await audit(
      c,
      {
        action: user.totp_enabled_at ? 'auth.totp_replaced' : 'auth.totp_enrolled',
        entity_type: 'user',
        entity_id: user.id,
        actor_user_id: user.id,
      },
      tx,
    );
    return { codes, enabledAt: u.totp_enabled_at };
  });
  await guard.clearPendingTotp();
  return c.json({ totp_enabled_at: enabledAt, recovery_codes: codes });
});
