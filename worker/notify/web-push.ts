import { concatBytes, fromBase64Url, toBase64Url } from '../lib/base64url';

/**
 * Web Push with nothing but WebCrypto: payload encryption per RFC 8291 in the `aes128gcm`
 * content coding of RFC 8188, and VAPID (RFC 8292) authorization. Written here because the
 * common libraries either need Node (`web-push`) or still produce the pre-RFC `aesgcm`
 * coding and refuse non-HTTPS endpoints (docs/decisions/0022-web-push.md).
 */

const enc = new TextEncoder();
/** One record holds the whole message: push services accept at most 4096 bytes of body. */
const RECORD_SIZE = 4096;
export const MAX_PAYLOAD_BYTES = RECORD_SIZE - 16 /* tag */ - 1 /* delimiter */ - 86 /* header */;

export interface PushSubscriptionKeys {
  endpoint: string;
  /** The user agent's P-256 public key, base64url (65 bytes uncompressed). */
  p256dh: string;
  /** The 16-byte authentication secret, base64url. */
  auth: string;
}

export interface VapidKeys {
  /** Uncompressed P-256 public key, base64url (the browser's applicationServerKey). */
  publicKey: string;
  /** The private scalar `d`, base64url. */
  privateKey: string;
  /** `mailto:` or `https:` contact for the push service. */
  subject: string;
}

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, bytes * 8));
}

/**
 * Encrypts `plaintext` for one subscription (RFC 8291 §3): a fresh ECDH key pair and salt
 * per message, IKM from the shared secret and the subscription's auth secret, then the
 * content key and nonce of RFC 8188, one record ending in the 0x02 delimiter. Returns the
 * request body: salt ‖ rs ‖ idlen ‖ keyid (our public key) ‖ ciphertext.
 */
export async function encryptPayload(
  sub: Pick<PushSubscriptionKeys, 'p256dh' | 'auth'>,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  if (plaintext.length > MAX_PAYLOAD_BYTES)
    throw new Error(`push payload is ${plaintext.length} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  const uaPublic = fromBase64Url(sub.p256dh);
  const authSecret = fromBase64Url(sub.auth);
  if (uaPublic.length !== 65 || uaPublic[0] !== 0x04) throw new Error('p256dh is not an uncompressed P-256 public key');
  if (authSecret.length !== 16) throw new Error('auth secret must be 16 bytes');

  const uaKey = await crypto.subtle.importKey('raw', uaPublic, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const local = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as CryptoKeyPair;
  const asPublic = new Uint8Array((await crypto.subtle.exportKey('raw', local.publicKey)) as ArrayBuffer);
  // workers-types spells the field `$public`; the runtime (like every WebCrypto) reads `public`.
  const ecdh = { name: 'ECDH', public: uaKey } as unknown as SubtleCryptoDeriveKeyAlgorithm;
  const ecdhSecret = new Uint8Array(await crypto.subtle.deriveBits(ecdh, local.privateKey, 256));

  const ikm = await hkdf(authSecret, ecdhSecret, concatBytes(enc.encode('WebPush: info\0'), uaPublic, asPublic), 32);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const cek = await hkdf(salt, ikm, enc.encode('Content-Encoding: aes128gcm\0'), 16);
  const nonce = await hkdf(salt, ikm, enc.encode('Content-Encoding: nonce\0'), 12);

  const key = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['encrypt']);
  const record = concatBytes(plaintext, new Uint8Array([0x02]));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, key, record));

  const header = new Uint8Array(16 + 4 + 1 + asPublic.length);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, RECORD_SIZE);
  header[20] = asPublic.length;
  header.set(asPublic, 21);
  return concatBytes(header, ciphertext);
}

/**
 * The VAPID `Authorization` header (RFC 8292 §3): an ES256 JWT for the push service's
 * origin, valid 12 hours (services refuse more than 24), plus our public key.
 */
export async function vapidAuthorization(endpoint: string, keys: VapidKeys, now = Date.now()): Promise<string> {
  const pub = fromBase64Url(keys.publicKey);
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: 'P-256',
    x: toBase64Url(pub.subarray(1, 33)),
    y: toBase64Url(pub.subarray(33, 65)),
    d: keys.privateKey,
    ext: false,
  };
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const header = toBase64Url(enc.encode(JSON.stringify({ typ: 'JWT', alg: 'ES256' })));
  const claims = toBase64Url(
    enc.encode(
      JSON.stringify({ aud: new URL(endpoint).origin, exp: Math.floor(now / 1000) + 12 * 3600, sub: keys.subject }),
    ),
  );
  // WebCrypto's ECDSA signature is r ‖ s, which is exactly the JWS ES256 form.
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    enc.encode(`${header}.${claims}`),
  );
  return `vapid t=${header}.${claims}.${toBase64Url(signature)}, k=${keys.publicKey}`;
}

export interface PushRequestOptions {
  /** Seconds the push service keeps an undelivered message. */
  ttl: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** Replaces an undelivered earlier message with the same topic (≤ 32 base64url chars). */
  topic?: string;
}

/** The complete HTTP request to deliver `payload` to one subscription. */
export async function buildPushRequest(
  sub: PushSubscriptionKeys,
  payload: unknown,
  keys: VapidKeys,
  opts: PushRequestOptions,
): Promise<Request> {
  const body = await encryptPayload(sub, enc.encode(JSON.stringify(payload)));
  const headers: Record<string, string> = {
    authorization: await vapidAuthorization(sub.endpoint, keys),
    'content-encoding': 'aes128gcm',
    'content-type': 'application/octet-stream',
    ttl: String(opts.ttl),
    urgency: opts.urgency,
  };
  if (opts.topic) headers.topic = opts.topic;
  return new Request(sub.endpoint, { method: 'POST', headers, body });
}

/** A Topic header value (RFC 8030 §5.4: ≤ 32 URL-safe characters) derived from any string. */
export async function pushTopic(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', enc.encode(key));
  return toBase64Url(digest).slice(0, 32);
}
