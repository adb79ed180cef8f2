import { z } from 'zod';
import { uuid } from './api';
import { NOTIFICATION_CHANNELS, NOTIFICATION_STATUSES } from './enums';

/**
 * Request schemas for files, push subscriptions and the notification outbox, shared by the
 * Worker and the web apps.
 */

export const UPLOAD_PURPOSES = ['job_completion', 'job_photo', 'driver_qr'] as const;
export const UPLOAD_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * `POST /api/v1/uploads/presign`. `content_type` is any string here: a type we do not take
 * is answered 415 (and a `size` over 10 MB 413), not a generic 400.
 */
export const PresignBody = z.object({
  content_type: z.string().trim().toLowerCase().max(100),
  purpose: z.enum(UPLOAD_PURPOSES),
  size: z.number().int().positive().optional(),
  job_id: uuid.optional(),
});

/** `POST /api/v1/files/sign`: a signed, expiring GET URL for a file we issued (`public_url`). */
export const SignFileBody = z.object({ url: z.string().trim().min(1).max(2000) });

const base64url = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+=*$/, 'must be base64url');

/** `POST /api/v1/push/subscriptions`: the browser's `PushSubscription.toJSON()`. */
export const PushSubscriptionBody = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2000),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: base64url(80, 100), auth: base64url(16, 30) }),
});

export const PushUnsubscribeBody = z.object({ endpoint: z.url().max(2000) });

/** `GET /api/v1/admin/notifications`: newest first, cursor-paged. */
export const NotificationListQuery = z.object({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  channel: z.enum(NOTIFICATION_CHANNELS).optional(),
  kind: z.string().trim().max(60).optional(),
  job_id: uuid.optional(),
  user_id: uuid.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * `POST /api/v1/webhooks/resend`: the part of Resend's (Svix-signed) delivery event we read;
 * the rest of `data` (bounce, failed…) is kept as sent.
 */
export const ResendEvent = z.object({
  type: z.string(),
  created_at: z.string().optional(),
  data: z.object({ email_id: z.string() }).loose(),
});
