import { fromBase64Url } from '../lib/base64url';

const enc = new TextEncoder();

/** Constant-time comparison of two byte strings (WebCrypto has no timingSafeEqual). */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

async function hmac(hash: 'SHA-1' | 'SHA-256', key: Uint8Array, data: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(data)));
}

/**
 * Twilio's request signature (X-Twilio-Signature): HMAC-SHA1, keyed with the account's
 * Auth Token, over the full URL Twilio called followed by every POST parameter's name and
 * value, sorted by name; base64. See twilio.com/docs/usage/webhooks/webhooks-security.
 */
export async function twilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams | [string, string][],
): Promise<string> {
  const pairs = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const data = url + pairs.map(([k, v]) => k + v).join('');
  return btoa(String.fromCharCode(...(await hmac('SHA-1', enc.encode(authToken), data))));
}

export async function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: URLSearchParams,
  header: string | undefined,
): Promise<boolean> {
  if (!authToken || !header) return false;
  return equalBytes(enc.encode(header.trim()), enc.encode(await twilioSignature(authToken, url, params)));
}

/** Svix (Resend's webhooks) refuses messages older or newer than this, against replays. */
export const SVIX_TOLERANCE_SECONDS = 5 * 60;

/**
 * Resend signs webhooks with Svix: HMAC-SHA256 over `${svix-id}.${svix-timestamp}.${raw body}`
 * keyed with the base64 part of the `whsec_…` secret; `svix-signature` holds one or more
 * space-separated `v1,<base64>` signatures (several during secret rotation).
 * See docs.svix.com/receiving/verifying-payloads/how-manual.
 */
export async function verifySvixSignature(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  const { id, timestamp, signature } = headers;
  if (!secret || !id || !timestamp || !signature) return false;
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > SVIX_TOLERANCE_SECONDS) return false;
  let key: Uint8Array;
  try {
    key = fromBase64Url(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  } catch {
    return false;
  }
  const expected = await hmac('SHA-256', key, `${id}.${timestamp}.${body}`);
  return signature.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || !sig) return false;
    try {
      return equalBytes(fromBase64Url(sig), expected);
    } catch {
      return false;
    }
  });
}
