import type { AccessClaims } from './tokens';

function guard(env: Env, userId: string) {
  return env.SESSION_GUARD.get(env.SESSION_GUARD.idFromName(userId));
}

/** True when the token was revoked before its expiry (SPEC §4: instant revocation). */
export async function isRevoked(env: Env, claims: Pick<AccessClaims, 'sub' | 'iat' | 'jti'>): Promise<boolean> {
  return guard(env, claims.sub).check(claims.iat, claims.jti);
}

export async function revokeAccessToken(env: Env, claims: Pick<AccessClaims, 'sub' | 'jti' | 'exp'>): Promise<void> {
  await guard(env, claims.sub).revokeToken(claims.jti, claims.exp);
}

/** Ends every session of a user at once: tokens stop working and live sockets close. */
export async function revokeAllSessions(env: Env, userId: string, jobIds: string[] = []): Promise<void> {
  await guard(env, userId).revokeAll();
  const closes: Promise<number>[] = [env.DISPATCH.get(env.DISPATCH.idFromName('default')).closeUser(userId)];
  for (const jobId of jobIds) closes.push(env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId)).closeUser(userId));
  await Promise.allSettled(closes);
}
