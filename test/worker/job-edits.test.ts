import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import {
  admin,
  concordPoint,
  type Customer,
  newAdmin,
  newCustomer,
  newDriver,
  newJob,
  rows,
  uniq,
  walkJob,
  jobAt,
} from './fixtures';
import { api, call, connect, expectError, expectRefusal } from './helpers';
import { watch } from './realtime-fixtures';

/** The seeded tier prices (scripts/lib/seed.ts): tier 2 is what `newJob` asks for. */
const TIER_2 = 8500;
const TIER_3 = 10500;
const TIER_5 = 14500;
/** Manchester, NH: about 15 miles from the base, outside the 10-mile area. */
const MANCHESTER = { lat: 42.9956, lng: -71.4548 };

const edit = (token: string, jobId: string, json: unknown) =>
  api(`/api/v1/customers/me/jobs/${jobId}`, { method: 'PATCH', token, json });

/** A second saved location of the customer's, through the API (in the area unless `at` says otherwise). */
async function addLocation(customer: Customer, at = concordPoint()): Promise<{ id: string; address_line1: string }> {
  const address_line1 = `${uniq()} Second Rd`;
  const res = await call('POST', '/api/v1/customers/me/locations', customer.token, {
    label: 'Other',
    address_line1,
    city: 'Concord',
    state_province: 'NH',
    postal_code: '03301',
    ...at,
  });
  if (res.status !== 201) throw new Error(`location create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.location.id, address_line1 };
}

/** Everything an edit could write about a job, to show a refused one wrote nothing. */
const jobState = async (id: string) => ({
  job: await rows(sql`SELECT * FROM jobs WHERE id = ${id}`),
  prices: await rows(sql`SELECT * FROM job_price_changes WHERE job_id = ${id}`),
  audit: await rows(sql`SELECT id FROM audit_log WHERE entity_id = ${id} AND action = 'job.update'`),
});

const priceLog = (jobId: string) =>
  rows(
    sql`SELECT old_price_cents, new_price_cents, reason, changed_by_user_id FROM job_price_changes WHERE job_id = ${jobId} ORDER BY changed_at, id`,
  );

describe('PATCH /api/v1/customers/me/jobs/:id', () => {
  it('reschedules and changes the instructions of a waiting job without touching its price', async () => {
    const customer = await newCustomer();
    const job = await newJob(customer);
    const when = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const res = await call('PATCH', `/api/v1/customers/me/jobs/${job.id}`, customer.token, {
      scheduled_for: when,
      special_instructions: 'Gate code 42',
    });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body.job).toMatchObject({
      scheduled_for: when,
      special_instructions: 'Gate code 42',
      quoted_price_cents: TIER_2,
      version: job.version + 1,
    });
    expect(body.price_change).toBeNull();
    expect(await priceLog(job.id)).toEqual([]);
    // The customer set the time themself: no "your plow time changed" message to them.
    const notes = await rows(
      sql`SELECT id FROM notification_log WHERE job_id = ${job.id} AND kind = 'job_rescheduled'`,
    );
    expect(notes).toEqual([]);
    // Back to "as soon as possible".
    const asap = await call('PATCH', `/api/v1/customers/me/jobs/${job.id}`, customer.token, { scheduled_for: null });
    expect(asap.status).toBe(200);
    expect(asap.body.job.scheduled_for).toBeNull();
  });

  it('re-quotes a new tier at exactly its price and logs it with the reason', async () => {
    const customer = await newCustomer();
    const job = await newJob(customer);
    expect(job.quoted_price_cents).toBe(TIER_2);
    const res = await call('PATCH', `/api/v1/customers/me/jobs/${job.id}`, customer.token, { driveway_tier_id: 3 });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ driveway_tier_id: 3, quoted_price_cents: TIER_3, final_price_cents: null });
    expect(res.body.price_change).toMatchObject({
      job_id: job.id,
      old_price_cents: TIER_2,
      new_price_cents: TIER_3,
      reason: 're-quoted: tier changed',
      changed_by_user_id: customer.user_id,
    });
    expect(await priceLog(job.id)).toEqual([
      {
        old_price_cents: TIER_2,
        new_price_cents: TIER_3,
        reason: 're-quoted: tier changed',
        changed_by_user_id: customer.user_id,
      },
    ]);
    // The customer's own job page shows the same log.
    const page = await call('GET', `/api/v1/customers/me/jobs/${job.id}`, customer.token);
    expect(page.body.price_changes).toEqual([res.body.price_change]);
    // The same tier again is no change: nothing more is logged.
    const again = await call('PATCH', `/api/v1/customers/me/jobs/${job.id}`, customer.token, { driveway_tier_id: 3 });
    expect(again.status).toBe(200);
    expect(again.body.price_change).toBeNull();
    expect(await priceLog(job.id)).toHaveLength(1);
  });

  it('moves the job to another of their locations, re-quoted, and refuses one outside the area in plain words', async () => {
    const customer = await newCustomer();
    const job = await newJob(customer);
    const other = await addLocation(customer);
    const res = await call('PATCH', `/api/v1/customers/me/jobs/${job.id}`, customer.token, {
      location_id: other.id,
      driveway_tier_id: 5,
    });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ location_id: other.id, driveway_tier_id: 5, quoted_price_cents: TIER_5 });
    expect(res.body.job.job_address).toBe(`${other.address_line1}, Concord, NH 03301`);
    expect(res.body.price_change).toMatchObject({
      old_price_cents: TIER_2,
      new_price_cents: TIER_5,
      reason: 're-quoted: tier and location changed',
    });
    const [coords] = await rows(
      sql`SELECT j.job_coordinates = l.coordinates AS same FROM jobs j JOIN service_locations l ON l.id = ${other.id} WHERE j.id = ${job.id}`,
    );
    expect(coords).toEqual({ same: true });

    const far = await addLocation(customer, MANCHESTER);
    const before = await jobState(job.id);
    const refused = await expectError(
      await edit(customer.token, job.id, { location_id: far.id }),
      422,
      'outside_service_area',
    );
    expect(refused.error.message).toMatch(/miles from our base; we plow within 10 miles/);
    expect(await jobState(job.id)).toEqual(before);
  });

  it('logs a location change at the same price with its reason', async () => {
    const customer = await newCustomer();
    const job = await newJob(customer);
    const other = await addLocation(customer);
    const res = await call('PATCH', `/api/v1/customers/me/jobs/${job.id}`, customer.token, { location_id: other.id });
    expect(res.status).toBe(200);
    expect(res.body.price_change).toMatchObject({
      old_price_cents: TIER_2,
      new_price_cents: TIER_2,
      reason: 're-quoted: location changed',
    });
  });

  it('lets the customer edit an assigned job; once the driver sets out it is 409 and nothing changes', async () => {
    const { customer, driver, job } = await jobAt('assigned');
    const ok = await call('PATCH', `/api/v1/customers/me/jobs/${job.id}`, customer.token, {
      special_instructions: 'Dog in the yard',
    });
    expect(ok.status).toBe(200);
    await walkJob(job.id, driver, 'en_route');
    const before = await jobState(job.id);
    for (const body of [{ special_instructions: 'too late' }, { driveway_tier_id: 3 }, { scheduled_for: null }]) {
      const refused = await expectError(await edit(customer.token, job.id, body), 409, 'job_under_way');
      expect(refused.error.message).toMatch(/already set out/);
    }
    expect(await jobState(job.id)).toEqual(before);
    // A cancelled job is closed to edits too.
    const other = await newJob(customer);
    await call('DELETE', `/api/v1/jobs/${other.id}`, customer.token, {});
    await expectError(await edit(customer.token, other.id, { special_instructions: 'x' }), 409, 'job_closed');
  });

  it("answers another customer's job, or their location, with 404 and changes nothing", async () => {
    const owner = await newCustomer();
    const stranger = await newCustomer();
    const job = await newJob(owner);
    const before = await jobState(job.id);
    await expectError(await edit(stranger.token, job.id, { special_instructions: 'mine now' }), 404, 'not_found');
    await expectError(await edit(stranger.token, job.id, { driveway_tier_id: 4 }), 404, 'not_found');
    // The owner cannot move the job to someone else's location.
    await expectError(await edit(owner.token, job.id, { location_id: stranger.location_id }), 404, 'not_found');
    expect(await jobState(job.id)).toEqual(before);
  });

  it('refuses bad input with 400/422 and changes nothing', async () => {
    const customer = await newCustomer();
    const job = await newJob(customer);
    const before = await jobState(job.id);
    await expectError(await edit(customer.token, job.id, {}), 400, 'validation_failed');
    await expectError(await edit(customer.token, job.id, { scheduled_for: 'tomorrow' }), 400, 'validation_failed');
    await expectError(await edit(customer.token, job.id, { location_id: 'not-a-uuid' }), 400, 'validation_failed');
    // A customer does not set prices.
    await expectError(await edit(customer.token, job.id, { final_price_cents: 100 }), 400, 'validation_failed');
    await expectError(await edit(customer.token, job.id, { driveway_tier_id: 999 }), 422, 'unknown_tier');
    await expectError(
      await edit(customer.token, job.id, { special_instructions: 'x', expected_version: job.version + 5 }),
      409,
      'version_conflict',
    );
    expect(await jobState(job.id)).toEqual(before);
    // Drivers and admins use their own routes.
    const driver = await newDriver();
    await expectError(await edit(driver.token, job.id, { special_instructions: 'x' }), 403, 'forbidden');
  });

  it('tells the assigned driver, the admins and the job room', async () => {
    const { customer, driver, job } = await jobAt('assigned');
    const phone = await connect(driver.token, `driver:${driver.profile_id}`);
    const { socket: room } = await watch(customer.token, job.id);
    const board = await connect(await admin(), 'admin:dispatch');
    try {
      const res = await call('PATCH', `/api/v1/customers/me/jobs/${job.id}`, customer.token, { driveway_tier_id: 3 });
      expect(res.status).toBe(200);
      const mine = (m: { type: string; payload?: { job_id?: string } }) =>
        m.type === 'job_updated' && m.payload?.job_id === job.id;
      for (const socket of [phone, room, board]) {
        const msg = await socket.next(mine);
        expect(msg.payload).toMatchObject({ version: res.body.job.version });
        expect(msg.payload.fields).toEqual(expect.arrayContaining(['driveway_tier_id', 'quoted_price_cents']));
      }
    } finally {
      phone.close();
      room.close();
      board.close();
    }
  });
});

describe('PATCH /api/v1/jobs/:id: tier and location', () => {
  it('re-quotes an admin tier change, logs the admin as the changer and audits it', async () => {
    const dispatcher = await newAdmin();
    const customer = await newCustomer();
    const job = await newJob(customer);
    // An earlier override is replaced by the new quote.
    await call('PATCH', `/api/v1/jobs/${job.id}`, dispatcher.token, { final_price_cents: 9000 });
    const res = await call('PATCH', `/api/v1/jobs/${job.id}`, dispatcher.token, { driveway_tier_id: 3 });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ driveway_tier_id: 3, quoted_price_cents: TIER_3, final_price_cents: null });
    expect(await priceLog(job.id)).toEqual([
      { old_price_cents: TIER_2, new_price_cents: 9000, reason: null, changed_by_user_id: dispatcher.user_id },
      {
        old_price_cents: 9000,
        new_price_cents: TIER_3,
        reason: 're-quoted: tier changed',
        changed_by_user_id: dispatcher.user_id,
      },
    ]);
    const audit = await rows(
      sql`SELECT actor_user_id, before, after FROM audit_log WHERE action = 'job.update' AND entity_id = ${job.id} ORDER BY created_at DESC LIMIT 1`,
    );
    expect(audit).toEqual([
      {
        actor_user_id: dispatcher.user_id,
        before: { driveway_tier_id: 2, quoted_price_cents: TIER_2, final_price_cents: 9000 },
        after: { driveway_tier_id: 3, quoted_price_cents: TIER_3, final_price_cents: null },
      },
    ]);
  });

  it("moves a job to another of its customer's locations, re-quoted and audited; refuses outside the area", async () => {
    const dispatcher = await newAdmin();
    const customer = await newCustomer();
    const driver = await newDriver();
    const job = await newJob(customer);
    await walkJob(job.id, driver, 'assigned', dispatcher);
    const other = await addLocation(customer);
    const phone = await connect(driver.token, `driver:${driver.profile_id}`);
    try {
      const res = await call('PATCH', `/api/v1/jobs/${job.id}`, dispatcher.token, { location_id: other.id });
      expect(res.status).toBe(200);
      const address = `${other.address_line1}, Concord, NH 03301`;
      expect(res.body.job).toMatchObject({ location_id: other.id, job_address: address, quoted_price_cents: TIER_2 });
      expect(res.body.price_change).toMatchObject({
        old_price_cents: TIER_2,
        new_price_cents: TIER_2,
        reason: 're-quoted: location changed',
        changed_by_user_id: dispatcher.user_id,
      });
      const told = await phone.next((m) => m.type === 'job_updated' && m.payload.job_id === job.id);
      expect(told.payload.fields).toEqual(expect.arrayContaining(['location_id', 'job_address']));
      const [audit] = await rows(
        sql`SELECT actor_user_id, after FROM audit_log WHERE action = 'job.update' AND entity_id = ${job.id} ORDER BY created_at DESC LIMIT 1`,
      );
      expect(audit).toMatchObject({
        actor_user_id: dispatcher.user_id,
        after: { location_id: other.id, job_address: address },
      });
    } finally {
      phone.close();
    }

    const far = await addLocation(customer, MANCHESTER);
    const before = await jobState(job.id);
    await expectRefusal(422, 'outside_service_area', 'PATCH', `/api/v1/jobs/${job.id}`, dispatcher.token, {
      location_id: far.id,
    });
    // Another customer's location is not this job's to move to.
    const stranger = await newCustomer();
    await expectRefusal(404, 'not_found', 'PATCH', `/api/v1/jobs/${job.id}`, dispatcher.token, {
      location_id: stranger.location_id,
    });
    // A price and a re-quote in one edit contradict each other.
    await expectRefusal(400, 'validation_failed', 'PATCH', `/api/v1/jobs/${job.id}`, dispatcher.token, {
      driveway_tier_id: 3,
      final_price_cents: 5000,
    });
    expect(await jobState(job.id)).toEqual(before);
  });

  it('keeps a finished job’s tier final', async () => {
    const dispatcher = await newAdmin();
    const customer = await newCustomer();
    const job = await newJob(customer);
    await call('DELETE', `/api/v1/jobs/${job.id}`, dispatcher.token, {});
    await expectRefusal(409, 'job_closed', 'PATCH', `/api/v1/jobs/${job.id}`, dispatcher.token, {
      driveway_tier_id: 3,
    });
  });
});
