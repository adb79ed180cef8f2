import { exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPdf } from '../../scripts/lib/pdf-text';
import { admin, driverStep, newCustomer, newDriver, newJob, type Person, walkJob } from './fixtures';
import { api, call } from './helpers';

const JPEG = () => {
  const b = crypto.getRandomValues(new Uint8Array(2048));
  b.set([0xff, 0xd8, 0xff, 0xe0]);
  return b;
};

/** Uploads a JPEG for the job as `who` (presign with purpose job_photo, then PUT); its public_url. */
async function uploadPhoto(who: Person, jobId: string): Promise<string> {
  const res = await call('POST', '/api/v1/uploads/presign', who.token, {
    content_type: 'image/jpeg',
    purpose: 'job_photo',
    job_id: jobId,
    size: 2048,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.key).toMatch(new RegExp(`^jobs/${jobId}/photos/[0-9a-f-]{36}\\.jpg$`));
  const put = await exports.default.fetch(
    new Request(res.body.upload_url, { method: 'PUT', body: JPEG(), headers: { 'content-type': 'image/jpeg' } }),
  );
  expect(put.status).toBe(201);
  return res.body.public_url;
}

async function addPhoto(who: Person, jobId: string, body: Record<string, unknown>) {
  return call('POST', `/api/v1/jobs/${jobId}/photos`, who.token, body);
}

/** A job of a fresh customer with its driver on site; the admin's photo rule set when given. */
async function onSite(afterPhotoRequired?: boolean | null) {
  const [customer, driver] = await Promise.all([newCustomer({ preferred_contact: 'none' }), newDriver()]);
  const job = await newJob(customer);
  if (afterPhotoRequired !== undefined) {
    const set = await call('PATCH', `/api/v1/jobs/${job.id}`, await admin(), {
      after_photo_required: afterPhotoRequired,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
  }
  await walkJob(job.id, driver, 'in_progress');
  return { customer, driver, job };
}

describe('before and after photos of a job', () => {
  it('keeps several photos of each kind with the phone’s time, the server’s time and the GPS fix', async () => {
    const { driver, job, customer } = await onSite();
    const stamps = [
      { kind: 'before', captured_at: '2026-01-10T06:01:00.000Z', lat: job.lat, lng: job.lng, accuracy_m: 6 },
      { kind: 'before', captured_at: '2026-01-10T06:01:20.000Z', lat: job.lat + 0.0001, lng: job.lng, accuracy_m: 9 },
      { kind: 'after', captured_at: '2026-01-10T06:20:00.000Z', lat: job.lat, lng: job.lng + 0.0001, accuracy_m: 4.5 },
      { kind: 'after', captured_at: '2026-01-10T06:20:30.000Z' },
    ];
    const urls: string[] = [];
    for (const s of stamps) {
      const url = await uploadPhoto(driver, job.id);
      urls.push(url);
      const res = await addPhoto(driver, job.id, { ...s, url });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.photo).toMatchObject({ kind: s.kind, url, captured_at: s.captured_at });
    }
    // Sent again (a retry): the first record, not a second one.
    const again = await addPhoto(driver, job.id, { ...stamps[0], url: urls[0] });
    expect(again.status).toBe(200);

    const list = await call('GET', `/api/v1/jobs/${job.id}/photos`, customer.token);
    expect(list.status).toBe(200);
    expect(list.body.after_photo).toEqual({ required: false, source: 'operator' });
    expect(list.body.photos).toHaveLength(4);
    expect(list.body.photos.map((p: { kind: string }) => p.kind)).toEqual(['before', 'before', 'after', 'after']);
    expect(list.body.photos[0]).toMatchObject({
      url: urls[0],
      captured_at: '2026-01-10T06:01:00.000Z',
      lat: job.lat,
      lng: job.lng,
      accuracy_m: 6,
      server_time: expect.any(String),
    });
    expect(list.body.photos[0].server_time).not.toBe(list.body.photos[0].captured_at);
    expect(list.body.photos[2]).toMatchObject({ accuracy_m: 4.5, lng: job.lng + 0.0001 });
    expect(list.body.photos[3]).toMatchObject({ lat: null, lng: null, accuracy_m: null });

    // The evidence pack lists them all with their stamps.
    const pack = await call('GET', `/api/v1/jobs/${job.id}/evidence`, await admin());
    expect(pack.body.pack.photos).toHaveLength(4);
    expect(pack.body.pack.photos[1]).toMatchObject({
      kind: 'before',
      url: urls[1],
      device_time: '2026-01-10T06:01:20.000Z',
      accuracy_m: 9,
    });
  });

  it('refuses a photo that was not uploaded for this job, or not uploaded at all', async () => {
    const { driver, job } = await onSite();
    const other = await onSite();
    const foreign = await uploadPhoto(other.driver, other.job.id);
    const res = await addPhoto(driver, job.id, { kind: 'after', url: foreign });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('That photo was not uploaded for this job.');
    const never = `http://plow.test/files/jobs/${job.id}/photos/${crypto.randomUUID()}.jpg`;
    const missing = await addPhoto(driver, job.id, { kind: 'after', url: never });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/not finished uploading/);
    const badKind = await addPhoto(driver, job.id, { kind: 'during', url: foreign });
    expect(badKind.status).toBe(400);
    expect((await call('GET', `/api/v1/jobs/${job.id}/photos`, driver.token)).body.photos).toEqual([]);
  });

  it('does not let another driver or the customer add photos to the job', async () => {
    const { driver, job, customer } = await onSite();
    const url = await uploadPhoto(driver, job.id);
    const stranger = await newDriver();
    const byStranger = await addPhoto(stranger, job.id, { kind: 'before', url });
    expect(byStranger.status).toBe(404);
    const strangerUpload = await call('POST', '/api/v1/uploads/presign', stranger.token, {
      content_type: 'image/jpeg',
      purpose: 'job_photo',
      job_id: job.id,
    });
    expect(strangerUpload.status).toBe(404);
    expect((await addPhoto(customer, job.id, { kind: 'before', url })).status).toBe(403);
    expect((await call('GET', `/api/v1/jobs/${job.id}/photos`, stranger.token)).status).toBe(404);
    expect((await call('GET', `/api/v1/jobs/${job.id}/photos`, driver.token)).body.photos).toEqual([]);
  });

  it('refuses to finish without an "after" photo when one is required, and finishes once it is taken', async () => {
    const { driver, job } = await onSite(true);
    const before = await uploadPhoto(driver, job.id);
    expect((await addPhoto(driver, job.id, { kind: 'before', url: before })).status).toBe(201);

    const refused = await driverStep(job.id, driver, 'completed');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'after_photo_required',
      message: 'Take an "After" photo of the cleared property before finishing the job.',
    });
    const still = await call('GET', `/api/v1/jobs/${job.id}`, driver.token);
    expect(still.body.job.status).toBe('in_progress');
    expect((await call('GET', `/api/v1/jobs/${job.id}/photos`, driver.token)).body.after_photo).toEqual({
      required: true,
      source: 'job',
    });

    const after = await uploadPhoto(driver, job.id);
    expect((await addPhoto(driver, job.id, { kind: 'after', url: after })).status).toBe(201);
    const done = await driverStep(job.id, driver, 'completed');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.job.status).toBe('completed');
  });

  it('counts a photo sent with "finish" as the "after" photo', async () => {
    const { driver, job } = await onSite(true);
    const url = await uploadPhoto(driver, job.id);
    const done = await driverStep(job.id, driver, 'completed', {
      completion_photo_url: url,
      recorded_at: '2026-01-10T07:00:00.000Z',
      lat: job.lat,
      lng: job.lng,
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const list = await call('GET', `/api/v1/jobs/${job.id}/photos`, driver.token);
    expect(list.body.photos).toEqual([
      expect.objectContaining({ kind: 'after', url, captured_at: '2026-01-10T07:00:00.000Z', lat: job.lat }),
    ]);
  });

  it('lets the driver finish without a photo when the admin turned the rule off for the job', async () => {
    const { driver, job } = await onSite(false);
    expect((await call('GET', `/api/v1/jobs/${job.id}/photos`, driver.token)).body.after_photo).toEqual({
      required: false,
      source: 'job',
    });
    const done = await driverStep(job.id, driver, 'completed');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
  });

  it('holds an admin finishing the job for the driver to nothing', async () => {
    const { job } = await onSite(true);
    const res = await call('PATCH', `/api/v1/jobs/${job.id}/status`, await admin(), {
      status: 'completed',
      reason: 'driver’s phone died',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('keeps the operator setting: on unless the admin turns it off', async () => {
    const settings = await call('GET', '/api/v1/admin/settings', await admin());
    expect(settings.status).toBe(200);
    // This suite's operator has it off (test/support/global-setup.ts); a fresh install has it on.
    expect(settings.body.settings.require_after_photo).toBe(false);
    const bad = await call('PATCH', '/api/v1/admin/settings', await admin(), { require_after_photo: 'yes' });
    expect(bad.status).toBe(400);
  });
});

describe('GET /api/v1/jobs/:id/evidence.pdf', () => {
  let served: { customer: Person; driver: Person; job: Record<string, any> };
  beforeAll(async () => {
    served = await onSite(true);
    const { driver, job } = served;
    await addPhoto(driver, job.id, {
      kind: 'before',
      url: await uploadPhoto(driver, job.id),
      captured_at: '2026-01-10T06:01:00.000Z',
      lat: job.lat,
      lng: job.lng,
      accuracy_m: 5,
    });
    await addPhoto(driver, job.id, {
      kind: 'after',
      url: await uploadPhoto(driver, job.id),
      captured_at: '2026-01-10T06:20:00.000Z',
    });
    const done = await driverStep(job.id, driver, 'completed', { lat: job.lat, lng: job.lng });
    expect(done.status).toBe(200);
  });

  const pdfOf = async (jobId: string, token: string) => {
    const res = await api(`/api/v1/jobs/${jobId}/evidence.pdf`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const text = (await readPdf(new Uint8Array(await res.arrayBuffer()))).pages.map((p) => p.text).join('\n');
    return { text, header: res.headers.get('x-evidence-sha256') };
  };

  it('prints the address, every status, the photos and the JSON pack’s SHA-256, the same on every download', async () => {
    const { job, customer } = served;
    const json = await call('GET', `/api/v1/jobs/${job.id}/evidence`, await admin());
    const first = await pdfOf(job.id, await admin());
    const second = await pdfOf(job.id, customer.token);
    expect(first.text).toContain(job.job_address);
    for (const status of ['pending', 'assigned', 'en_route', 'arrived', 'in_progress', 'completed'])
      expect(first.text).toContain(`-> ${status}`);
    expect(first.text).toContain('TIME ON SITE (FROM GPS)');
    expect(first.text).toContain('GPS TRACK NEAR THE PROPERTY');
    expect(first.text).toMatch(/1\. Before +taken 2026-01-10T06:01:00\.000Z/);
    expect(first.text).toMatch(/2\. After +taken 2026-01-10T06:20:00\.000Z/);
    const printed = /SHA-256 of the evidence pack: ([0-9a-f]{64})/.exec(first.text)?.[1];
    expect(printed).toBe(json.body.sha256);
    expect(first.header).toBe(json.body.sha256);
    expect(/SHA-256 of the evidence pack: ([0-9a-f]{64})/.exec(second.text)?.[1]).toBe(printed);
    expect(second.text).toBe(first.text);
  });

  it('is the job’s customer’s and the admin’s only', async () => {
    const other = await newCustomer();
    expect((await api(`/api/v1/jobs/${served.job.id}/evidence.pdf`, { token: other.token })).status).toBe(404);
    expect((await api(`/api/v1/jobs/${served.job.id}/evidence.pdf`, { token: served.driver.token })).status).toBe(403);
  });
});
