import { fromBase64Url, toBase64Url } from '../lib/base64url';
import type { UploadPurpose, UploadType } from './keys';

/**
 * Our own short-lived signed URLs for R2 objects (docs/decisions/0020-uploads.md): an
 * HMAC-SHA256 over exactly what the URL grants, verified by the Worker, which then streams
 * the bytes to or from R2. Nothing here is a bearer token for anything else.
 */

export const UPLOAD_TTL_SECONDS = 300;
export const DOWNLOAD_TTL_SECONDS = 600;
/** Emailed invoice links (Edgar's "signed links: TTL ≤ 7 days"). */
export const EMAIL_LINK_TTL_SECONDS = 7 * 24 * 3600;

export interface UploadGrant {
  key: string;
  user_id: string;
  purpose: UploadPurpose;
  content_type: UploadType;
  max_bytes: number;
  /** Unix seconds. */
  exp: number;
}

type SigningEnv = Pick<Env, 'FILES_SIGNING_SECRET'>;
const enc = new TextEncoder();

async function hmacKey(env: SigningEnv): Promise<CryptoKey> {
  if (!env.FILES_SIGNING_SECRET || env.FILES_SIGNING_SECRET.length < 16) {
    throw new Error('FILES_SIGNING_SECRET is not set (at least 16 characters): see .dev.vars.example');
  }
  return crypto.subtle.importKey(
    'raw',
    enc.encode(env.FILES_SIGNING_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
}

async function sign(env: SigningEnv, canonical: string): Promise<string> {
  return toBase64Url(await crypto.subtle.sign('HMAC', await hmacKey(env), enc.encode(canonical)));
}

/** Constant-time check (WebCrypto's HMAC verify) of a base64url signature. */
async function verify(env: SigningEnv, canonical: string, sig: string | undefined): Promise<boolean> {
  if (!sig || !/^[\w-]{43}$/.test(sig)) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(env), fromBase64Url(sig), enc.encode(canonical));
}

const uploadCanonical = (g: UploadGrant) =>
  ['PUT', g.key, g.user_id, g.purpose, g.content_type, g.max_bytes, g.exp].join('\n');
const downloadCanonical = (key: string, exp: number) => ['GET', key, exp].join('\n');

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The URL a client PUTs the file to (bound to user, purpose, type, size limit and key). */
export async function signUploadUrl(env: SigningEnv, origin: string, grant: UploadGrant): Promise<string> {
  const q = new URLSearchParams({
    u: grant.user_id,
    p: grant.purpose,
    ct: grant.content_type,
    max: String(grant.max_bytes),
    exp: String(grant.exp),
    sig: await sign(env, uploadCanonical(grant)),
  });
  return `${origin}/files/upload/${grant.key}?${q}`;
}

export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks an upload URL's query against its key: the signature first, then expiry. */
export async function verifyUploadUrl(
  env: SigningEnv,
  key: string,
  q: Record<string, string>,
): Promise<Verdict<UploadGrant>> {
  const grant = {
    key,
    user_id: q.u ?? '',
    purpose: q.p as UploadPurpose,
    content_type: q.ct as UploadType,
    max_bytes: Number(q.max),
    exp: Number(q.exp),
  };
  if (!Number.isSafeInteger(grant.max_bytes) || !Number.isSafeInteger(grant.exp))
    return { ok: false, reason: 'invalid' };
  if (!(await verify(env, uploadCanonical(grant), q.sig))) return { ok: false, reason: 'invalid' };
  if (grant.exp < nowSeconds()) return { ok: false, reason: 'expired' };
  return { ok: true, value: grant };
}

/** A GET URL for a private object, valid `ttlSeconds`. */
export async function signDownloadUrl(
  env: SigningEnv,
  origin: string,
  key: string,
  ttlSeconds = DOWNLOAD_TTL_SECONDS,
): Promise<{ url: string; expires_in: number }> {
  const exp = nowSeconds() + ttlSeconds;
  const q = new URLSearchParams({ exp: String(exp), sig: await sign(env, downloadCanonical(key, exp)) });
  return { url: `${origin}/files/${key}?${q}`, expires_in: ttlSeconds };
}

export async function verifyDownloadUrl(
  env: SigningEnv,
  key: string,
  q: Record<string, string>,
): Promise<Verdict<{ exp: number }>> {
  const exp = Number(q.exp);
  if (!Number.isSafeInteger(exp)) return { ok: false, reason: 'invalid' };
  if (!(await verify(env, downloadCanonical(key, exp), q.sig))) return { ok: false, reason: 'invalid' };
  if (exp < nowSeconds()) return { ok: false, reason: 'expired' };
  return { ok: true, value: { exp } };
}
