/**
 * `npm run vapid:keys`: a fresh VAPID key pair for Web Push (RFC 8292), in the form
 * .dev.vars / `wrangler secret put` expect: the public key as the browser's
 * applicationServerKey (uncompressed P-256, base64url) and the private scalar d.
 */
import { webcrypto } from 'node:crypto';

const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const jwk = await webcrypto.subtle.exportKey('jwk', pair.privateKey);
const pub = Buffer.from(await webcrypto.subtle.exportKey('raw', pair.publicKey)).toString('base64url');
console.log(`VAPID_PUBLIC_KEY=${pub}\nVAPID_PRIVATE_KEY=${jwk.d}\nVAPID_SUBJECT=mailto:you@example.com`);
