import type { SessionMatch } from '../../durable-objects/socket-identity';
import { ACCESS_TTL_SECONDS, type AccessClaims } from './tokens';
import { log } from '../lib/log';

function guard(env: Env, userId: string) {
  return env.SESSION_GUARD.get(env.SESSION_GUARD.idFromName(userId));
}

/** True when the token was revoked before its expiry (SPEC §4: instant revocation). */
export async function isRevoked(
  env: Env,
  claims: Pick<AccessClaims, 'sub' | 'iat' | 'jti' | 'ims' | 'sid'>,
): Promise<boolean> {
  // Without a millisecond issue time, assume the start of its second: revoke when in doubt.
  const issuedMs =
    typeof claims.ims === 'number' && Math.floor(claims.ims / 1000) === claims.iat ? claims.ims : claims.iat * 1000;
  return guard(env, claims.sub).check(issuedMs, claims.jti, claims.sid);
}

/** The session a token belongs to: its refresh-token family, or the token alone when it was minted outside one. */
export function sessionOf(claims: Pick<AccessClaims, 'jti' | 'sid'>): SessionMatch {
  return claims.sid ? { sid: claims.sid } : { jti: claims.jti };
}

/** The per-user object that also holds a not-yet-confirmed TOTP secret. */
export function sessionGuard(env: Env, userId: string) {
  return guard(env, userId);
}

async function closeSockets(env: Env, userId: string, jobIds: string[], only?: SessionMatch): Promise<void> {
  const closes: Promise<number>[] = [env.DISPATCH.get(env.DISPATCH.idFromName('default')).closeUser(userId, only)];
  for (const jobId of jobIds) closes.push(env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId)).closeUser(userId, only));
  const results = await Promise.allSettled(closes);
  for (const r of results) {
    if (r.status === 'rejected')
      log.error({
        msg: 'closing revoked sockets failed',
        user_id: userId,
        err: String(r.reason),
      });
  }
}

/** Ends every session of a user at once: tokens stop working and live sockets close. */
export async function revokeAllSessions(env: Env, userId: string, jobIds: string[] = []): Promise<void> {
  await guard(env, userId).revokeAll();
  await closeSockets(env, userId, jobIds);
}

/**
 * Ends one session: every access token it issued stops working and the sockets opened
 * with them close; the user's other sessions are untouched. A revoked family issues no
 * new tokens, so the record is needed only until the newest one would have expired.
 */
export async function revokeSession(
  env: Env,
  userId: string,
  session: SessionMatch,
  jobIds: string[] = [],
): Promise<void> {
  await guard(env, userId).revokeSession(session, Math.floor(Date.now() / 1000) + ACCESS_TTL_SECONDS);
  await closeSockets(env, userId, jobIds, session);
}
