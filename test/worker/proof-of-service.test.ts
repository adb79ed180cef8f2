import { sql } from 'drizzle-orm';
import { bytesToHex } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../worker/services/evidence';
import { admin, newCustomer, newDriver, newJob, rows, type Person } from './fixtures';
import { HAPPY_PATH } from '../../contract/job-status';
import { api, call } from './helpers';

const M_PER_DEG_LAT = 111_195;

/**
 * A track as a driver's phone recorded it on one job: seconds after the start, metres
 * north and east of the property, accuracy. The truck drives in from 700 m north, stops
 * in the drive (tier 2: a 50 m geofence), backs into the road once to turn (10 s outside),
 * and leaves. GPS says: arrived at +60 s, left at +910 s, 850 s on site.
 */
const RECORDED_TRACK: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 700, 0, 8],
  [10, 560, 5, 8],
  [20, 420, 3, 6],
  [30, 300, 0, 6],
  [40, 180, -2, 5],
  [50, 75, 0, 5],
  [60, 22, 4, 4],
  [70, 9, 3, 4],
  [120, 6, -4, 3],
  [240, 11, 2, 3],
  [400, 64, 10, 5], // backing into the road to turn around
  [410, 14, 3, 4],
  [600, 8, -6, 3],
  [800, 12, 0, 3],
  [900, 30, 2, 4],
  [910, 95, 0, 5],
  [920, 260, 0, 6],
  [930, 610, 0, 8],
  [940, 900, 0, 9],
];

async function recordTrack(job: Record<string, any>, driver: Person, start: number) {
  const values = RECORDED_TRACK.map(([s, north, east, acc]) => {
    const lat = job.lat + north / M_PER_DEG_LAT;
    const lng = job.lng + east / (M_PER_DEG_LAT * Math.cos((job.lat * Math.PI) / 180));
    const at = new Date(start + s * 1000).toISOString();
    return sql`(${driver.profile_id}::uuid, ${job.id}::uuid, ST_SetSRID(ST_MakePoint(${lng}, ${lat}), 4326)::geography, ${acc}, ${at}::timestamptz, ${at}::timestamptz + interval '2 seconds')`;
  });
  await rows(sql`INSERT INTO driver_location_log (driver_id, job_id, coordinates, accuracy_m, recorded_at, received_at)
    VALUES ${sql.join(values, sql`, `)}`);
}

const at = (start: number, s: number) => new Date(start + s * 1000).toISOString();

/** A job driven through with device times: arrived tapped at +90 s, completed at +960 s. */
async function servicedJob() {
  const [customer, driver] = await Promise.all([newCustomer(), newDriver({ status: 'available' })]);
  const job = await newJob(customer);
  const start = Math.floor((Date.now() - 30 * 60_000) / 1000) * 1000;
  await recordTrack(job, driver, start);
  const assigned = await call('POST', `/api/v1/jobs/${job.id}/assign`, await admin(), { driver_id: driver.profile_id });
  expect(assigned.status).toBe(200);
  const steps = [
    { status: 'en_route', recorded_at: at(start, 0) },
    { status: 'arrived', recorded_at: at(start, 90), lat: job.lat, lng: job.lng },
    { status: 'in_progress', recorded_at: at(start, 100) },
    {
      status: 'completed',
      recorded_at: at(start, 960),
      lat: job.lat,
      lng: job.lng,
      completion_photo_url: `https://files.example.test/jobs/${job.id}/after.jpg`,
    },
  ];
  for (const step of steps) {
    const res = await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, step);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return { customer, driver, job, start };
}

describe('GET /api/v1/jobs/:id/time-on-site', () => {
  let served: Awaited<ReturnType<typeof servicedJob>>;
  beforeAll(async () => {
    served = await servicedJob();
  });

  it('detects arrival and departure from the recorded GPS track and compares them with the taps', async () => {
    const { job, start, customer } = served;
    const res = await call('GET', `/api/v1/jobs/${job.id}/time-on-site`, customer.token);
    expect(res.status).toBe(200);
    expect(res.body.time_on_site).toMatchObject({
      radius_m: 50,
      arrived_at: at(start, 60),
      departed_at: at(start, 910),
      seconds_on_site: 850,
      fixes: RECORDED_TRACK.length,
      taps: { arrived_at: at(start, 90), completed_at: at(start, 960) },
      tap_difference_seconds: { arrival: 30, departure: 50 },
    });
    expect(res.body.time_on_site.visits).toHaveLength(1);
  });

  it('answers with nothing detected for a job without GPS', async () => {
    const customer = await newCustomer();
    const job = await newJob(customer);
    const res = await call('GET', `/api/v1/jobs/${job.id}/time-on-site`, await admin());
    expect(res.status).toBe(200);
    expect(res.body.time_on_site).toMatchObject({ arrived_at: null, departed_at: null, seconds_on_site: 0, fixes: 0 });
  });

  it('is 404 for another customer', async () => {
    const other = await newCustomer();
    expect((await call('GET', `/api/v1/jobs/${served.job.id}/time-on-site`, other.token)).status).toBe(404);
  });
});

describe('GET /api/v1/jobs/:id/evidence', () => {
  let served: Awaited<ReturnType<typeof servicedJob>>;
  beforeAll(async () => {
    served = await servicedJob();
  });

  it('holds the address, every status with device and server times, time on site, the nearby track and the photo', async () => {
    const { job, start } = served;
    const res = await call('GET', `/api/v1/jobs/${job.id}/evidence`, await admin());
    expect(res.status).toBe(200);
    const { pack } = res.body;
    expect(pack.job).toMatchObject({ id: job.id, address: job.job_address, status: 'completed' });
    expect(pack.contract).toBeNull();
    expect(pack.statuses.map((s: { new_status: string }) => s.new_status)).toEqual(HAPPY_PATH);
    const arrived = pack.statuses.find((s: { new_status: string }) => s.new_status === 'arrived');
    expect(arrived.device_time).toBe(at(start, 90));
    expect(arrived.server_time).toEqual(expect.any(String));
    expect(arrived.server_time).not.toBe(arrived.device_time);
    expect(pack.time_on_site).toMatchObject({ arrived_at: at(start, 60), departed_at: at(start, 910) });
    // Only the fixes within 500 m of the property: not the approach from 700 and 560 m
    // nor the last two, 610 and 900 m out.
    expect(pack.gps_track.fixes).toHaveLength(RECORDED_TRACK.filter(([, north]) => north <= 500).length);
    expect(pack.gps_track.fixes).toHaveLength(15);
    expect(pack.gps_track.fixes[0]).toMatchObject({ recorded_at: at(start, 20), accuracy_m: 6 });
    expect(pack.photos).toEqual([
      expect.objectContaining({
        kind: 'after',
        url: `https://files.example.test/jobs/${job.id}/after.jpg`,
        device_time: at(start, 960),
        server_time: expect.any(String),
      }),
    ]);
  });

  it('carries a SHA-256 of the pack that anyone can recompute, the same on every download', async () => {
    const { job, customer } = served;
    const first = await call('GET', `/api/v1/jobs/${job.id}/evidence`, await admin());
    const second = await call('GET', `/api/v1/jobs/${job.id}/evidence`, customer.token);
    expect(first.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(second.body.sha256).toBe(first.body.sha256);
    expect(second.body.pack).toEqual(first.body.pack);
    expect(bytesToHex(sha256(new TextEncoder().encode(canonicalJson(first.body.pack))))).toBe(first.body.sha256);
    // Altering one character of the pack breaks the hash.
    const altered = { ...first.body.pack, job: { ...first.body.pack.job, address: `${job.job_address}!` } };
    expect(bytesToHex(sha256(new TextEncoder().encode(canonicalJson(altered))))).not.toBe(first.body.sha256);
  });

  it('states the hash in x-evidence-sha256, readable by the portal from any of the app’s origins', async () => {
    const { job } = served;
    const res = await api(`/api/v1/jobs/${job.id}/evidence`, {
      token: await admin(),
      headers: { origin: 'https://app.plow.test' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sha256: string };
    expect(res.headers.get('x-evidence-sha256')).toBe(body.sha256);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="evidence-${job.id}.json"`);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.plow.test');
    expect(res.headers.get('access-control-expose-headers')?.split(/,\s*/)).toContain('x-evidence-sha256');
  });

  it('changes its hash when the job changes (a dispute is part of the record)', async () => {
    const { job } = served;
    const before = await call('GET', `/api/v1/jobs/${job.id}/evidence`, await admin());
    const opened = await call('POST', `/api/v1/jobs/${job.id}/dispute`, await admin(), {
      reason: 'Says the walk was missed',
    });
    expect(opened.status).toBe(201);
    const after = await call('GET', `/api/v1/jobs/${job.id}/evidence`, await admin());
    expect(after.body.pack.disputes).toEqual([expect.objectContaining({ reason: 'Says the walk was missed' })]);
    expect(after.body.sha256).not.toBe(before.body.sha256);
  });

  it('is the customer’s own only: another customer gets 404, a driver 403', async () => {
    const other = await newCustomer();
    const res = await call('GET', `/api/v1/jobs/${served.job.id}/evidence`, other.token);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect((await call('GET', `/api/v1/jobs/${served.job.id}/evidence`, served.driver.token)).status).toBe(403);
  });
});
