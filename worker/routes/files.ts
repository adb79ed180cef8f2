import { Hono, type Context } from 'hono';
import { SignFileBody } from '../../contract/background';
import { canRead } from '../files/access';
import { keyFromUrl, ownerOf } from '../files/keys';
import { currentInvoicePdf } from '../invoices/generate';
import { invoiceNumber } from '../invoices/invoices';
import { checkImageSignature, ContentMismatchError } from '../files/magic-bytes';
import { signDownloadUrl, verifyDownloadUrl, verifyUploadUrl, type UploadGrant } from '../files/signing';
import { actorOf } from '../lib/actor';
import { ApiError, notFound } from '../lib/errors';
import { readJson } from '../lib/validate';
import type { AppEnv } from '../types';
import { log } from '../lib/log';

/** `/files/*`: signed upload and download of private R2 objects (no bearer token: the signature is the grant). */
export const files = new Hono<AppEnv>();

/** `/api/v1/files/*`: signed links for signed-in users. */
export const fileLinks = new Hono<AppEnv>();

const signatureError = (reason: 'invalid' | 'expired') =>
  reason === 'expired'
    ? new ApiError(403, 'url_expired', 'This link has expired; ask for a new one.')
    : new ApiError(403, 'invalid_signature', 'This link is not valid.');

/** The refusals of an upload, all decided from the URL and headers before a byte is read. */
async function checkUpload(
  c: Context<AppEnv>,
): Promise<{ grant: UploadGrant; length: number; body: ReadableStream<Uint8Array> }> {
  const key = c.req.path.slice('/files/upload/'.length);
  if (!ownerOf(key)) throw signatureError('invalid');
  const verdict = await verifyUploadUrl(c.env, key, c.req.query());
  if (!verdict.ok) throw signatureError(verdict.reason);
  const grant = verdict.value;
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== grant.content_type) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `This upload URL takes ${grant.content_type}; got ${type || 'no content type'}.`,
    );
  }
  const lengthHeader = c.req.header('content-length');
  const length = Number(lengthHeader);
  if (!lengthHeader || !Number.isSafeInteger(length) || length < 0) {
    throw new ApiError(411, 'length_required', 'Send the file with a Content-Length header.');
  }
  if (length > grant.max_bytes) {
    throw new ApiError(
      413,
      'payload_too_large',
      `The file is ${length} bytes; this upload allows at most ${grant.max_bytes}.`,
      { max_bytes: grant.max_bytes },
    );
  }
  const body = c.req.raw.body;
  if (!body || length === 0) throw new ApiError(400, 'empty_body', 'The upload has no content.');
  if (await c.env.FILES.head(grant.key)) throw uploadUrlUsed();
  return { grant, length, body };
}

const uploadUrlUsed = () =>
  new ApiError(409, 'upload_url_used', 'This upload link has already stored a file; ask for a new link.');

/**
 * Receives an upload and streams it into R2 — the body is never read into memory:
 * `request.body` is piped through a 12-byte signature check into a FixedLengthStream of the
 * declared length, whose readable half R2 consumes as it arrives (R2 needs a stream of
 * known length). Refusals come before a byte is read: 403 bad or expired signature, 415 a
 * content type other than the signed one, 411 no length, 413 over the signed limit, 409
 * when the URL has already stored its file.
 *
 * An upload never destroys a stored file: each URL names a key of its own, the object
 * appears only once R2 has the whole body (an upload that dies mid-body stores nothing),
 * and the write is conditional on the key being empty, so of two uploads racing on one
 * URL only the first to finish is kept and the other gets 409 (docs/decisions/0065).
 */
files.put('/upload/*', async (c) => {
  let checked: { grant: UploadGrant; length: number; body: ReadableStream<Uint8Array> };
  try {
    checked = await checkUpload(c);
  } catch (err) {
    // Refused before reading: drop the body rather than leave the client's stream dangling.
    await c.req.raw.body?.cancel().catch(() => {});
    throw err;
  }
  const { grant, length, body } = checked;
  const key = grant.key;
  const fixed = new FixedLengthStream(length);
  const piping = body.pipeThrough(checkImageSignature(grant.content_type)).pipeTo(fixed.writable);
  const [stored, piped] = await Promise.allSettled([
    c.env.FILES.put(key, fixed.readable, {
      httpMetadata: { contentType: grant.content_type },
      customMetadata: { uploaded_by: grant.user_id, purpose: grant.purpose },
      onlyIf: { etagDoesNotMatch: '*' },
    }),
    piping,
  ]);
  if (piped.status === 'rejected' || stored.status === 'rejected') {
    // Only an object this request itself created may go (R2 kept the whole body, then the
    // pipe failed on close); whatever else is at the key belongs to an earlier upload.
    if (stored.status === 'fulfilled' && stored.value) await c.env.FILES.delete(key).catch(() => {});
    const reason = piped.status === 'rejected' ? piped.reason : stored.status === 'rejected' ? stored.reason : null;
    if (reason instanceof ContentMismatchError) throw new ApiError(415, 'unsupported_media_type', reason.message);
    log.error({ msg: 'upload to R2 failed', key, err: String(reason) });
    throw new ApiError(400, 'upload_failed', 'The upload did not complete; try again.');
  }
  // null: another upload on this URL finished first (the conditional write refused ours).
  if (!stored.value) throw uploadUrlUsed();
  const origin = new URL(c.req.url).origin;
  return c.json(
    { key, public_url: `${origin}/files/${key}`, size: stored.value.size, content_type: grant.content_type },
    201,
  );
});

/** Serves a private object to whoever holds a valid, unexpired signed GET URL. */
files.get('/*', async (c) => {
  const key = c.req.path.slice('/files/'.length);
  if (!ownerOf(key)) throw notFound('File');
  const verdict = await verifyDownloadUrl(c.env, key, c.req.query());
  if (!verdict.ok) throw signatureError(verdict.reason);
  const owner = ownerOf(key);
  const headers = new Headers();
  let body: ReadableStream | Uint8Array;
  if (owner?.kind === 'invoice') {
    // An invoice's PDF follows the invoice: an emailed link shows today's status and balance.
    const pdf = await currentInvoicePdf(c.env, c.var.db, owner.invoice_id);
    if (!pdf) throw notFound('File');
    headers.set('content-type', 'application/pdf');
    headers.set('content-disposition', `inline; filename="${invoiceNumber(owner.invoice_id)}.pdf"`);
    headers.set('content-length', String(pdf.size));
    body = pdf.body;
  } else {
    const object = await c.env.FILES.get(key);
    if (!object) throw notFound('File');
    object.writeHttpMetadata(headers);
    headers.set('etag', object.httpEtag);
    headers.set('content-length', String(object.size));
    body = object.body;
  }
  headers.set('x-content-type-options', 'nosniff');
  // Cached privately for no longer than the link lives.
  headers.set(
    'cache-control',
    `private, max-age=${Math.max(0, Math.min(600, verdict.value.exp - Math.floor(Date.now() / 1000)))}`,
  );
  return new Response(body, { headers });
});

/**
 * A signed GET URL (10 minutes) for a file the caller may see: its job's photo, the QR of
 * its driver, its invoice. Anyone else's file is "not found".
 */
fileLinks.post('/sign', async (c) => {
  const body = await readJson(c, SignFileBody);
  const key = keyFromUrl(body.url);
  const owner = key ? ownerOf(key) : null;
  if (!key || !owner) throw notFound('File');
  if (!(await canRead(c.var.db, actorOf(c), owner))) throw notFound('File');
  return c.json(await signDownloadUrl(c.env, new URL(c.req.url).origin, key));
});
