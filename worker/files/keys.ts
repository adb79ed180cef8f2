/**
 * R2 object keys. The key says what a file belongs to, so access checks need no lookup
 * table: `jobs/{job}/completion/…`, `jobs/{job}/photos/…` (before/after), `drivers/{driver}/qr/…`,
 * `invoices/{invoice}.pdf`.
 */

/** Image types a client may upload, with the extension we store them under. */
export const UPLOAD_TYPES = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' } as const;
export type UploadType = keyof typeof UPLOAD_TYPES;
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export const UPLOAD_PURPOSES = ['job_completion', 'job_photo', 'driver_qr'] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

export function isUploadType(type: string): type is UploadType {
  return Object.hasOwn(UPLOAD_TYPES, type);
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const JOB_KEY = new RegExp(`^jobs/(${UUID})/(?:completion|photos)/${UUID}\\.(jpg|png|webp)$`);
const DRIVER_KEY = new RegExp(`^drivers/(${UUID})/qr/${UUID}\\.(jpg|png|webp)$`);
const INVOICE_KEY = new RegExp(`^invoices/(${UUID})\\.pdf$`);

export type FileOwner =
  | { kind: 'job'; job_id: string }
  | { kind: 'driver'; driver_id: string }
  | { kind: 'invoice'; invoice_id: string };

export function completionPhotoKey(jobId: string, type: UploadType): string {
  return `jobs/${jobId}/completion/${crypto.randomUUID()}.${UPLOAD_TYPES[type]}`;
}

/** A before/after proof-of-service photo (job_photos). */
export function jobPhotoKey(jobId: string, type: UploadType): string {
  return `jobs/${jobId}/photos/${crypto.randomUUID()}.${UPLOAD_TYPES[type]}`;
}

export function driverQrKey(driverId: string, type: UploadType): string {
  return `drivers/${driverId}/qr/${crypto.randomUUID()}.${UPLOAD_TYPES[type]}`;
}

export function invoicePdfKey(invoiceId: string): string {
  return `invoices/${invoiceId}.pdf`;
}

/** What a key belongs to, or null for anything that is not one of our keys. */
export function ownerOf(key: string): FileOwner | null {
  let m = JOB_KEY.exec(key);
  if (m) return { kind: 'job', job_id: m[1]! };
  m = DRIVER_KEY.exec(key);
  if (m) return { kind: 'driver', driver_id: m[1]! };
  m = INVOICE_KEY.exec(key);
  if (m) return { kind: 'invoice', invoice_id: m[1]! };
  return null;
}

/**
 * The key inside a file URL we issued (`public_url` or a signed URL; absolute or a bare
 * `/files/…` path), or null.
 */
export function keyFromUrl(url: string): string | null {
  let path: string;
  try {
    path = new URL(url, 'http://relative.invalid').pathname;
  } catch {
    return null;
  }
  if (!path.startsWith('/files/') || path.startsWith('/files/upload/')) return null;
  const key = path.slice('/files/'.length);
  return ownerOf(key) ? key : null;
}
