import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loginAdmin, newCustomer, newJob } from './fixtures';
import { api, connect, db, expectError, login, expectRefusal } from './helpers';

async function homeLocation(token: string): Promise<{ id: string; lat: number; lng: number }> {
  const res = await api('/api/v1/customers/me/locations', { token });
  const body = (await res.json()) as { locations: { id: string; label: string; lat: number; lng: number }[] };
  return body.locations.find((l) => l.label === 'Home')!;
}

async function driverProfileId(token: string): Promise<string> {
  const res = await api('/api/v1/drivers/me', { token });
  return ((await res.json()) as { driver: { id: string } }).driver.id;
}

describe('the thin slice: request → assign → live location', () => {
  it('carries a driver location ping to the subscribed customer, through the job room', async () => {
    const customer = await login('customer1@demo.test');
    const admin = await loginAdmin();
    const driver = await login('driver1@demo.test');
    const home = await homeLocation(customer.access_token);

    const created = await api('/api/v1/jobs', {
      method: 'POST',
      token: customer.access_token,
      json: { location_id: home.id, driveway_tier_id: 2, special_instructions: 'Mind the mailbox' },
    });
    expect(created.status).toBe(201);
    const { job } = (await created.json()) as { job: Record<string, any> };
    expect(job).toMatchObject({
      status: 'pending',
      location_id: home.id,
      driveway_tier_id: 2,
      quoted_price_cents: 8500,
      driver_id: null,
    });
    expect(job.lat).toBeCloseTo(home.lat, 5);

    const rows = await db(
      async (d) =>
        (
          await d.execute<{ status: string; events: number }>(
            sql`SELECT status, (SELECT count(*)::int FROM job_status_events e WHERE e.job_id = j.id) AS events FROM jobs j WHERE id = ${job.id}`,
          )
        ).rows,
    );
    expect(rows).toEqual([{ status: 'pending', events: 1 }]);

    const driverId = await driverProfileId(driver.access_token);
    const assigned = await api(`/api/v1/jobs/${job.id}/assign`, {
      method: 'POST',
      token: admin.access_token,
      json: { driver_id: driverId },
    });
    expect(assigned.status).toBe(200);
    expect(((await assigned.json()) as any).job).toMatchObject({ status: 'assigned', driver_id: driverId });

    const watcher = await connect(customer.access_token);
    watcher.send({ type: 'subscribe', payload: { topic: `job:${job.id}` } });
    const status = await watcher.next((m) => m.type === 'job_status');
    expect(status.payload).toMatchObject({ job_id: job.id, new_status: 'assigned' });

    const plow = await connect(driver.access_token);
    plow.send({
      type: 'location_ping',
      payload: {
        lat: 43.21,
        lng: -71.53,
        accuracy: 8,
        recorded_at: new Date().toISOString(),
        client_event_id: 'slice-ping-0001',
      },
    });
    const loc = await watcher.next((m) => m.type === 'driver_location');
    expect(loc.payload).toMatchObject({ job_id: job.id, driver_id: driverId, lat: 43.21, lng: -71.53, accuracy: 8 });
    expect(await plow.next((m) => m.type === 'ack')).toMatchObject({
      payload: { client_event_id: 'slice-ping-0001', duplicate: false },
    });

    const polled = await api(`/api/v1/customers/me/jobs/${job.id}/driver-location`, { token: customer.access_token });
    expect(polled.status).toBe(200);
    expect(await polled.json()).toMatchObject({ lat: 43.21, lng: -71.53, accuracy: 8 });

    const events = await db(
      async (d) =>
        (
          await d.execute<{ previous_status: string | null; new_status: string }>(
            sql`SELECT previous_status, new_status FROM job_status_events WHERE job_id = ${job.id} ORDER BY created_at`,
          )
        ).rows,
    );
    expect(events).toEqual([
      { previous_status: null, new_status: 'pending' },
      { previous_status: 'pending', new_status: 'assigned' },
    ]);
    watcher.close();
    plow.close();
  });
});

describe('bad input to the slice endpoints', () => {
  /** This customer's jobs and their status events: what a refused request must leave as it was. */
  async function writesOf(email: string): Promise<{ jobs: number; events: number }> {
    return db(async (d) => {
      const r = await d.execute<{ jobs: number; events: number }>(sql`
        SELECT count(DISTINCT j.id)::int AS jobs, count(e.id)::int AS events
          FROM users u JOIN customer_profiles c ON c.user_id = u.id JOIN jobs j ON j.customer_id = c.id
          LEFT JOIN job_status_events e ON e.job_id = j.id
         WHERE u.email = ${email}`);
      return r.rows[0]!;
    });
  }

  it('answers POST /api/v1/jobs with 4xx in the error shape and writes nothing', async () => {
    const customer = await newCustomer();
    const before = await writesOf(customer.email);
    const t = customer.token;
    const post = (init: RequestInit & { json?: unknown }) => api('/api/v1/jobs', { method: 'POST', token: t, ...init });
    await expectError(
      await post({ body: '{"location_id":', headers: { 'content-type': 'application/json' } }),
      400,
      'malformed_json',
    );
    await expectError(
      await post({ body: 'location_id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
    );
    await expectError(await post({ json: {} }), 400, 'validation_failed');
    const invalid = await expectError(
      await post({ json: { location_id: 'nope', driveway_tier_id: 'two' } }),
      400,
      'validation_failed',
    );
    expect(invalid.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'location_id' }),
        expect.objectContaining({ field: 'driveway_tier_id' }),
      ]),
    );
    await expectError(
      await post({ json: { location_id: crypto.randomUUID(), driveway_tier_id: 1 } }),
      404,
      'not_found',
    );
    await expectError(
      await post({
        json: { location_id: customer.location_id, driveway_tier_id: 1, special_instructions: 'x'.repeat(5000) },
      }),
      400,
    );
    await expectError(
      await post({ json: { location_id: customer.location_id, driveway_tier_id: 1, scheduled_for: 'tomorrow-ish' } }),
      400,
      'validation_failed',
    );
    await expectError(
      await api('/api/v1/jobs', { method: 'POST', json: { location_id: customer.location_id, driveway_tier_id: 1 } }),
      401,
    );
    expect(await writesOf(customer.email)).toEqual(before);
  });

  it('refuses a location outside the service area with 422 and the distance', async () => {
    const customer = await login('customer1@demo.test');
    const res = await api('/api/v1/customers/me/locations', { token: customer.access_token });
    const camp = ((await res.json()) as { locations: { id: string; label: string }[] }).locations.find(
      (l) => l.label === 'Camp',
    )!;
    const before = await writesOf('customer1@demo.test');
    const body = await expectRefusal(422, 'outside_service_area', 'POST', '/api/v1/jobs', customer.access_token, {
      location_id: camp.id,
      driveway_tier_id: 1,
    });
    expect((body.error.details as { distance_miles: number }).distance_miles).toBeGreaterThan(10);
    expect(await writesOf('customer1@demo.test')).toEqual(before);
  });

  it('answers POST /api/v1/jobs/:id/assign with 4xx in the error shape and leaves a real pending job as it was', async () => {
    const admin = await loginAdmin();
    const customer = await newCustomer();
    const job = await newJob(customer);
    const state = () =>
      db(
        async (d) =>
          (
            await d.execute(
              sql`SELECT status, driver_id, version, (SELECT count(*)::int FROM job_status_events WHERE job_id = ${job.id}) AS events FROM jobs WHERE id = ${job.id}`,
            )
          ).rows,
      );
    const before = await state();
    expect(before).toEqual([expect.objectContaining({ status: 'pending', driver_id: null, events: 1 })]);
    const t = admin.access_token;
    const assign = (id: string, init: RequestInit & { json?: unknown; token?: string }) =>
      api(`/api/v1/jobs/${id}/assign`, { method: 'POST', token: t, ...init });
    await expectError(await assign(job.id, { json: {} }), 400, 'validation_failed');
    await expectError(await assign(job.id, { json: { driver_id: 'x' } }), 400, 'validation_failed');
    await expectError(await assign(job.id, { json: { driver_id: crypto.randomUUID() } }), 422, 'unknown_driver');
    await expectError(
      await assign(job.id, { body: '[', headers: { 'content-type': 'application/json' } }),
      400,
      'malformed_json',
    );
    await expectError(await assign(job.id, { body: 'driver_id=1', headers: { 'content-type': 'text/plain' } }), 415);
    await expectError(
      await assign(job.id, { token: customer.token, json: { driver_id: crypto.randomUUID() } }),
      403,
      'forbidden',
    );
    await expectError(await assign('not-a-uuid', { json: { driver_id: crypto.randomUUID() } }), 404);
    await expectError(await assign(crypto.randomUUID(), { json: { driver_id: 'x' } }), 400, 'validation_failed');
    expect(await state()).toEqual(before);
  });
});
