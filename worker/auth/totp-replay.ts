import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { totpStepOf } from './totp';

type Queryable = Pick<Db, 'update'>;

/** The account's step is older than `step` (or none was ever accepted). */
export const stepIsNew = (step: number) => or(isNull(t.users.totp_last_step), lt(t.users.totp_last_step, step));

/**
 * Accepts a TOTP code of the account's authenticator at most once (RFC 6238 §5.2): the
 * code's time step must be newer than the last step accepted for the account, and is
 * recorded as the new last step in the same UPDATE. Two sign-ins racing with one code,
 * or a code replayed within its 90-second window, find the step taken and get false.
 *
 * @example if (!(await spendTotpCode(db, user.id, user.totp_secret, code))) throw totpInvalid();
 */
export async function spendTotpCode(db: Queryable, userId: string, secret: string, code: string): Promise<boolean> {
  const step = await totpStepOf(secret, code);
  if (step === null) return false;
  const taken = await db
    .update(t.users)
    .set({ totp_last_step: step })
    .where(and(eq(t.users.id, userId), eq(t.users.totp_secret, secret), stepIsNew(step)))
    .returning({ id: t.users.id });
  return taken.length > 0;
}

/** Sets a new authenticator secret whose code (of `step`) was just checked, under the same once-only rule. */
export async function enableTotp(db: Queryable, userId: string, secret: string, step: number) {
  const [row] = await db
    .update(t.users)
    .set({ totp_secret: secret, totp_enabled_at: sql`now()`, totp_last_step: step })
    .where(and(eq(t.users.id, userId), stepIsNew(step)))
    .returning({ totp_enabled_at: t.users.totp_enabled_at });
  return row ?? null;
}
