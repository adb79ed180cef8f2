import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { admin, jobWith, newCustomer, newDriver, newJob, rows, walkJob } from './fixtures';
import { call, expectRefusal } from './helpers';

/** A completed job of `driver`'s, 25 minutes on site, finished `daysAgo` days (and a minute) back. */
async function finishedJob(driver: Awaited<ReturnType<typeof newDriver>>, daysAgo: number, priceCents: number) {
  const customer = await newCustomer();
  const job = await newJob(customer);
  await walkJob(job.id, driver, 'completed');
  await rows(sql`
    UPDATE jobs SET final_price_cents = ${priceCents}, discount_cents = 0,
           completed_at = now() - make_interval(days => ${daysAgo}) - interval '1 minute',
           arrived_at = now() - make_interval(days => ${daysAgo}) - interval '26 minutes'
     WHERE id = ${job.id}`);
  return job.id as string;
}

describe('driver history', () => {
  it('lists the driver’s own finished jobs, newest first, a page at a time, with time on site and amounts', async () => {
    const driver = await newDriver();
    const stranger = await newDriver();
    const older = await finishedJob(driver, 3, 8000);
    const newer = await finishedJob(driver, 1, 6500);
    await finishedJob(stranger, 1, 9900);
    // An unfinished job is not history yet.
    await jobWith(await newCustomer(), driver, 'en_route');

    const first = await call('GET', '/api/v1/drivers/me/history?limit=1', driver.token);
    expect(first.status).toBe(200);
    expect(first.body.jobs).toEqual([
      expect.objectContaining({ id: newer, status: 'completed', minutes_on_site: 25, amount_cents: 6500 }),
    ]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await call(
      'GET',
      `/api/v1/drivers/me/history?limit=1&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      driver.token,
    );
    expect(second.body.jobs.map((j: { id: string }) => j.id)).toEqual([older]);
    expect(second.body.next_cursor).toBeNull();

    // The stranger sees only their own.
    const theirs = await call('GET', '/api/v1/drivers/me/history', stranger.token);
    expect(theirs.body.jobs.map((j: { id: string }) => j.id)).not.toContain(newer);
    expect(theirs.body.jobs).toHaveLength(1);
  });

  it('totals jobs, minutes on site and amounts by the operator’s local day', async () => {
    const driver = await newDriver();
    await finishedJob(driver, 2, 7000);
    await finishedJob(driver, 2, 5000);
    await finishedJob(driver, 0, 6000);
    const res = await call('GET', '/api/v1/drivers/me/history/days', driver.token);
    expect(res.status).toBe(200);
    expect(res.body.days).toHaveLength(30);
    expect(res.body.days[0].day > res.body.days[1].day).toBe(true);
    expect(res.body.totals).toEqual({ jobs: 3, minutes_on_site: 75, amount_cents: 18_000 });
    const busy = res.body.days.filter((d: { jobs: number }) => d.jobs > 0);
    expect(busy.map((d: { jobs: number; amount_cents: number }) => [d.jobs, d.amount_cents])).toEqual([
      [1, 6000],
      [2, 12_000],
    ]);
    await expectRefusal(
      400,
      'validation_failed',
      'GET',
      '/api/v1/drivers/me/history/days?from=2026-02-10&to=2026-01-01',
      driver.token,
    );
  });

  it('is the driver’s alone: customers and admins cannot read it, nor anyone without a sign-in', async () => {
    const customer = await newCustomer();
    expect((await call('GET', '/api/v1/drivers/me/history', customer.token)).status).toBe(403);
    expect((await call('GET', '/api/v1/drivers/me/history/days', await admin())).status).toBe(403);
    expect((await call('GET', '/api/v1/drivers/me/history', undefined)).status).toBe(401);
  });
});

describe('GET /api/v1/customers/me/jobs/:id/contact', () => {
  it('offers the office number while a driver holds the job, never the driver’s own', async () => {
    const token = await admin();
    const before = await call('GET', '/api/v1/admin/settings', token);
    const previous = before.body.settings?.public_phone ?? null;
    const set = await call('PATCH', '/api/v1/admin/settings', token, { public_phone: '+16035550142' });
    expect(set.status).toBe(200);
    try {
      const customer = await newCustomer();
      const driver = await newDriver();
      const job = await newJob(customer);
      const pending = await call('GET', `/api/v1/customers/me/jobs/${job.id}/contact`, customer.token);
      expect(pending.body.contact).toMatchObject({ phone: null, live: false });
      await walkJob(job.id, driver, 'en_route');
      const live = await call('GET', `/api/v1/customers/me/jobs/${job.id}/contact`, customer.token);
      expect(live.status).toBe(200);
      expect(live.body.contact).toMatchObject({ phone: '+16035550142', live: true });
      expect(JSON.stringify(live.body)).not.toContain(driver.phone);
      await expectRefusal(400, 'validation_failed', 'PATCH', '/api/v1/admin/settings', token, {
        public_phone: '555-0142',
      });
    } finally {
      await call('PATCH', '/api/v1/admin/settings', token, { public_phone: previous });
    }
  });
});

describe('GET /api/v1/customers/me/jobs/:id/contact: who is coming', () => {
  it('names the driver by first name with their truck and plate while they hold the job, and nobody before', async () => {
    const customer = await newCustomer();
    const driver = await newDriver({ full_name: 'Gus Mallory Plowright' });
    const truck = { vehicle_type: 'Pickup', vehicle_make: 'Ford', vehicle_model: 'F-250', vehicle_year: 2019 };
    const profile = await call('PATCH', '/api/v1/drivers/me', driver.token, { ...truck, license_plate: 'NH 4471' });
    expect(profile.status).toBe(200);
    const job = await newJob(customer);
    const pending = await call('GET', `/api/v1/customers/me/jobs/${job.id}/contact`, customer.token);
    expect(pending.body.contact.driver).toBeNull();

    await walkJob(job.id, driver, 'en_route');
    const live = await call('GET', `/api/v1/customers/me/jobs/${job.id}/contact`, customer.token);
    expect(live.body.contact.driver).toEqual({ first_name: 'Gus', ...truck, license_plate: 'NH 4471' });
    expect(JSON.stringify(live.body)).not.toContain('Plowright');
    expect(JSON.stringify(live.body)).not.toContain(driver.email);

    await walkJob(job.id, driver, 'completed');
    const done = await call('GET', `/api/v1/customers/me/jobs/${job.id}/contact`, customer.token);
    expect(done.body.contact).toMatchObject({ live: false, driver: null });
  });
});

describe('GET /api/v1/drivers/me/jobs/:id/contact', () => {
  it('gives the driver the office number, and the customer’s own only where the operator allows it', async () => {
    const token = await admin();
    const before = (await call('GET', '/api/v1/admin/settings', token)).body.settings;
    await call('PATCH', '/api/v1/admin/settings', token, { public_phone: '+16035550142' });
    try {
      const customer = await newCustomer();
      const driver = await newDriver();
      const other = await newDriver({ status: 'offline' });
      const job = await newJob(customer);
      await walkJob(job.id, driver, 'en_route');
      const contact = async () =>
        (await call('GET', `/api/v1/drivers/me/jobs/${job.id}/contact`, driver.token)).body.contact;

      await call('PATCH', '/api/v1/admin/settings', token, { drivers_call_customers: false });
      const office = await contact();
      expect(office).toMatchObject({ customer_phone: null, office_phone: '+16035550142', live: true });
      expect(office.customer_first_name).toBe(customer.full_name.split(' ')[0]);

      const allowed = await call('PATCH', '/api/v1/admin/settings', token, { drivers_call_customers: true });
      expect(allowed.body.settings.drivers_call_customers).toBe(true);
      expect(await contact()).toMatchObject({ customer_phone: customer.phone, office_phone: '+16035550142' });

      await walkJob(job.id, driver, 'completed');
      expect(await contact()).toMatchObject({ customer_phone: null, office_phone: null, live: false });
      await expectRefusal(404, 'not_found', 'GET', `/api/v1/drivers/me/jobs/${job.id}/contact`, other.token);
      await expectRefusal(403, 'forbidden', 'GET', `/api/v1/drivers/me/jobs/${job.id}/contact`, customer.token);
      await expectRefusal(400, 'validation_failed', 'PATCH', '/api/v1/admin/settings', token, {
        drivers_call_customers: 'yes',
      });
    } finally {
      await call('PATCH', '/api/v1/admin/settings', token, {
        public_phone: before?.public_phone ?? null,
        drivers_call_customers: before?.drivers_call_customers ?? false,
      });
    }
  });
});
