import { and, desc, eq, notInArray } from 'drizzle-orm';
import { TERMINAL_JOB_STATUSES, type Role } from '../../contract/enums';
import * as t from '../../db/schema';
import { revokeAllSessions, revokeSession } from '../auth/revocation';
import type { AccessClaims } from '../auth/tokens';
import type { Db } from '../lib/db';
import { revokeAllRefreshTokens } from './sessions';

/** Cap on rooms swept for one user; a small operator has far fewer live jobs. */
const MAX_ROOMS = 500;

/**
 * The job rooms a user's sockets may sit in: a customer's unfinished jobs and their
 * latest one (where `/ws` without a topic lands), a driver's unfinished jobs, and for
 * an admin every unfinished job (admins may watch any room).
 */
export async function roomsOf(db: Db, user: { id: string; role: Role }): Promise<string[]> {
  const live = notInArray(t.jobs.status, [...TERMINAL_JOB_STATUSES]);
  if (user.role === 'admin') {
    const rows = await db.select({ id: t.jobs.id }).from(t.jobs).where(live).limit(MAX_ROOMS);
    return rows.map((r) => r.id);
  }
  if (user.role === 'driver') {
    const rows = await db
      .select({ id: t.jobs.id })
      .from(t.jobs)
      .innerJoin(t.driver_profiles, eq(t.driver_profiles.id, t.jobs.driver_id))
      .where(and(eq(t.driver_profiles.user_id, user.id), live))
      .limit(MAX_ROOMS);
    return rows.map((r) => r.id);
  }
  const [profile] = await db.select({ id: t.customer_profiles.id }).from(t.customer_profiles).where(eq(t.customer_profiles.user_id, user.id)).limit(1);
  if (!profile) return [];
  const rows = await db
    .select({ id: t.jobs.id, status: t.jobs.status })
    .from(t.jobs)
    .where(eq(t.jobs.customer_id, profile.id))
    .orderBy(desc(t.jobs.requested_at))
    .limit(MAX_ROOMS);
  return rows.filter((r, i) => i === 0 || !TERMINAL_JOB_STATUSES.includes(r.status)).map((r) => r.id);
}

/**
 * Logout-all, password reset, suspension: every refresh token of the user is revoked,
 * every access token issued so far is refused (SessionGuard), and open sockets close
 * with 4001.
 */
export async function endAllSessions(env: Env, db: Db, user: { id: string; role: Role }): Promise<void> {
  await revokeAllRefreshTokens(db, user.id);
  await revokeAllSessions(env, user.id, await roomsOf(db, user));
}

/** Logout of the session that owns `claims`: its token and sockets only. */
export async function endSession(env: Env, db: Db, claims: AccessClaims): Promise<void> {
  await revokeSession(env, claims, await roomsOf(db, { id: claims.sub, role: claims.role }));
}

