import { describe, expect, it } from 'vitest';
import { env, exports } from 'cloudflare:workers';
import { nowSeconds, signDownloadUrl, signUploadUrl } from '../../worker/files/signing';
import { type Customer, newCustomer, newDriver, newJob, type Person, walkJob } from './fixtures';
import { api, BASE, expectError } from './helpers';

const MB = 1024 * 1024;
const JPEG_MAGIC = [0xff, 0xd8, 0xff, 0xe0];
const jpeg = (size: number) => {
  const b = crypto.getRandomValues(new Uint8Array(size));
  b.set(JPEG_MAGIC);
  return b;
};

interface Presigned {
  upload_url: string;
  public_url: string;
  expires_in: number;
  key: string;
}

/** A driver on site at a fresh job of a fresh customer. */
async function onSite(): Promise<{ customer: Customer; driver: Person; jobId: string }> {
  const customer = await newCustomer({ preferred_contact: 'none' });
  const driver = await newDriver();
  const job = await newJob(customer);
  await walkJob(job.id, driver, 'arrived');
  return { customer, driver, jobId: job.id };
}

/** What a driver asks to upload for a JPEG completion photo of `jobId`. */
const completionPhoto = (jobId: string, extra: { size?: number } = {}) => ({
  content_type: 'image/jpeg',
  purpose: 'job_completion',
  job_id: jobId,
  ...extra,
});

/** A signed upload URL for a JPEG completion photo of `jobId` (of `size` bytes when given). */
async function completionUrl(driver: Person, jobId: string, size?: number): Promise<Presigned> {
  const res = await presign(driver.token, completionPhoto(jobId, { size }));
  if (res.status !== 200) throw new Error(`presign failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Presigned;
}

async function presign(token: string, body: Record<string, unknown>): Promise<Response> {
  return api('/api/v1/uploads/presign', { method: 'POST', token, json: body });
}

/** Requests go to the Worker in-process, whatever host the URL names. */
const put = (url: string, body: BodyInit, type: string, length?: number) =>
  exports.default.fetch(
    new Request(url, {
      method: 'PUT',
      body,
      headers: { 'content-type': type, ...(length !== undefined ? { 'content-length': String(length) } : {}) },
    }),
  );
const get = (url: string) => exports.default.fetch(new Request(url));

/** A JPEG upload to `url` declaring `size` bytes, whose body the test writes through `writer` as it goes. */
function streamingPut(url: string, size: number) {
  const stream = new FixedLengthStream(size);
  return { upload: put(url, stream.readable, 'image/jpeg'), writer: stream.writable.getWriter() };
}

/** An upload of `size` bytes to `url` whose connection drops after the first KiB. */
function droppedPut(url: string, size: number): Promise<Response> {
  const { upload, writer } = streamingPut(url, size);
  void writer.write(jpeg(1024)).catch(() => {});
  void writer.abort(new Error('connection lost')).catch(() => {});
  return upload;
}

async function signedLink(token: string, url: string): Promise<Response> {
  return api('/api/v1/files/sign', { method: 'POST', token, json: { url } });
}

describe('POST /api/v1/uploads/presign and PUT /files/upload/*', () => {
  it('takes a completion photo through a signed URL into R2 and shows it to the job’s customer by a signed link', async () => {
    const { customer, driver, jobId } = await onSite();
    const res = await presign(driver.token, completionPhoto(jobId, { size: 4096 }));
    expect(res.status).toBe(200);
    const p = (await res.json()) as Presigned;
    expect(p.expires_in).toBe(300);
    expect(p.public_url).toBe(`${BASE}/files/${p.key}`);
    expect(p.key).toMatch(new RegExp(`^jobs/${jobId}/completion/[0-9a-f-]{36}\\.jpg$`));

    const bytes = jpeg(4096);
    const up = await put(p.upload_url, bytes, 'image/jpeg', bytes.length);
    expect(up.status).toBe(201);
    expect(await up.json()).toMatchObject({ key: p.key, size: 4096, content_type: 'image/jpeg' });
    expect((await env.FILES.head(p.key))?.size).toBe(4096);

    const done = await api(`/api/v1/drivers/me/jobs/${jobId}/status`, {
      method: 'PATCH',
      token: driver.token,
      json: { status: 'in_progress' },
    });
    expect(done.status).toBe(200);

    const unsigned = await get(p.public_url);
    await expectError(unsigned, 403, 'invalid_signature');
    for (const who of [customer.token, driver.token]) {
      const link = await signedLink(who, p.public_url);
      expect(link.status).toBe(200);
      const { url, expires_in } = (await link.json()) as { url: string; expires_in: number };
      expect(expires_in).toBe(600);
      const file = await get(url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('image/jpeg');
      expect(file.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
      expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
    }
  });

  it('answers 415 for a type other than JPEG, PNG or WebP, for a PUT of another type, and for bytes that are not the declared image', async () => {
    const { driver, jobId } = await onSite();
    const t = driver.token;
    const gif = await expectError(
      await presign(t, { content_type: 'image/gif', purpose: 'job_completion', job_id: jobId }),
      415,
      'unsupported_media_type',
    );
    expect(gif.error.details).toEqual({ allowed: ['image/jpeg', 'image/png', 'image/webp'] });
    const p = (await (
      await presign(t, { content_type: 'image/png', purpose: 'job_completion', job_id: jobId })
    ).json()) as Presigned;
    await expectError(await put(p.upload_url, jpeg(100), 'image/jpeg', 100), 415, 'unsupported_media_type');
    const script = new TextEncoder().encode('<script>alert(1)</script> definitely a PNG');
    await expectError(await put(p.upload_url, script, 'image/png', script.length), 415, 'unsupported_media_type');
    expect(await env.FILES.head(p.key)).toBeNull();
  });

  it('answers 413 for an image over 10 MB or over the size it was signed for', async () => {
    const { driver, jobId } = await onSite();
    const t = driver.token;
    await expectError(await presign(t, completionPhoto(jobId, { size: 10 * MB + 1 })), 413, 'payload_too_large');
    const p = (await (await presign(t, completionPhoto(jobId, { size: 1000 }))).json()) as Presigned;
    await expectError(await put(p.upload_url, jpeg(2000), 'image/jpeg', 2000), 413, 'payload_too_large');
    expect(await env.FILES.head(p.key)).toBeNull();
  });

  it('answers 403 for an expired or tampered upload URL', async () => {
    const { driver, jobId } = await onSite();
    const p = await completionUrl(driver, jobId, 500);
    const expired = await signUploadUrl(env, BASE, {
      key: p.key,
      user_id: driver.user_id,
      purpose: 'job_completion',
      content_type: 'image/jpeg',
      max_bytes: 500,
      exp: nowSeconds() - 1,
    });
    await expectError(await put(expired, jpeg(500), 'image/jpeg', 500), 403, 'url_expired');
    const tamper = (edit: (url: URL) => void) => {
      const url = new URL(p.upload_url);
      edit(url);
      return url;
    };
    const tampered = [
      tamper((url) => url.searchParams.set('max', String(10 * MB))),
      tamper((url) => url.searchParams.set('exp', String(nowSeconds() + 86_400))),
      tamper((url) => {
        url.pathname = url.pathname.replace(/[0-9a-f-]{36}\.jpg$/, `${crypto.randomUUID()}.jpg`);
      }),
      tamper((url) => url.searchParams.delete('sig')),
    ];
    for (const url of tampered)
      await expectError(await put(url.toString(), jpeg(500), 'image/jpeg', 500), 403, 'invalid_signature');
    expect(await env.FILES.head(p.key)).toBeNull();
  });

  it('refuses customers, other drivers’ jobs and jobs the driver has not reached yet', async () => {
    const { customer, jobId } = await onSite();
    await expectError(await presign(customer.token, completionPhoto(jobId)), 403, 'forbidden');
    const stranger = await newDriver();
    await expectError(await presign(stranger.token, completionPhoto(jobId)), 404, 'not_found');
    const early = await newJob(customer);
    await walkJob(early.id, stranger, 'assigned');
    await expectError(await presign(stranger.token, completionPhoto(early.id)), 409, 'invalid_state');
    await expectError(
      await presign(stranger.token, { content_type: 'image/jpeg', purpose: 'job_completion' }),
      400,
      'validation_failed',
    );
    await expectError(
      await presign(stranger.token, { content_type: 'image/jpeg', purpose: 'selfie' }),
      400,
      'validation_failed',
    );
  });

  it('refuses a 10 MB body with the wrong first bytes with 415 before the rest of it is sent', async () => {
    const { driver, jobId } = await onSite();
    const size = 10 * MB;
    const p = await completionUrl(driver, jobId, size);
    // Declares 10 MB, sends the first 64 KiB (a PNG header, not a JPEG) and holds the rest
    // back. The handler pipes request.body through the signature check as it arrives, so
    // the refusal can come now; a handler that read the whole body first (arrayBuffer(),
    // text(), a buffered R2 put) would still be waiting for the other 9.9 MB.
    const { upload, writer } = streamingPut(p.upload_url, size);
    const first = new Uint8Array(64 * 1024);
    first.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    void writer.write(first).catch(() => {});
    const HELD_BACK_MS = 10_000;
    const answer = await Promise.race([
      upload,
      new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), HELD_BACK_MS)),
    ]);
    expect(answer, 'no answer while the rest of the body was held back').not.toBe('still waiting');
    await expectError(answer as Response, 415, 'unsupported_media_type');
    // The handler dropped the body: the rest can no longer be sent, and nothing was stored.
    await expect(writer.write(new Uint8Array(64 * 1024))).rejects.toThrow();
    expect(await env.FILES.head(p.key)).toBeNull();
  });

  it('keeps the stored photo when its upload URL is used again and that upload dies mid-body', async () => {
    const { driver, jobId } = await onSite();
    const p = await completionUrl(driver, jobId, 4096);
    const good = jpeg(4096);
    expect((await put(p.upload_url, good, 'image/jpeg', good.length)).status).toBe(201);

    // The same URL again: the first bytes arrive, then the connection drops.
    expect((await droppedPut(p.upload_url, 4096)).status).toBeGreaterThanOrEqual(400);

    const kept = await env.FILES.get(p.key);
    expect(kept?.size).toBe(4096);
    expect(new Uint8Array(await kept!.arrayBuffer())).toEqual(good);
  });

  it('stores one file per upload URL: a second upload is refused with 409 and changes nothing', async () => {
    const { driver, jobId } = await onSite();
    const p = await completionUrl(driver, jobId);
    const first = jpeg(2048);
    const second = jpeg(2048);
    expect((await put(p.upload_url, first, 'image/jpeg', first.length)).status).toBe(201);
    await expectError(await put(p.upload_url, second, 'image/jpeg', second.length), 409, 'upload_url_used');
    expect(new Uint8Array(await (await env.FILES.get(p.key))!.arrayBuffer())).toEqual(first);

    // Two uploads racing on one fresh URL: one stores its file whole, the other is refused.
    const q = await completionUrl(driver, jobId);
    const bodies = [jpeg(60_000), jpeg(60_000)];
    const answers = await Promise.all(bodies.map((b) => put(q.upload_url, b, 'image/jpeg', b.length)));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const stored = new Uint8Array(await (await env.FILES.get(q.key))!.arrayBuffer());
    expect(stored).toEqual(bodies[answers.findIndex((r) => r.status === 201)]);
  });

  it('stores nothing when an upload dies mid-body, and the same URL can then be used to try again', async () => {
    const { driver, jobId } = await onSite();
    const p = await completionUrl(driver, jobId, 4096);
    expect((await droppedPut(p.upload_url, 4096)).status).toBeGreaterThanOrEqual(400);
    expect(await env.FILES.head(p.key)).toBeNull();
    const bytes = jpeg(4096);
    expect((await put(p.upload_url, bytes, 'image/jpeg', bytes.length)).status).toBe(201);
  });

  it('takes a 10 MB upload sent in 64 KiB chunks into R2 intact', async () => {
    const { driver, jobId } = await onSite();
    const size = 10 * MB;
    const p = await completionUrl(driver, jobId, size);
    // Each write waits until the reader (the Worker, piping into R2) has taken the previous
    // chunk. That it never buffers the whole body is shown by the test above.
    const { upload, writer } = streamingPut(p.upload_url, size);
    const CHUNK = 64 * 1024;
    let written = 0;
    let digest = 0;
    while (written < size) {
      const chunk = new Uint8Array(CHUNK).fill(written / CHUNK);
      if (written === 0) chunk.set(JPEG_MAGIC);
      digest = (digest + chunk[CHUNK - 1]!) % 65_521;
      await writer.write(chunk);
      written += CHUNK;
    }
    await writer.close();
    const res = await upload;
    expect(res.status).toBe(201);
    expect(((await res.json()) as { size: number }).size).toBe(size);
    const object = await env.FILES.get(p.key);
    expect(object?.size).toBe(size);
    // Spot-check the content made it across intact: the last byte of every chunk.
    let check = 0;
    const reader = object!.body.getReader();
    let offset = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (let i = 0; i < value.length; i++) if ((offset + i + 1) % CHUNK === 0) check = (check + value[i]!) % 65_521;
      offset += value.length;
    }
    expect(check).toBe(digest);
  });
});

describe('POST /api/v1/files/sign and GET /files/*', () => {
  it('gives another customer 404 for someone else’s photo, and 403 for an expired or tampered link', async () => {
    const { driver, jobId } = await onSite();
    const p = await completionUrl(driver, jobId);
    expect((await put(p.upload_url, jpeg(256), 'image/jpeg', 256)).status).toBe(201);
    const other = await newCustomer();
    await expectError(await signedLink(other.token, p.public_url), 404, 'not_found');
    await expectError(await signedLink((await newDriver()).token, p.public_url), 404, 'not_found');
    await expectError(await signedLink(other.token, 'https://example.com/files/../../etc/passwd'), 404, 'not_found');

    const expired = await signDownloadUrl(env, BASE, p.key, -5);
    await expectError(await get(expired.url), 403, 'url_expired');
    const good = await signDownloadUrl(env, BASE, p.key, 60);
    const tampered = new URL(good.url);
    tampered.searchParams.set('exp', String(nowSeconds() + 86_400));
    await expectError(await get(tampered.toString()), 403, 'invalid_signature');
    const forged = new URL(good.url);
    forged.searchParams.set('sig', 'A'.repeat(43));
    await expectError(await get(forged.toString()), 403, 'invalid_signature');
    expect((await get(good.url)).status).toBe(200);
  });

  it('shows a driver’s payment QR to that driver’s customers only', async () => {
    const { customer, driver } = await onSite();
    const res = await presign(driver.token, { content_type: 'image/png', purpose: 'driver_qr' });
    const p = (await res.json()) as Presigned;
    expect(p.key).toMatch(new RegExp(`^drivers/${driver.profile_id}/qr/`));
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await put(p.upload_url, png, 'image/png', png.length)).status).toBe(201);
    expect((await signedLink(customer.token, p.public_url)).status).toBe(200);
    await expectError(await signedLink((await newCustomer()).token, p.public_url), 404, 'not_found');
    await expectError(
      await presign(customer.token, { content_type: 'image/png', purpose: 'driver_qr' }),
      403,
      'forbidden',
    );
  });
});
