import { Hono } from 'hono';
import { PresignBody } from '../../contract/background';
import {
  completionPhotoKey,
  driverQrKey,
  jobPhotoKey,
  isUploadType,
  MAX_UPLOAD_BYTES,
  UPLOAD_TYPES,
} from '../files/keys';
import { nowSeconds, signUploadUrl, UPLOAD_TTL_SECONDS } from '../files/signing';
import { actorOf } from '../lib/actor';
import { ApiError, conflict, forbidden } from '../lib/errors';
import { readJson } from '../lib/validate';
import { visibleJob } from '../services/jobs';
import type { AppEnv } from '../types';
import { AT_WORK_JOB } from '../../contract/job-status';

export const uploads = new Hono<AppEnv>();

/**
 * Issues a 5-minute upload URL (ApexPlow §7 step 1). The URL is our own, HMAC-signed and
 * bound to the caller, purpose, content type, size limit and a fresh key; the client PUTs
 * the bytes to it and the Worker streams them into R2 (docs/decisions/0020-uploads.md).
 * `public_url` is the file's stable address: private, readable only through
 * `POST /api/v1/files/sign`.
 */
uploads.post('/presign', async (c) => {
  const body = await readJson(c, PresignBody);
  if (!isUploadType(body.content_type)) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      `Upload a JPEG, PNG or WebP image (got ${body.content_type || 'no type'}).`,
      { allowed: Object.keys(UPLOAD_TYPES) },
    );
  }
  if (body.size !== undefined && body.size > MAX_UPLOAD_BYTES) {
    throw new ApiError(413, 'payload_too_large', `Images can be at most ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB.`, {
      max_bytes: MAX_UPLOAD_BYTES,
    });
  }
  const actor = actorOf(c);
  let key: string;
  if (body.purpose === 'job_completion' || body.purpose === 'job_photo') {
    if (!body.job_id)
      throw new ApiError(400, 'validation_failed', 'A job photo needs the job.', [
        { field: 'job_id', message: `required for ${body.purpose}` },
      ]);
    if (actor.role === 'customer') throw forbidden('Only the job’s driver or a dispatcher uploads photos of the job.');
    const job = await visibleJob(c.var.db, actor, body.job_id);
    if (!AT_WORK_JOB.includes(job.status)) {
      throw conflict(
        'invalid_state',
        `Photos of the job can be added once the driver has arrived (the job is ${job.status}).`,
      );
    }
    key =
      body.purpose === 'job_photo'
        ? jobPhotoKey(job.id, body.content_type)
        : completionPhotoKey(job.id, body.content_type);
  } else {
    if (actor.role !== 'driver' || !actor.driver_id) throw forbidden('Only drivers upload a payment QR image.');
    key = driverQrKey(actor.driver_id, body.content_type);
  }
  const origin = new URL(c.req.url).origin;
  const upload_url = await signUploadUrl(c.env, origin, {
    key,
    user_id: actor.user_id,
    purpose: body.purpose,
    content_type: body.content_type,
    max_bytes: Math.min(body.size ?? MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES),
    exp: nowSeconds() + UPLOAD_TTL_SECONDS,
  });
  return c.json({
    upload_url,
    public_url: `${origin}/files/${key}`,
    expires_in: UPLOAD_TTL_SECONDS,
    key,
    method: 'PUT',
    headers: { 'content-type': body.content_type },
  });
});
