import type { AccessClaims } from './tokens';

function guard(env: Env, userId: string) {
  return env.SESSION_GUARD.get(env.SESSION_GUARD.idFromName(userId));
}

/** True when the token was revoked before its expiry (SPEC §4: instant revocation). */
export async function isRevoked(env: Env, claims: Pick<AccessClaims, 'sub' | 'iat' | 'jti' | 'ims'>): Promise<boolean> {
  // Without a millisecond issue time, assume the start of its second: revoke when in doubt.
  const issuedMs = typeof claims.ims === 'number' && Math.floor(claims.ims / 1000) === claims.iat ? claims.ims : claims.iat * 1000;
  return guard(env, claims.sub).check(issuedMs, claims.jti);
}

export async function revokeAccessToken(env: Env, claims: Pick<AccessClaims, 'sub' | 'jti' | 'exp'>): Promise<void> {
  await guard(env, claims.sub).revokeToken(claims.jti, claims.exp);
}

/** The per-user object that also holds a not-yet-confirmed TOTP secret. */
export function sessionGuard(env: Env, userId: string) {
  return guard(env, userId);
}

async function closeSockets(env: Env, userId: string, jobIds: string[], jti?: string): Promise<void> {
  const closes: Promise<number>[] = [env.DISPATCH.get(env.DISPATCH.idFromName('default')).closeUser(userId, jti)];
  for (const jobId of jobIds) closes.push(env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId)).closeUser(userId, jti));
  const results = await Promise.allSettled(closes);
  for (const r of results) {
    if (r.status === 'rejected') console.error(JSON.stringify({ level: 'error', msg: 'closing revoked sockets failed', user_id: userId, err: String(r.reason) }));
  }
}

/** Ends every session of a user at once: tokens stop working and live sockets close. */
export async function revokeAllSessions(env: Env, userId: string, jobIds: string[] = []): Promise<void> {
  await guard(env, userId).revokeAll();
  await closeSockets(env, userId, jobIds);
}

/** Ends one session: its access token stops working and the sockets opened with it close. */
export async function revokeSession(env: Env, claims: Pick<AccessClaims, 'sub' | 'jti' | 'exp'>, jobIds: string[] = []): Promise<void> {
  await revokeAccessToken(env, claims);
  await closeSockets(env, claims.sub, jobIds, claims.jti);
}
