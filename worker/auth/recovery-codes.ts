import { and, eq, isNull, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { sha256Hex } from '../lib/ids';
import { base32Encode } from './totp';

export const RECOVERY_CODE_COUNT = 10;

type Queryable = Pick<Db, 'insert' | 'update' | 'delete'>;

/** `ABCD-EFGH-JKLM-NPQR`: 80 random bits, so a fast hash at rest is enough. */
function newCode(): string {
  const raw = base32Encode(crypto.getRandomValues(new Uint8Array(10)));
  return raw.match(/.{4}/g)!.join('-');
}

/** Case, spaces and dashes do not matter when a code is typed back in. */
export function normaliseRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

/**
 * Replaces the user's recovery codes with ten fresh ones and returns them in clear —
 * the only time they are ever shown. Only SHA-256 hashes are stored.
 */
export async function replaceRecoveryCodes(db: Queryable, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await db.delete(t.recovery_codes).where(eq(t.recovery_codes.user_id, userId));
  await db
    .insert(t.recovery_codes)
    .values(codes.map((c) => ({ user_id: userId, code_hash: sha256Hex(normaliseRecoveryCode(c)) })));
  return codes;
}

/** Uses up one recovery code in a single statement; false when it is wrong or spent. */
export async function spendRecoveryCode(db: Queryable, userId: string, code: string): Promise<boolean> {
  const used = await db
    .update(t.recovery_codes)
    .set({ used_at: sql`now()` })
    .where(
      and(
        eq(t.recovery_codes.user_id, userId),
        eq(t.recovery_codes.code_hash, sha256Hex(normaliseRecoveryCode(code))),
        isNull(t.recovery_codes.used_at),
      ),
    )
    .returning({ id: t.recovery_codes.id });
  return used.length > 0;
}
