import { argon2idAsync } from '@noble/hashes/argon2.js';

/**
 * Argon2id at OWASP's minimum recommendation (m = 19 MiB, t = 2, p = 1). The parameters
 * are stored in the PHC string, so raising them later re-hashes on next login.
 */
export const ARGON2_PARAMS = { m: 19_456, t: 2, p: 1 } as const;

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '');
const unb64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const { m, t, p } = ARGON2_PARAMS;
  const hash = await argon2idAsync(password, salt, { m, t, p, dkLen: 32 });
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
}

/** Constant-time comparison of two byte strings of equal length. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(phc);
  if (!m) return false;
  const expected = unb64(m[5]!);
  const actual = await argon2idAsync(password, unb64(m[4]!), {
    m: Number(m[1]),
    t: Number(m[2]),
    p: Number(m[3]),
    dkLen: expected.length,
  });
  return equalBytes(actual, expected);
}

/** A hash to verify against when the account does not exist, so timing does not tell. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8qTQ7Q3b2e2A9mWqGmXzq0cOe1O0nQ0b3m9J1c4Yp0M';

/** True when a stored hash used weaker parameters than today's: re-hash on next sign-in. */
export function needsRehash(phc: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(phc);
  if (!m) return false;
  return Number(m[1]) < ARGON2_PARAMS.m || Number(m[2]) < ARGON2_PARAMS.t || Number(m[3]) !== ARGON2_PARAMS.p;
}

/**
 * The password "hash" of an invited account that has not set a password yet. It is not
 * a PHC string, so `verifyPassword` can never match it.
 */
export const INVITE_PENDING_HASH = '!invite-pending';
