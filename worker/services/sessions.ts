import { and, eq, isNull } from 'drizzle-orm';
import * as t from '../../db/schema';
import { ACCESS_TTL_SECONDS, REFRESH_TTL_SECONDS, signAccessToken } from '../auth/tokens';
import type { Db } from '../lib/db';
import { unauthorized } from '../lib/errors';
import { randomToken, sha256Hex } from '../lib/ids';
import { endSession, lockUserSessions, revokeFamilyLocked } from './session-end';
import type { SessionUser, TokenResponse } from '../../contract/responses';
import type { Queryable } from './jobs';

export type { SessionUser, TokenResponse };

export interface DeviceContext {
  device_info?: string | null;
  ip?: string | null;
}

/** Profile ids carried in the access token so handlers need no lookup to check ownership. */
async function profileIds(db: Queryable, user: SessionUser): Promise<{ did: string | null; cid: string | null }> {
  if (user.role !== 'driver' && user.role !== 'customer') return { did: null, cid: null };
  const [row] = await db
    .select({ did: t.driver_profiles.id, cid: t.customer_profiles.id })
    .from(t.users)
    .leftJoin(t.driver_profiles, eq(t.driver_profiles.user_id, t.users.id))
    .leftJoin(t.customer_profiles, eq(t.customer_profiles.user_id, t.users.id))
    .where(eq(t.users.id, user.id))
    .limit(1);
  return {
    did: user.role === 'driver' ? (row?.did ?? null) : null,
    cid: user.role === 'customer' ? (row?.cid ?? null) : null,
  };
}

/**
 * Starts (or continues, with `familyId`) a session: a 15-minute access JWT and a 30-day
 * random refresh token stored only as its SHA-256.
 */
export async function issueSession(
  db: Queryable,
  env: Env,
  user: SessionUser,
  device: DeviceContext,
  familyId: string = crypto.randomUUID(),
): Promise<{ response: TokenResponse; refreshId: string }> {
  const ids = await profileIds(db, user);
  const { token } = await signAccessToken(env, {
    sub: user.id,
    role: user.role,
    name: user.full_name,
    sid: familyId,
    ...ids,
  });
  const refresh = randomToken(32);
  const [row] = await db
    .insert(t.refresh_tokens)
    .values({
      user_id: user.id,
      token_hash: sha256Hex(refresh),
      family_id: familyId,
      device_info: device.device_info?.slice(0, 200) ?? null,
      ip: device.ip ?? null,
      expires_at: new Date(Date.now() + REFRESH_TTL_SECONDS * 1000),
    })
    .returning({ id: t.refresh_tokens.id });
  return {
    response: {
      user: { id: user.id, email: user.email, role: user.role, full_name: user.full_name },
      access_token: token,
      refresh_token: refresh,
      expires_in: ACCESS_TTL_SECONDS,
    },
    refreshId: row!.id,
  };
}

/**
 * Rotates a refresh token: the presented one is retired and a new pair issued in the
 * same family. Presenting an already-rotated token (it has `last_used_at`) means it was
 * copied: the whole family is revoked — its access tokens and sockets too — and the reuse
 * is written to the audit log.
 */
export async function rotateRefreshToken(db: Db, env: Env, raw: string, device: DeviceContext): Promise<TokenResponse> {
  const hash = sha256Hex(raw);
  const [found] = await db
    .select({ token: t.refresh_tokens, role: t.users.role })
    .from(t.refresh_tokens)
    .innerJoin(t.users, eq(t.users.id, t.refresh_tokens.user_id))
    .where(eq(t.refresh_tokens.token_hash, hash))
    .limit(1);
  if (!found) throw unauthorized('refresh_token_invalid', 'That refresh token is not valid: sign in again.');
  const row = found.token;
  if (row.revoked_at && !row.last_used_at) {
    // Revoked by a logout, a reset or a suspension — not a replay of a rotated token.
    throw unauthorized('refresh_token_revoked', 'This session was signed out: sign in again.');
  }
  if (row.revoked_at) {
    await endSession(env, db, { id: row.user_id, role: found.role }, { sid: row.family_id });
    await db.insert(t.audit_log).values({
      actor_user_id: row.user_id,
      action: 'auth.refresh_token_reused',
      entity_type: 'refresh_token_family',
      entity_id: row.family_id,
      ip: device.ip ?? null,
      user_agent: device.device_info ?? null,
    });
    throw unauthorized(
      'refresh_token_reused',
      'That refresh token was already used; every session from it has been signed out.',
    );
  }
  if (row.expires_at.getTime() <= Date.now())
    throw unauthorized('refresh_token_expired', 'Your session expired: sign in again.');
  // The claim, the new token and the link between them commit together, under the user's
  // session lock: a logout or suspension either comes first (the claim then finds the token
  // revoked) or waits and then sees the new token too. Refusals come out as values, not
  // throws, so what the transaction revoked on the way (a disabled account's family) commits.
  const outcome = await db.transaction(async (tx) => {
    await lockUserSessions(tx, row.user_id);
    // Claim the token atomically: of two concurrent refreshes only one wins.
    const now = new Date();
    const claimed = await tx
      .update(t.refresh_tokens)
      .set({ revoked_at: now, last_used_at: now })
      .where(and(eq(t.refresh_tokens.id, row.id), isNull(t.refresh_tokens.revoked_at)))
      .returning({ id: t.refresh_tokens.id });
    if (claimed.length === 0) {
      // Revoked meanwhile: by a logout (never used) or by the refresh that won the race.
      const [current] = await tx
        .select({ last_used_at: t.refresh_tokens.last_used_at })
        .from(t.refresh_tokens)
        .where(eq(t.refresh_tokens.id, row.id))
        .limit(1);
      return current?.last_used_at ? ('reused' as const) : ('revoked' as const);
    }
    const [user] = await tx.select().from(t.users).where(eq(t.users.id, row.user_id)).limit(1);
    if (!user?.is_active || user.suspended_at) {
      await revokeFamilyLocked(tx, row.family_id);
      return 'disabled' as const;
    }
    const { response, refreshId } = await issueSession(
      tx,
      env,
      user,
      { device_info: row.device_info ?? device.device_info, ip: device.ip },
      row.family_id,
    );
    await tx.update(t.refresh_tokens).set({ replaced_by_id: refreshId }).where(eq(t.refresh_tokens.id, row.id));
    return response;
  });
  if (outcome === 'reused') throw unauthorized('refresh_token_reused', 'That refresh token was already used.');
  if (outcome === 'revoked') throw unauthorized('refresh_token_revoked', 'This session was signed out: sign in again.');
  if (outcome === 'disabled') throw unauthorized('account_disabled', 'This account is not active.');
  return outcome;
}
