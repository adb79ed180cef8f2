import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { admin, driverStep, newCustomer, newDriver, newJob, rows, uniq, walkJob, jobAt } from './fixtures';
import { call, expectRefusal } from './helpers';

/** The keys SPEC §7 says every Job object carries. */
const SPEC_JOB_KEYS = [
  'id',
  'status',
  'customer_id',
  'driver_id',
  'location_id',
  'job_address',
  'lat',
  'lng',
  'driveway_tier_id',
  'quoted_price_cents',
  'final_price_cents',
  'requested_at',
  'scheduled_for',
  'assigned_at',
  'arrived_at',
  'started_at',
  'completed_at',
  'cancelled_at',
  'completion_photo_url',
];

describe('Job objects (SPEC §7)', () => {
  it('carry every key SPEC lists, from create, get, assign, the driver’s steps and cancel alike', async () => {
    const customer = await newCustomer({ location: { lat: 43.2151, lng: -71.5299 } });
    const driver = await newDriver();
    const scheduled_for = new Date(Date.now() + 3_600_000).toISOString();
    const created = await call('POST', '/api/v1/jobs', customer.token, {
      location_id: customer.location_id,
      driveway_tier_id: 2,
      scheduled_for,
    });
    expect(created.status).toBe(201);
    const job = created.body.job;
    const seen: Record<string, any>[] = [job];
    seen.push((await call('GET', `/api/v1/jobs/${job.id}`, customer.token)).body.job);
    seen.push(await walkJob(job.id, driver, 'in_progress'));
    seen.push((await call('GET', `/api/v1/drivers/me/jobs/${job.id}`, driver.token)).body.job);
    const other = await newJob(customer);
    seen.push(
      (await call('DELETE', `/api/v1/jobs/${other.id}`, customer.token, { reason: 'plowed it myself' })).body.job,
    );
    for (const j of seen) {
      const missing = SPEC_JOB_KEYS.filter((k) => !(k in j));
      expect(missing, `job ${j.id} (${j.status})`).toEqual([]);
    }
    expect(job).toMatchObject({
      status: 'pending',
      customer_id: customer.profile_id,
      driver_id: null,
      location_id: customer.location_id,
      lat: 43.2151,
      lng: -71.5299,
      driveway_tier_id: 2,
      quoted_price_cents: 8500,
      final_price_cents: null,
      requested_at: expect.any(String),
      scheduled_for,
      assigned_at: null,
      arrived_at: null,
      started_at: null,
      completed_at: null,
      cancelled_at: null,
      completion_photo_url: null,
    });
    expect(job.job_address).toEqual(expect.stringContaining('Concord'));
    expect(seen[2]).toMatchObject({
      status: 'in_progress',
      driver_id: driver.profile_id,
      assigned_at: expect.any(String),
      arrived_at: expect.any(String),
      started_at: expect.any(String),
      completed_at: null,
    });
    expect(seen[4]).toMatchObject({ status: 'cancelled', cancelled_at: expect.any(String) });
  });
});

describe('the job a change answers with', () => {
  it('is the job as stored after it, at every step, taken back and cancelled too', async () => {
    const [customer, driver, token] = await Promise.all([newCustomer(), newDriver(), admin()]);
    const stored = async (id: string) => (await call('GET', `/api/v1/jobs/${id}`, token)).body.job;
    const versions: number[] = [];
    const job = await newJob(customer);
    const assign = (id: string) => call('POST', `/api/v1/jobs/${id}/assign`, token, { driver_id: driver.profile_id });
    let res = await assign(job.id);
    expect(res.status).toBe(200);
    expect(res.body.job, 'assigned').toEqual(await stored(job.id));
    for (const step of ['en_route', 'arrived', 'in_progress', 'completed']) {
      res = await driverStep(job.id, driver, step);
      expect(res.status, step).toBe(200);
      expect(res.body.job, step).toEqual(await stored(job.id));
      versions.push(res.body.job.version);
    }
    const back = await newJob(customer);
    await assign(back.id);
    res = await call('PATCH', `/api/v1/jobs/${back.id}/status`, token, { status: 'pending', notes: 'truck down' });
    expect(res.status).toBe(200);
    expect(res.body.job, 'taken back').toEqual(await stored(back.id));
    const cancelled = await newJob(customer);
    await assign(cancelled.id);
    res = await call('DELETE', `/api/v1/jobs/${cancelled.id}`, customer.token, { reason: 'plowed it myself' });
    expect(res.status).toBe(200);
    expect(res.body.job, 'cancelled').toEqual(await stored(cancelled.id));
    // Each step moved the version by one; the last one stamped the finish.
    expect(versions).toEqual([2, 3, 4, 5]);
    expect(res.body.job.completed_at ?? null).toBeNull(); // the cancelled job never finished
    expect((await stored(job.id)).completed_at).toEqual(expect.any(String));
  });
});

describe('POST /api/v1/jobs', () => {
  it('lets an admin enter a job for a customer (source admin) and needs the customer named', async () => {
    const customer = await newCustomer();
    const token = await admin();
    const res = await call('POST', '/api/v1/jobs', token, {
      customer_id: customer.profile_id,
      location_id: customer.location_id,
      driveway_tier_id: 3,
      special_instructions: 'Phoned in',
    });
    expect(res.status).toBe(201);
    expect(res.body.job).toMatchObject({
      customer_id: customer.profile_id,
      source: 'admin',
      status: 'pending',
      quoted_price_cents: 10500,
      special_instructions: 'Phoned in',
    });
    const missing = await expectRefusal(400, 'validation_failed', 'POST', '/api/v1/jobs', token, {
      location_id: customer.location_id,
      driveway_tier_id: 3,
    });
    expect(missing.error.details).toEqual([expect.objectContaining({ field: 'customer_id' })]);
    const other = await newCustomer();
    await expectRefusal(404, 'not_found', 'POST', '/api/v1/jobs', token, {
      customer_id: other.profile_id,
      location_id: customer.location_id,
      driveway_tier_id: 3,
    });
  });

  it('refuses a location outside the area with 422, the distance and the radius', async () => {
    const customer = await newCustomer({ location: { lat: 42.9956, lng: -71.4548, label: 'Manchester' } });
    const body = await expectRefusal(422, 'outside_service_area', 'POST', '/api/v1/jobs', customer.token, {
      location_id: customer.location_id,
      driveway_tier_id: 1,
    });
    expect(body.error.details).toMatchObject({ radius_miles: 10 });
    expect((body.error.details as { distance_miles: number }).distance_miles).toBeGreaterThan(14);
  });

  it('refuses an unknown or huge tier id as 422 / 400, never 500', async () => {
    const customer = await newCustomer();
    await expectRefusal(422, 'unknown_tier', 'POST', '/api/v1/jobs', customer.token, {
      location_id: customer.location_id,
      driveway_tier_id: 99_999,
    });
    await expectRefusal(400, 'validation_failed', 'POST', '/api/v1/jobs', customer.token, {
      location_id: customer.location_id,
      driveway_tier_id: 1e15,
    });
  });

  it('asks an unverified customer to verify their email first', async () => {
    const customer = await newCustomer({ verified: false });
    await expectRefusal(403, 'email_not_verified', 'POST', '/api/v1/jobs', customer.token, {
      location_id: customer.location_id,
      driveway_tier_id: 1,
    });
  });
});

describe('GET /api/v1/jobs', () => {
  it('filters by status, customer, free text and requested_at range, newest first with a cursor', async () => {
    const token = await admin();
    const needle = `Zz${uniq()}`;
    const customer = await newCustomer();
    const from = new Date(Date.now() - 1000).toISOString();
    const a = await newJob(customer, { special_instructions: needle });
    const b = await newJob(customer);
    const c = await newJob(customer);
    await call('DELETE', `/api/v1/jobs/${b.id}`, token, { reason: 'duplicate' });

    const mine = await call('GET', `/api/v1/jobs?customer_id=${customer.profile_id}&limit=2`, token);
    expect(mine.body.jobs.map((j: { id: string }) => j.id)).toEqual([c.id, b.id]);
    const next = await call(
      'GET',
      `/api/v1/jobs?customer_id=${customer.profile_id}&limit=2&cursor=${encodeURIComponent(mine.body.next_cursor)}`,
      token,
    );
    expect(next.body).toEqual({ jobs: [expect.objectContaining({ id: a.id })], next_cursor: null });

    const pending = await call('GET', `/api/v1/jobs?customer_id=${customer.profile_id}&status=pending,assigned`, token);
    expect(pending.body.jobs.map((j: { id: string }) => j.id).sort()).toEqual([a.id, c.id].sort());

    const byName = await call('GET', `/api/v1/jobs?q=${encodeURIComponent(customer.full_name)}`, token);
    expect(byName.body.jobs.map((j: { id: string }) => j.id).sort()).toEqual([a.id, b.id, c.id].sort());
    const byAddress = await call('GET', `/api/v1/jobs?q=${encodeURIComponent(a.job_address.split(',')[0])}`, token);
    expect(byAddress.body.jobs.length).toBe(3);
    const wildcard = await call(
      'GET',
      `/api/v1/jobs?q=${encodeURIComponent('%_%')}&customer_id=${customer.profile_id}`,
      token,
    );
    expect(wildcard.body.jobs).toEqual([]);

    const inRange = await call(
      'GET',
      `/api/v1/jobs?customer_id=${customer.profile_id}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      token,
    );
    expect(inRange.body.jobs.length).toBe(3);
    const before = await call(
      'GET',
      `/api/v1/jobs?customer_id=${customer.profile_id}&to=${encodeURIComponent(from)}`,
      token,
    );
    expect(before.body.jobs).toEqual([]);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/jobs?from=yesterday', token);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/jobs?limit=1000', token);
  });
});

describe('PATCH /api/v1/jobs/:id', () => {
  it('edits instructions, schedule and final price in one audited change', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const job = await newJob(customer);
    const when = new Date(Date.now() + 86_400_000).toISOString();
    const res = await call('PATCH', `/api/v1/jobs/${job.id}`, token, {
      special_instructions: 'Gate code 1234',
      scheduled_for: when,
      final_price_cents: 7000,
      expected_version: job.version,
    });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({
      special_instructions: 'Gate code 1234',
      scheduled_for: when,
      final_price_cents: 7000,
    });
    expect(res.body.price_change).toMatchObject({ old_price_cents: 8500, new_price_cents: 7000 });
    const audit = await rows(
      sql`SELECT before, after FROM audit_log WHERE action = 'job.update' AND entity_id = ${job.id}`,
    );
    expect(audit).toEqual([
      {
        before: { final_price_cents: null, special_instructions: null, scheduled_for: null },
        after: { final_price_cents: 7000, special_instructions: 'Gate code 1234', scheduled_for: when },
      },
    ]);
    const notes = await rows(
      sql`SELECT kind, channel, status FROM notification_log WHERE job_id = ${job.id} AND kind = 'job_rescheduled'`,
    );
    expect(notes).toEqual([{ kind: 'job_rescheduled', channel: 'email', status: 'queued' }]);
  });

  it('answers a stale version with 409, a finished job with 409, an empty edit with 400', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const job = await newJob(customer);
    await call('PATCH', `/api/v1/jobs/${job.id}`, token, { special_instructions: 'first' });
    const stale = await expectRefusal(409, 'version_conflict', 'PATCH', `/api/v1/jobs/${job.id}`, token, {
      special_instructions: 'second',
      expected_version: job.version,
    });
    expect(stale.error.details).toMatchObject({ version: job.version + 1 });
    await call('DELETE', `/api/v1/jobs/${job.id}`, token, {});
    await expectRefusal(409, 'job_closed', 'PATCH', `/api/v1/jobs/${job.id}`, token, {
      special_instructions: 'too late',
    });
    await expectRefusal(400, 'validation_failed', 'PATCH', `/api/v1/jobs/${job.id}`, token, {});
    await expectRefusal(404, 'not_found', 'PATCH', `/api/v1/jobs/${crypto.randomUUID()}`, token, {
      special_instructions: 'x',
    });
    await expectRefusal(403, 'forbidden', 'PATCH', `/api/v1/jobs/${job.id}`, customer.token, {
      special_instructions: 'x',
    });
  });
});

describe('POST /api/v1/jobs/:id/reassign', () => {
  it('moves an assigned job to another driver: two events, the first driver told, new driver notified', async () => {
    const [token, { driver: first, job }, second] = await Promise.all([admin(), jobAt('assigned'), newDriver()]);
    const res = await call('POST', `/api/v1/jobs/${job.id}/reassign`, token, { driver_id: second.profile_id });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ status: 'assigned', driver_id: second.profile_id });
    const events = await call('GET', `/api/v1/jobs/${job.id}/status-history`, token);
    expect(
      events.body.events.map(
        (e: { previous_status: string | null; new_status: string }) => `${e.previous_status}>${e.new_status}`,
      ),
    ).toEqual(['null>pending', 'pending>assigned', 'assigned>pending', 'pending>assigned']);
    // The reassignment writes its two notices in one transaction, so they share created_at
    // (now() is the transaction's start): the kind breaks the tie.
    const notes = await rows(
      sql`SELECT n.kind, u.id = ${first.user_id} AS to_first FROM notification_log n JOIN users u ON u.id = n.user_id WHERE n.job_id = ${job.id} AND n.kind IN ('driver_job_assigned', 'driver_job_cancelled') ORDER BY n.created_at, n.kind DESC`,
    );
    expect(notes).toEqual([
      { kind: 'driver_job_assigned', to_first: true },
      { kind: 'driver_job_cancelled', to_first: true },
      { kind: 'driver_job_assigned', to_first: false },
    ]);
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/drivers/me/jobs/${job.id}`, first.token);
    expect((await call('GET', `/api/v1/drivers/me/jobs/${job.id}`, second.token)).status).toBe(200);
  });

  it('refuses a pending job, the same driver, and a suspended driver', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const driver = await newDriver();
    const job = await newJob(customer);
    const pending = await expectRefusal(409, 'invalid_transition', 'POST', `/api/v1/jobs/${job.id}/reassign`, token, {
      driver_id: driver.profile_id,
    });
    expect(pending.error.details).toEqual({ allowed: ['assigned'] });
    await walkJob(job.id, driver, 'assigned');
    await expectRefusal(409, 'already_assigned', 'POST', `/api/v1/jobs/${job.id}/reassign`, token, {
      driver_id: driver.profile_id,
    });
    const suspended = await newDriver({ status: 'offline' });
    await rows(sql`UPDATE users SET suspended_at = now() WHERE id = ${suspended.user_id}`);
    await expectRefusal(422, 'driver_suspended', 'POST', `/api/v1/jobs/${job.id}/reassign`, token, {
      driver_id: suspended.profile_id,
    });
  });
});

describe('POST /api/v1/jobs/:id/assign', () => {
  it('refuses an unknown or suspended driver with 422 and leaves the job as it was', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const job = await newJob(customer);
    await expectRefusal(422, 'unknown_driver', 'POST', `/api/v1/jobs/${job.id}/assign`, token, {
      driver_id: crypto.randomUUID(),
    });
    const suspended = await newDriver({ status: 'offline' });
    await rows(sql`UPDATE users SET suspended_at = now() WHERE id = ${suspended.user_id}`);
    await expectRefusal(422, 'driver_suspended', 'POST', `/api/v1/jobs/${job.id}/assign`, token, {
      driver_id: suspended.profile_id,
    });
    const [after] = await rows(sql`SELECT status, driver_id, version FROM jobs WHERE id = ${job.id}`);
    expect(after).toEqual({ status: 'pending', driver_id: null, version: job.version });
    await expectRefusal(404, 'not_found', 'POST', `/api/v1/jobs/${crypto.randomUUID()}/assign`, token, {
      driver_id: suspended.profile_id,
    });
  });
});

describe('job transitions over HTTP', () => {
  it('answers an illegal move with 409 invalid_transition and the allowed next statuses', async () => {
    const { customer, driver, job } = await jobAt('assigned');
    const skip = await expectRefusal(
      409,
      'invalid_transition',
      'PATCH',
      `/api/v1/drivers/me/jobs/${job.id}/status`,
      driver.token,
      { status: 'completed' },
    );
    expect(skip.error.details).toEqual({ allowed: ['en_route', 'pending'] });
    await walkJob2(job.id, driver, ['en_route', 'arrived']);
    const late = await expectRefusal(409, 'invalid_transition', 'DELETE', `/api/v1/jobs/${job.id}`, customer.token, {
      reason: 'too slow',
    });
    expect(late.error.details).toEqual({ allowed: [] });
    const cancelled = await call('DELETE', `/api/v1/jobs/${job.id}`, await admin(), { reason: 'Truck broke down' });
    expect(cancelled.body.job).toMatchObject({ status: 'cancelled', cancellation_reason: 'Truck broke down' });
    const driverRow = await rows(sql`SELECT status FROM driver_profiles WHERE id = ${driver.profile_id}`);
    expect(driverRow).toEqual([{ status: 'available' }]);
    const notes = await rows(
      sql`SELECT kind FROM notification_log WHERE job_id = ${job.id} AND user_id = ${customer.user_id} ORDER BY created_at`,
    );
    expect(notes.map((n) => n.kind)).toEqual(['job_assigned', 'job_en_route', 'job_arrived', 'job_cancelled']);
  });

  it('applies a replayed offline move once, even a rejection that took the job off the driver', async () => {
    const driver = await newDriver();
    const job = await newJob(await newCustomer());
    await walkJob(job.id, driver, 'assigned');
    const body = { status: 'pending', notes: 'flat tyre', client_event_id: `offline-${job.id}` };
    const first = await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, body);
    expect(first.body.job).toMatchObject({ status: 'pending', driver_id: null });
    const replay = await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, body);
    expect(replay.status).toBe(200);
    expect(replay.body.job).toMatchObject({ status: 'pending', version: first.body.job.version });
    const events = await rows(
      sql`SELECT count(*)::int AS n FROM job_status_events WHERE job_id = ${job.id} AND client_event_id = ${body.client_event_id}`,
    );
    expect(events[0]!.n).toBe(1);
    const other = await newDriver({ status: 'offline' });
    await expectRefusal(404, 'not_found', 'PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, other.token, body);
  });

  it("hides other people's jobs behind 404", async () => {
    const customer = await newCustomer();
    const stranger = await newCustomer();
    const driver = await newDriver({ status: 'offline' });
    const job = await newJob(customer);
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/jobs/${job.id}`, stranger.token);
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/jobs/${job.id}/status-history`, driver.token);
    await expectRefusal(404, 'not_found', 'DELETE', `/api/v1/jobs/${job.id}`, stranger.token);
  });
});

async function walkJob2(jobId: string, driver: { token: string }, steps: string[]) {
  for (const status of steps) {
    const res = await call('PATCH', `/api/v1/drivers/me/jobs/${jobId}/status`, driver.token, { status });
    if (res.status !== 200) throw new Error(`${status}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
