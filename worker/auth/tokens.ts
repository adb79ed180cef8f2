import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type { Role } from '../../contract/enums';

export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface SigningEnv {
  JWT_SECRET: string;
  JWT_KID?: string;
  /** During key rotation: the previous key, still accepted for verification. */
  JWT_SECRET_PREVIOUS?: string;
  JWT_KID_PREVIOUS?: string;
}

/** What an access token says about its bearer. */
export interface AccessClaims {
  sub: string;
  role: Role;
  name: string;
  jti: string;
  iat: number;
  exp: number;
  /** Driver profile id, for drivers. */
  did?: string;
  /** Customer profile id, for customers. */
  cid?: string;
  /**
   * Session id: the refresh-token family the token was issued in. A logout or a detected
   * refresh-token reuse revokes the family, and with it every access token it has issued.
   */
  sid?: string;
  /**
   * Issue time in milliseconds. `iat` has one-second resolution, too coarse to tell a
   * token minted just before a logout-all from one minted just after it (a sign-in
   * right after a password reset must work).
   */
  ims?: number;
}

const enc = new TextEncoder();
const ISSUER = 'plowdispatch';

/** Secrets by key id: the current one, and the previous one while tokens it signed live. */
function keys(env: SigningEnv): Map<string, string> {
  const m = new Map<string, string>([[env.JWT_KID ?? 'k1', env.JWT_SECRET]]);
  if (env.JWT_SECRET_PREVIOUS) m.set(env.JWT_KID_PREVIOUS ?? 'k0', env.JWT_SECRET_PREVIOUS);
  return m;
}

/**
 * A secret as an HMAC key, imported once per isolate instead of on every request (it is
 * read on each one). A rotation brings a new secret and so a new entry; the few there are
 * stay until the isolate ends.
 */
type HmacKey = ReturnType<typeof crypto.subtle.importKey>;
const imported = new Map<string, HmacKey>();
function hmacKey(secret: string): HmacKey {
  let key = imported.get(secret);
  if (!key) {
    if (imported.size >= 8) imported.clear();
    key = crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    key.catch(() => imported.delete(secret));
    imported.set(secret, key);
  }
  return key;
}

export async function signAccessToken(
  env: SigningEnv,
  claims: { sub: string; role: Role; name: string; did?: string | null; cid?: string | null; sid?: string | null },
): Promise<{ token: string; jti: string }> {
  const jti = crypto.randomUUID();
  const extra: Record<string, string> = {};
  if (claims.did) extra.did = claims.did;
  if (claims.cid) extra.cid = claims.cid;
  if (claims.sid) extra.sid = claims.sid;
  const kid = env.JWT_KID ?? 'k1';
  const token = await new SignJWT({ role: claims.role, name: claims.name, ims: Date.now(), ...extra })
    .setProtectedHeader({ alg: 'HS256', kid })
    .setSubject(claims.sub)
    .setJti(jti)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ACCESS_TTL_SECONDS}s`)
    .sign(await hmacKey(keys(env).get(kid)!));
  return { token, jti };
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; code: 'token_expired' | 'token_invalid' };

/** Verifies signature (by `kid`, so a rotated key keeps working), issuer and expiry. */
export async function verifyAccessToken(env: SigningEnv, token: string): Promise<VerifyResult> {
  const ring = keys(env);
  try {
    const { payload } = await jwtVerify(
      token,
      async (header) => {
        const secret = header.kid ? ring.get(header.kid) : undefined;
        if (!secret) throw new joseErrors.JWSSignatureVerificationFailed();
        return hmacKey(secret);
      },
      { issuer: ISSUER, algorithms: ['HS256'] },
    );
    return isClaims(payload) ? { ok: true, claims: payload } : { ok: false, code: 'token_invalid' };
  } catch (err) {
    return { ok: false, code: err instanceof joseErrors.JWTExpired ? 'token_expired' : 'token_invalid' };
  }
}

function isClaims(p: JWTPayload): p is JWTPayload & AccessClaims {
  return (
    typeof p.sub === 'string' &&
    typeof p.jti === 'string' &&
    typeof p.iat === 'number' &&
    typeof p.exp === 'number' &&
    typeof p.name === 'string' &&
    (p.sid === undefined || typeof p.sid === 'string') &&
    (p.role === 'driver' || p.role === 'customer' || p.role === 'admin')
  );
}
