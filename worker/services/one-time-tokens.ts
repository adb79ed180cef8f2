import { and, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import { ApiError } from '../lib/errors';
import { randomToken, sha256Hex } from '../lib/ids';
import type { TokenPurpose } from '../../contract/enums';

/** How long each kind of emailed link or code stays good. */
export const TOKEN_TTL_SECONDS: Record<TokenPurpose, number> = {
  magic_link: 15 * 60,
  verify_email: 48 * 60 * 60,
  verify_phone: 10 * 60,
  reset_password: 60 * 60,
  invite: 7 * 24 * 60 * 60,
  admin_enrol: 24 * 60 * 60,
};

/** Wrong guesses allowed on a 6-digit code before it is void. */
export const MAX_CODE_ATTEMPTS = 5;

type Queryable = Pick<Db, 'select' | 'insert' | 'update' | 'delete'>;

/**
 * Stores a one-time token (only its SHA-256) and returns the raw value to send. Earlier
 * tokens of the same purpose for the user are dropped: the newest link wins, and a
 * short code can never collide with an old row of the same user.
 */
export async function issueToken(
  db: Queryable,
  userId: string,
  purpose: TokenPurpose,
  raw: string = randomToken(32),
): Promise<{ id: string; raw: string; expires_at: Date }> {
  await db.delete(t.auth_tokens).where(and(eq(t.auth_tokens.user_id, userId), eq(t.auth_tokens.purpose, purpose)));
  const expires_at = new Date(Date.now() + TOKEN_TTL_SECONDS[purpose] * 1000);
  const [row] = await db
    .insert(t.auth_tokens)
    .values({ user_id: userId, purpose, token_hash: sha256Hex(`${purpose}:${raw}`), expires_at })
    .returning({ id: t.auth_tokens.id });
  return { id: row!.id, raw, expires_at };
}

export const invalidToken = () =>
  new ApiError(400, 'token_invalid', 'This link is invalid, has expired or was already used; ask for a new one.');

/** The row of an unused, unexpired token of this purpose. */
const usable = (raw: string, purpose: TokenPurpose) =>
  and(
    eq(t.auth_tokens.token_hash, sha256Hex(`${purpose}:${raw}`)),
    eq(t.auth_tokens.purpose, purpose),
    isNull(t.auth_tokens.used_at),
    gt(t.auth_tokens.expires_at, sql`now()`),
  );

/** Whose token it is, and which row. */
const tokenOwner = { user_id: t.auth_tokens.user_id, id: t.auth_tokens.id };
type TokenOwner = { user_id: string; id: string };

function usableOrInvalid([row]: TokenOwner[]): TokenOwner {
  if (!row) throw invalidToken();
  return row;
}

/**
 * Uses up a token in one statement — of two concurrent clicks only one wins — and
 * returns its user. Expired, used or unknown tokens give 400 `token_invalid`.
 */
export async function consumeToken(db: Queryable, raw: string, purpose: TokenPurpose): Promise<TokenOwner> {
  return usableOrInvalid(
    await db.update(t.auth_tokens).set({ used_at: sql`now()` }).where(usable(raw, purpose)).returning(tokenOwner),
  );
}

/** Looks a token up without using it (e.g. TOTP enrolment shows a secret before confirming). */
export async function peekToken(db: Queryable, raw: string, purpose: TokenPurpose): Promise<TokenOwner> {
  return usableOrInvalid(await db.select(tokenOwner).from(t.auth_tokens).where(usable(raw, purpose)).limit(1));
}

/** A random 6-digit code, uniformly distributed (rejection sampling, no modulo bias). */
export function sixDigitCode(): string {
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    const v = buf[0]!;
    if (v < 4_294_000_000) return String(v % 1_000_000).padStart(6, '0');
  }
}

/**
 * Checks a 6-digit code against the user's newest live code of `purpose`. Every check
 * spends one of MAX_CODE_ATTEMPTS tries; once they are spent the code is void and a new
 * one is needed. Spending the try, comparing and using the code up is one UPDATE guarded
 * by the limit, so concurrent guesses cannot get more tries between a read and a write
 * (forty at once still compare at most five). The code is stored as SHA-256 of purpose,
 * user and code, so one table row per user at a time (older ones are dropped by
 * `issueToken`) keeps the hash unique.
 */
export async function consumeCode(db: Queryable, userId: string, purpose: TokenPurpose, code: string): Promise<void> {
  const live = and(
    eq(t.auth_tokens.user_id, userId),
    eq(t.auth_tokens.purpose, purpose),
    isNull(t.auth_tokens.used_at),
    gt(t.auth_tokens.expires_at, sql`now()`),
  );
  const newest = db
    .select({ id: t.auth_tokens.id })
    .from(t.auth_tokens)
    .where(live)
    .orderBy(sql`${t.auth_tokens.created_at} DESC`)
    .limit(1);
  const matches = sql`${t.auth_tokens.token_hash} = ${sha256Hex(`${purpose}:${codeSubject(userId, code)}`)}`;
  const [tried] = await db
    .update(t.auth_tokens)
    .set({
      attempts: sql`${t.auth_tokens.attempts} + 1`,
      used_at: sql`CASE WHEN ${matches} THEN now() END`,
    })
    .where(and(inArray(t.auth_tokens.id, newest), live, lt(t.auth_tokens.attempts, MAX_CODE_ATTEMPTS)))
    .returning({ attempts: t.auth_tokens.attempts, used_at: t.auth_tokens.used_at });
  if (tried?.used_at) return;
  if (tried) {
    const left = MAX_CODE_ATTEMPTS - tried.attempts;
    throw new ApiError(
      400,
      'code_invalid',
      left > 0
        ? `That code is not right; ${left} ${left === 1 ? 'try' : 'tries'} left.`
        : 'That code is not right, and that was the last try; ask for a new one.',
    );
  }
  const [spent] = await db.select({ id: t.auth_tokens.id }).from(t.auth_tokens).where(live).limit(1);
  if (spent) throw new ApiError(400, 'code_attempts_exceeded', 'Too many wrong codes; ask for a new one.');
  throw new ApiError(400, 'code_expired', 'There is no live code for this account; ask for a new one.');
}

/** The value hashed for a short code: the code alone would collide across users. */
export function codeSubject(userId: string, code: string): string {
  return `${userId}:${code}`;
}
