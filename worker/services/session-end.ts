import { and, desc, eq, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Role } from '../../contract/enums';
import { TERMINAL_JOB } from '../../contract/job-status';
import * as t from '../../db/schema';
import type { SessionMatch } from '../../durable-objects/socket-identity';
import { revokeAllSessions, revokeSession } from '../auth/revocation';
import type { Db } from '../lib/db';
import type { Queryable } from './jobs';
import { sha256Hex } from '../lib/ids';

/** Cap on rooms swept for one user; a small operator has far fewer live jobs. */
const MAX_ROOMS = 500;

/**
 * The job rooms a user's sockets may sit in: a customer's unfinished jobs and their
 * latest one (where `/ws` without a topic lands), a driver's unfinished jobs, and for
 * an admin every unfinished job (admins may watch any room).
 */
export async function roomsOf(db: Db, user: { id: string; role: Role }): Promise<string[]> {
  const live = notInArray(t.jobs.status, [...TERMINAL_JOB]);
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
  const [profile] = await db
    .select({ id: t.customer_profiles.id })
    .from(t.customer_profiles)
    .where(eq(t.customer_profiles.user_id, user.id))
    .limit(1);
  if (!profile) return [];
  const rows = await db
    .select({ id: t.jobs.id, status: t.jobs.status })
    .from(t.jobs)
    .where(eq(t.jobs.customer_id, profile.id))
    .orderBy(desc(t.jobs.requested_at))
    .limit(MAX_ROOMS);
  return rows.filter((r, i) => i === 0 || !TERMINAL_JOB.includes(r.status)).map((r) => r.id);
}

/**
 * Serializes, per user, rotating a refresh token with revoking them: held by both until
 * their transaction ends. Without it a logout landing between a refresh's claim of the old
 * token and its insert of the new one revokes the family as it was, and the new token —
 * not yet there to see — would outlive the logout.
 */
export async function lockUserSessions(tx: Queryable, userId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`refresh_tokens:${userId}`}, 0))`);
}

/** Revokes the live refresh tokens `which` selects; call with the user's session lock held. */
function revokeLocked(tx: Queryable, which: SQL): Promise<unknown> {
  return tx
    .update(t.refresh_tokens)
    .set({ revoked_at: sql`now()` })
    .where(and(which, isNull(t.refresh_tokens.revoked_at)));
}

/** Revokes a family's live refresh tokens; call with the user's session lock held. */
export async function revokeFamilyLocked(tx: Queryable, familyId: string): Promise<void> {
  await revokeLocked(tx, eq(t.refresh_tokens.family_id, familyId));
}

/** Takes the user's session lock and revokes the live refresh tokens `which` selects. */
async function revokeRefreshTokens(db: Db, userId: string, which: SQL): Promise<void> {
  await db.transaction(async (tx) => {
    await lockUserSessions(tx, userId);
    await revokeLocked(tx, which);
  });
}

/**
 * Logout-all, password reset, suspension: every refresh token of the user is revoked,
 * every access token issued so far is refused (SessionGuard), and open sockets close
 * with 4001.
 */
export async function endAllSessions(env: Env, db: Db, user: { id: string; role: Role }): Promise<void> {
  await revokeRefreshTokens(db, user.id, eq(t.refresh_tokens.user_id, user.id));
  await revokeAllSessions(env, user.id, await roomsOf(db, user));
}

/**
 * Logout, refresh-token reuse: one session of the user ends — its refresh-token family,
 * every access token issued in it (SessionGuard, by the `sid` claim) and the sockets
 * opened with them. The user's other sessions keep working.
 */
export async function endSession(
  env: Env,
  db: Db,
  user: { id: string; role: Role },
  session: SessionMatch,
): Promise<void> {
  if ('sid' in session) await revokeRefreshTokens(db, user.id, eq(t.refresh_tokens.family_id, session.sid));
  await revokeSession(env, user.id, session, await roomsOf(db, user));
}

/** Ends the session a refresh token belongs to; returns its id, or null for a token never issued. */
export async function endSessionByRefreshToken(env: Env, db: Db, raw: string): Promise<string | null> {
  const [row] = await db
    .select({ user_id: t.refresh_tokens.user_id, family_id: t.refresh_tokens.family_id, role: t.users.role })
    .from(t.refresh_tokens)
    .innerJoin(t.users, eq(t.users.id, t.refresh_tokens.user_id))
    .where(eq(t.refresh_tokens.token_hash, sha256Hex(raw)))
    .limit(1);
  if (!row) return null;
  await endSession(env, db, { id: row.user_id, role: row.role }, { sid: row.family_id });
  return row.family_id;
}
