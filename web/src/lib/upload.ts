import { ApiError, type ApiClient } from './api';

/**
 * Photo uploads from a phone on a weak signal: shrink the camera's 4–12 MB picture on the
 * device with a canvas (longest side MAX_SIDE px, JPEG), then ask the API for a short-lived
 * upload URL and PUT the bytes to it with progress (XMLHttpRequest: fetch has no upload
 * progress). Returns the file's stable `public_url` to store on the job or profile.
 */

export const MAX_SIDE = 1600;
export const JPEG_QUALITY = 0.8;

export interface Presigned {
  upload_url: string;
  public_url: string;
  expires_in: number;
}

/** Re-encodes an image as a JPEG no larger than MAX_SIDE on its longest side. */
export async function compressImage(file: Blob, maxSide = MAX_SIDE, quality = JPEG_QUALITY): Promise<Blob> {
  const bitmap = await createImageBitmap(file).catch(() => null);
  if (!bitmap) return file; // not decodable here: send as is, the server checks the type
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return file;
  ctx.drawImage(bitmap, 0, 0, w, h);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
  // Keep the original when re-encoding made it bigger (a tiny PNG, say).
  return blob && (blob.size < file.size || file.type !== 'image/jpeg') ? blob : file;
}

/** PUTs `body` to a presigned URL, reporting progress 0…1. */
export function putWithProgress(
  url: string,
  body: Blob,
  contentType: string,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', contentType);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
        return;
      }
      let code = `http_${xhr.status}`;
      let message = xhr.statusText || `HTTP ${xhr.status}`;
      try {
        const body = JSON.parse(xhr.responseText) as { error?: { code?: string; message?: string } };
        code = body.error?.code ?? code;
        message = body.error?.message ?? message;
      } catch {
        // not JSON
      }
      reject(new ApiError(xhr.status, code, message));
    };
    xhr.onerror = () => reject(ApiError.network(new Error('upload failed')));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

export interface UploadOptions {
  purpose: 'job_completion' | 'job_photo' | 'driver_qr';
  jobId?: string;
  onProgress?: (fraction: number, stage: 'compressing' | 'uploading') => void;
  signal?: AbortSignal;
}

/** Compresses, presigns, uploads; resolves with the file's `public_url`. */
export async function uploadPhoto(api: ApiClient, file: File, opts: UploadOptions): Promise<string> {
  opts.onProgress?.(0, 'compressing');
  return uploadBlob(api, await compressImage(file), opts, file.type);
}

/** Presigns and uploads an image already shrunk (or kept offline); resolves with its `public_url`. */
export async function uploadBlob(api: ApiClient, blob: Blob, opts: UploadOptions, fallbackType = ''): Promise<string> {
  const type = blob.type || fallbackType || 'image/jpeg';
  const presigned = await api.post<Presigned>('/uploads/presign', {
    content_type: type,
    purpose: opts.purpose,
    size: blob.size,
    ...(opts.jobId ? { job_id: opts.jobId } : {}),
  });
  await putWithProgress(presigned.upload_url, blob, type, (f) => opts.onProgress?.(f, 'uploading'), opts.signal);
  return presigned.public_url;
}

/** A viewable (signed, short-lived) URL for a private file we stored. */
export async function signedFileUrl(api: ApiClient, publicUrl: string, signal?: AbortSignal): Promise<string> {
  if (!publicUrl.includes('/files/')) return publicUrl; // an outside https image
  return (await api.post<{ url: string }>('/files/sign', { url: publicUrl }, { signal })).url;
}
