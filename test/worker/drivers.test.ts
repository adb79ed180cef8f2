import { describe, expect, it } from 'vitest';
import { admin, newCustomer, newDriver, newJob, walkJob } from './fixtures';
import { api, call, connect, expectError, expectRefusal } from './helpers';

describe('PATCH /api/v1/drivers/me', () => {
  it('saves vehicle, service radius, payment links and QR image; null clears', async () => {
    const driver = await newDriver({ status: 'offline' });
    const res = await call('PATCH', '/api/v1/drivers/me', driver.token, {
      vehicle_type: 'pickup',
      vehicle_make: 'Ram',
      vehicle_model: '2500',
      vehicle_year: 2021,
      license_plate: 'NH PLOW1',
      service_radius_km: 30,
      paypal_link: 'https://paypal.me/plowguy',
      venmo_link: 'https://venmo.com/u/plowguy',
      qr_image_url: '/files/qr/plowguy.png',
    });
    expect(res.status).toBe(200);
    expect(res.body.driver).toMatchObject({
      id: driver.profile_id,
      vehicle_make: 'Ram',
      vehicle_year: 2021,
      service_radius_km: 30,
      paypal_link: 'https://paypal.me/plowguy',
      venmo_link: 'https://venmo.com/u/plowguy',
      qr_image_url: '/files/qr/plowguy.png',
    });
    const cleared = await call('PATCH', '/api/v1/drivers/me', driver.token, { venmo_link: null, qr_image_url: null });
    expect(cleared.body.driver).toMatchObject({
      venmo_link: null,
      qr_image_url: null,
      paypal_link: 'https://paypal.me/plowguy',
    });
    const me = await call('GET', '/api/v1/drivers/me', driver.token);
    expect(me.body.driver).toMatchObject({ id: driver.profile_id, vehicle_make: 'Ram', status: 'offline' });
  });

  it('refuses payment links that are not https on paypal.me / venmo.com, and bad numbers', async () => {
    const driver = await newDriver({ status: 'offline' });
    const bad: Record<string, unknown>[] = [
      { paypal_link: 'http://paypal.me/plowguy' },
      { paypal_link: 'https://paypal.me.evil.example/plowguy' },
      { paypal_link: 'https://paypal.me/' },
      { paypal_link: 'https://user:pw@paypal.me/x' },
      { venmo_link: 'https://venm0.com/plowguy' },
      { venmo_link: 'javascript:alert(1)' },
      { qr_image_url: 'http://example.com/qr.png' },
      { qr_image_url: '/files/../secrets' },
      { service_radius_km: 0 },
      { service_radius_km: 500 },
      { vehicle_year: 1800 },
      { license_plate: 'X'.repeat(21) },
    ];
    for (const body of bad) {
      const err = await expectRefusal(400, 'validation_failed', 'PATCH', '/api/v1/drivers/me', driver.token, body);
      expect(err.error.details).toEqual([expect.objectContaining({ field: Object.keys(body)[0] })]);
    }
    await expectRefusal(403, 'forbidden', 'PATCH', '/api/v1/drivers/me', (await newCustomer()).token, {
      vehicle_make: 'x',
    });
  });
});

describe('GET /api/v1/drivers (admin)', () => {
  it('filters by status and proximity, nearest first with distance_km, within radius_km', async () => {
    const token = await admin();
    const center = { lat: 44.5, lng: -70.5 }; // far from everyone else's test drivers
    const near = await newDriver({ status: 'available', at: { lat: 44.505, lng: -70.5 } });
    const mid = await newDriver({ status: 'available', at: { lat: 44.55, lng: -70.5 } });
    const far = await newDriver({ status: 'available', at: { lat: 45.5, lng: -70.5 } });
    const onBreak = await newDriver({ status: 'break', at: { lat: 44.501, lng: -70.5 } });
    const res = await call(
      'GET',
      `/api/v1/drivers?status=available&near=${center.lat},${center.lng}&radius_km=10`,
      token,
    );
    expect(res.status).toBe(200);
    expect(res.body.drivers.map((d: { id: string }) => d.id)).toEqual([near.profile_id, mid.profile_id]);
    expect(res.body.drivers[0].distance_km).toBeCloseTo(0.556, 1);
    expect(res.body.drivers[1].distance_km).toBeCloseTo(5.56, 1);
    const any = await call('GET', `/api/v1/drivers?near=${center.lat},${center.lng}&radius_km=200`, token);
    const ids = any.body.drivers.map((d: { id: string }) => d.id);
    expect(ids.slice(0, 3)).toEqual([onBreak.profile_id, near.profile_id, mid.profile_id]);
    expect(ids).toContain(far.profile_id);
    const all = await call('GET', '/api/v1/drivers', token);
    expect(all.body.drivers.length).toBeGreaterThanOrEqual(4);
    expect(all.body.drivers[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        user_id: expect.any(String),
        full_name: expect.any(String),
        status: expect.any(String),
      }),
    );
    for (const key of ['lat', 'lng', 'location_updated_at']) expect(all.body.drivers[0]).toHaveProperty(key);
  });

  it('refuses malformed filters with 400', async () => {
    const token = await admin();
    for (const q of ['status=sleeping', 'near=north', 'near=91,0', 'radius_km=5', 'near=43,-71&radius_km=-1']) {
      await expectRefusal(400, 'validation_failed', 'GET', `/api/v1/drivers?${q}`, token);
    }
  });
});

describe('GET /api/v1/drivers/:id (admin)', () => {
  it('shows the profile and the jobs in hand; 404 for unknown ids; drivers still reach /me', async () => {
    const token = await admin();
    const driver = await newDriver();
    const job = await newJob(await newCustomer());
    await walkJob(job.id, driver, 'en_route');
    const res = await call('GET', `/api/v1/drivers/${driver.profile_id}`, token);
    expect(res.status).toBe(200);
    expect(res.body.driver).toMatchObject({
      id: driver.profile_id,
      status: 'en_route',
      active_jobs: [expect.objectContaining({ id: job.id, status: 'en_route' })],
    });
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/drivers/${crypto.randomUUID()}`, token);
    await expectRefusal(403, 'forbidden', 'GET', `/api/v1/drivers/${driver.profile_id}`, driver.token);
    await expectRefusal(404, 'not_found', 'GET', '/api/v1/drivers/not-an-id', token);
    expect((await call('GET', '/api/v1/drivers/me', driver.token)).status).toBe(200);
  });
});

describe('POST /api/v1/drivers/me/jobs/:id/accept', () => {
  it('records one acceptance on the job and in its history; accepting again changes nothing', async () => {
    const driver = await newDriver();
    const job = await newJob(await newCustomer());
    const assigned = await walkJob(job.id, driver, 'assigned');
    expect(assigned.accepted_at ?? null).toBeNull();
    const first = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/accept`, driver.token);
    expect(first.body.job).toMatchObject({ status: 'assigned', version: assigned.version + 1 });
    expect(Date.parse(first.body.job.accepted_at)).toBeGreaterThan(0);
    const second = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/accept`, driver.token);
    expect(second.body.job).toMatchObject({ version: assigned.version + 1, accepted_at: first.body.job.accepted_at });
    const history = await call('GET', `/api/v1/jobs/${job.id}/status-history`, driver.token);
    const kinds = history.body.events.map((e: { kind: string; new_status: string }) => `${e.kind}:${e.new_status}`);
    expect(kinds.filter((k: string) => k === 'accepted:assigned')).toHaveLength(1);
    expect((await call('GET', `/api/v1/drivers/me/jobs/${job.id}`, driver.token)).body.job.accepted_at).toBe(
      first.body.job.accepted_at,
    );
  });

  it('a new driver takes a reassigned job on afresh, and a job under way cannot be accepted', async () => {
    const [first, second] = [await newDriver(), await newDriver()];
    const job = await newJob(await newCustomer());
    await walkJob(job.id, first, 'assigned');
    await call('POST', `/api/v1/drivers/me/jobs/${job.id}/accept`, first.token);
    const moved = await call('POST', `/api/v1/jobs/${job.id}/reassign`, await admin(), {
      driver_id: second.profile_id,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.job).toMatchObject({ driver_id: second.profile_id, accepted_at: null });
    const taken = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/accept`, second.token);
    expect(taken.body.job.accepted_at).not.toBeNull();
    await walkJob(job.id, second, 'en_route');
    await expectRefusal(409, 'invalid_transition', 'POST', `/api/v1/drivers/me/jobs/${job.id}/accept`, second.token);
  });
});

describe('PATCH /api/v1/drivers/me/status', () => {
  const setStatus = (token: string, status: unknown) =>
    api('/api/v1/drivers/me/status', { method: 'PATCH', token, json: { status } });

  it('toggles offline → available → break → offline, and refuses the job-driven statuses', async () => {
    const driver = await newDriver({ status: 'offline' });
    for (const status of ['available', 'break', 'offline', 'available']) {
      const res = await setStatus(driver.token, status);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ driver: { id: driver.profile_id, status } });
      expect((await call('GET', '/api/v1/drivers/me', driver.token)).body.driver.status).toBe(status);
    }
    for (const status of ['en_route', 'on_job', 'asleep', null]) {
      await expectError(await setStatus(driver.token, status), 400, 'validation_failed');
    }
    await expectError(await setStatus((await newCustomer()).token, 'available'), 403, 'forbidden');
  });

  it('gives 409 to a driver who tries to go available, offline or on break mid-job, and keeps the job’s status', async () => {
    const driver = await newDriver();
    const job = await newJob(await newCustomer());
    await walkJob(job.id, driver, 'assigned');
    for (const [step, driverStatus] of [
      ['en_route', 'en_route'],
      ['arrived', 'on_job'],
      ['in_progress', 'on_job'],
    ] as const) {
      expect(
        (await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, { status: step })).status,
      ).toBe(200);
      for (const status of ['available', 'offline', 'break']) {
        const err = await expectError(await setStatus(driver.token, status), 409, 'driver_has_active_job');
        expect(err.error.message).toContain(`while you have a job that is ${step}`);
        expect(err.error.details).toEqual({ job_id: job.id, job_status: step });
      }
      expect((await call('GET', '/api/v1/drivers/me', driver.token)).body.driver.status).toBe(driverStatus);
    }
    await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, { status: 'completed' });
    expect((await call('GET', '/api/v1/drivers/me', driver.token)).body.driver.status).toBe('available');
    expect((await setStatus(driver.token, 'offline')).status).toBe(200);
  });

  it('holds a driver who accepted an assignment until they decline it; an unanswered one does not', async () => {
    const driver = await newDriver();
    const job = await newJob(await newCustomer());
    await walkJob(job.id, driver, 'assigned');
    // Not answered yet: the driver may still step away and let it be offered elsewhere.
    expect((await setStatus(driver.token, 'break')).status).toBe(200);
    expect((await setStatus(driver.token, 'available')).status).toBe(200);

    expect((await call('POST', `/api/v1/drivers/me/jobs/${job.id}/accept`, driver.token)).status).toBe(200);
    const err = await expectError(await setStatus(driver.token, 'offline'), 409, 'driver_has_active_job');
    expect(err.error.details).toEqual({ job_id: job.id, job_status: 'assigned' });
    expect(err.error.message).toContain('decline');
    // Asking for the status the driver already has changes nothing and is no conflict.
    expect(await (await setStatus(driver.token, 'available')).json()).toEqual({
      driver: { id: driver.profile_id, status: 'available' },
    });

    expect(
      (await call('POST', `/api/v1/drivers/me/jobs/${job.id}/reject`, driver.token, { reason: 'truck trouble' }))
        .status,
    ).toBe(200);
    expect((await setStatus(driver.token, 'offline')).status).toBe(200);
    expect((await call('GET', '/api/v1/drivers/me', driver.token)).body.driver.status).toBe('offline');
  });
});

describe('driver status follows all of the driver’s active jobs', () => {
  const statusOf = async (driver: { token: string }) =>
    (await call('GET', '/api/v1/drivers/me', driver.token)).body.driver.status as string;

  it('keeps a driver on the road while another of their jobs is cancelled, rejected or reassigned, and frees them when the last one ends', async () => {
    const adminToken = await admin();
    const driver = await newDriver();
    const other = await newDriver();
    const customer = await newCustomer();
    const [onRoad, cancelled, rejected, reassigned, next] = await Promise.all(
      Array.from({ length: 5 }, () => newJob(customer)),
    );
    await walkJob(onRoad!.id, driver, 'en_route');
    const board = await connect(adminToken, 'admin:dispatch');
    await board.next((m) => m.type === 'subscribed');

    await walkJob(cancelled!.id, driver, 'assigned');
    expect(
      (await call('DELETE', `/api/v1/jobs/${cancelled!.id}`, adminToken, { reason: 'plowed by the town' })).status,
    ).toBe(200);
    expect(await statusOf(driver)).toBe('en_route');

    await walkJob(rejected!.id, driver, 'assigned');
    expect((await call('POST', `/api/v1/drivers/me/jobs/${rejected!.id}/reject`, driver.token, {})).status).toBe(200);
    expect(await statusOf(driver)).toBe('en_route');

    await walkJob(reassigned!.id, driver, 'assigned');
    const moved = await call('POST', `/api/v1/jobs/${reassigned!.id}/reassign`, adminToken, {
      driver_id: other.profile_id,
    });
    expect(moved.status).toBe(200);
    expect(await statusOf(driver)).toBe('en_route');

    // What the board heard about this driver since: the job-driven status, never "available".
    expect(
      (await call('PATCH', `/api/v1/drivers/me/jobs/${onRoad!.id}/status`, driver.token, { status: 'arrived' })).status,
    ).toBe(200);
    const heard = await board.next(
      (m) => m.type === 'driver_status_change' && m.payload.driver_id === driver.profile_id,
    );
    expect(heard.payload.status).toBe('on_job');
    const list = await call('GET', '/api/v1/drivers?status=available', adminToken);
    expect(list.body.drivers.map((d: { id: string }) => d.id)).not.toContain(driver.profile_id);

    // An admin move of the job under way (cancelled on site) frees the driver, who still
    // holds an assignment they have not started.
    await walkJob(next!.id, driver, 'assigned');
    expect((await call('DELETE', `/api/v1/jobs/${onRoad!.id}`, adminToken, { reason: 'customer away' })).status).toBe(
      200,
    );
    expect(await statusOf(driver)).toBe('available');
    expect(await statusOf(other)).toBe('available');
    board.ws.close();
  });

  it('leaves an offline driver offline when an assignment they never answered is cancelled', async () => {
    const adminToken = await admin();
    const driver = await newDriver({ status: 'offline' });
    const job = await newJob(await newCustomer());
    await walkJob(job.id, driver, 'assigned');
    expect((await call('DELETE', `/api/v1/jobs/${job.id}`, adminToken, {})).status).toBe(200);
    expect(await statusOf(driver)).toBe('offline');
  });
});
