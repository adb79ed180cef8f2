import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import { admin, newCustomer, newDriver, type Person, rows } from './fixtures';
import { api, call, db, expectRefusal } from './helpers';

/** A waiting entry for `customer`, written directly so most tests need not pause the operator. */
async function entryFor(
  customer: Person & { location_id: string | null },
  contact: Partial<typeof t.waitlist.$inferInsert> = {},
): Promise<string> {
  return db(async (d) => {
    const [row] = await d
      .insert(t.waitlist)
      .values({
        customer_id: customer.profile_id,
        location_id: customer.location_id,
        job_address: '5 Waiting Way, Concord, NH 03301',
        job_coordinates: { lat: 43.2, lng: -71.54 },
        driveway_tier_id: 2,
        notes: 'Long driveway',
        preferred_contact: 'email',
        contact_email: customer.email,
        ...contact,
      })
      .returning({ id: t.waitlist.id });
    return row!.id;
  });
}

describe('POST /api/v1/jobs while the operator is paused', () => {
  it('answers 202 with a waitlist entry (preferred contact captured) and queues a notice', async () => {
    const token = await admin();
    const customer = await newCustomer({
      preferred_contact: 'both',
      phone: `+1603${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
    });
    await call('PATCH', '/api/v1/admin/settings', token, { accepting_jobs: false });
    let res: Awaited<ReturnType<typeof call>>;
    try {
      res = await call('POST', '/api/v1/jobs', customer.token, {
        location_id: customer.location_id,
        driveway_tier_id: 4,
        special_instructions: 'Corner lot',
      });
    } finally {
      await call('PATCH', '/api/v1/admin/settings', token, { accepting_jobs: true });
    }
    expect(res.status).toBe(202);
    expect(res.body.waitlist_entry).toMatchObject({
      customer_id: customer.profile_id,
      status: 'waiting',
      driveway_tier_id: 4,
      notes: 'Corner lot',
      preferred_contact: 'both',
      contact_email: customer.email,
    });
    expect(typeof res.body.waitlist_entry.lat).toBe('number');
    const jobs = await rows(sql`SELECT count(*)::int AS n FROM jobs WHERE customer_id = ${customer.profile_id}`);
    expect(jobs[0]!.n).toBe(0);
    const notes = await rows(
      sql`SELECT channel FROM notification_log WHERE user_id = ${customer.user_id} AND kind = 'waitlist_joined' ORDER BY channel`,
    );
    expect(notes.map((n) => n.channel)).toEqual(['email', 'sms']);
    const mine = await call('GET', '/api/v1/customers/me/waitlist', customer.token);
    expect(mine.body.waitlist).toEqual([
      expect.objectContaining({ id: res.body.waitlist_entry.id, status: 'waiting' }),
    ]);
  });
});

describe('POST /api/v1/waitlist/:id/take', () => {
  it('turns the entry into a job assigned to the driver, with events and the customer told', async () => {
    const customer = await newCustomer();
    const driver = await newDriver();
    const id = await entryFor(customer);
    const res = await call('POST', `/api/v1/waitlist/${id}/take`, driver.token);
    expect(res.status).toBe(201);
    expect(res.body.job).toMatchObject({
      status: 'assigned',
      driver_id: driver.profile_id,
      customer_id: customer.profile_id,
      quoted_price_cents: 8500,
      special_instructions: 'Long driveway',
      job_address: '5 Waiting Way, Concord, NH 03301',
    });
    expect(res.body.waitlist_entry).toMatchObject({ id, status: 'promoted', promoted_job_id: res.body.job.id });
    const events = await call('GET', `/api/v1/jobs/${res.body.job.id}/status-history`, driver.token);
    expect(
      events.body.events.map((e: { new_status: string; changed_by_user_id: string }) => [
        e.new_status,
        e.changed_by_user_id,
      ]),
    ).toEqual([
      ['pending', driver.user_id],
      ['assigned', driver.user_id],
    ]);
    const notes = await rows(
      sql`SELECT kind, channel, recipient FROM notification_log WHERE user_id = ${customer.user_id} AND kind = 'waitlist_promoted'`,
    );
    expect(notes).toEqual([{ kind: 'waitlist_promoted', channel: 'email', recipient: customer.email }]);
    const queue = await call('GET', '/api/v1/drivers/me/jobs', driver.token);
    expect(queue.body.jobs.map((j: { id: string }) => j.id)).toContain(res.body.job.id);
  });

  it('lets only one of two drivers taking the same entry win (409 for the other)', async () => {
    const customer = await newCustomer();
    const [a, b] = await Promise.all([newDriver(), newDriver()]);
    const id = await entryFor(customer);
    const [ra, rb] = await Promise.all([
      api(`/api/v1/waitlist/${id}/take`, { method: 'POST', token: a.token }),
      api(`/api/v1/waitlist/${id}/take`, { method: 'POST', token: b.token }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([201, 409]);
    const loser = ra.status === 409 ? ra : rb;
    expect(((await loser.json()) as { error: { code: string } }).error.code).toBe('waitlist_not_waiting');
    const jobs = await rows(sql`SELECT count(*)::int AS n FROM jobs WHERE waitlist_id = ${id}`);
    expect(jobs[0]!.n).toBe(1);
  });

  it('refuses customers (403), unknown entries (404) and suspended drivers (422)', async () => {
    const customer = await newCustomer();
    const id = await entryFor(customer);
    await expectRefusal(403, 'forbidden', 'POST', `/api/v1/waitlist/${id}/take`, customer.token);
    const driver = await newDriver({ status: 'offline' });
    await expectRefusal(404, 'not_found', 'POST', `/api/v1/waitlist/${crypto.randomUUID()}/take`, driver.token);
    await rows(sql`UPDATE users SET suspended_at = now() WHERE id = ${driver.user_id}`);
    await expectRefusal(422, 'driver_suspended', 'POST', `/api/v1/waitlist/${id}/take`, driver.token);
  });
});

describe('admin waitlist actions', () => {
  it('assigns an entry to a driver and promotes another to a pending job', async () => {
    const [token, customer, driver] = await Promise.all([admin(), newCustomer(), newDriver()]);
    const first = await entryFor(customer);
    const second = await entryFor(customer, { preferred_contact: 'none' });
    const assigned = await call('POST', `/api/v1/waitlist/${first}/assign`, token, { driver_id: driver.profile_id });
    expect(assigned.status).toBe(201);
    expect(assigned.body.job).toMatchObject({ status: 'assigned', driver_id: driver.profile_id });
    const promoted = await call('POST', `/api/v1/waitlist/${second}/promote`, token);
    expect(promoted.status).toBe(201);
    expect(promoted.body.job).toMatchObject({ status: 'pending', driver_id: null, waitlist_id: second });
    const notes = await rows(
      sql`SELECT job_id FROM notification_log WHERE user_id = ${customer.user_id} AND kind = 'waitlist_promoted'`,
    );
    expect(notes).toEqual([{ job_id: assigned.body.job.id }]); // the second entry asked for no messages
    await expectRefusal(409, 'waitlist_not_waiting', 'POST', `/api/v1/waitlist/${second}/promote`, token);
    await expectRefusal(400, 'validation_failed', 'POST', `/api/v1/waitlist/${first}/assign`, token, {
      driver_id: 'nope',
    });
    await expectRefusal(403, 'forbidden', 'POST', `/api/v1/waitlist/${first}/assign`, driver.token, {
      driver_id: driver.profile_id,
    });
  });

  it('lists waiting entries oldest first: admins with contact details, drivers without', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const driver = await newDriver({ status: 'offline' });
    const a = await entryFor(customer);
    const b = await entryFor(customer);
    const all: { id: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { waitlist: { id: string }[]; next_cursor: string | null } } = await call(
        'GET',
        `/api/v1/waitlist?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      all.push(...page.body.waitlist);
      cursor = page.body.next_cursor;
    } while (cursor);
    const ids = all.map((e) => e.id);
    expect(ids.indexOf(a)).toBeLessThan(ids.indexOf(b));
    expect(all.find((e) => e.id === a)).toMatchObject({ contact_email: customer.email });
    const forDriver = await call('GET', '/api/v1/waitlist?limit=100&status=cancelled', driver.token);
    expect(
      forDriver.body.waitlist.every(
        (e: { status: string; contact_email?: string }) => e.status === 'waiting' && !('contact_email' in e),
      ),
    ).toBe(true);
    const queue = await call('GET', '/api/v1/drivers/me/jobs', driver.token);
    expect(Array.isArray(queue.body.waitlist)).toBe(true);
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/waitlist', customer.token);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/waitlist?status=frozen', token);
  });

  it('cancels: the customer their own waiting entry, admins any; others get 404', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const stranger = await newCustomer();
    const mine = await entryFor(customer);
    await expectRefusal(404, 'not_found', 'DELETE', `/api/v1/customers/me/waitlist/${mine}`, stranger.token);
    const cancelled = await call('DELETE', `/api/v1/customers/me/waitlist/${mine}`, customer.token);
    expect(cancelled.body.waitlist_entry).toMatchObject({ id: mine, status: 'cancelled' });
    await expectRefusal(409, 'waitlist_not_waiting', 'DELETE', `/api/v1/customers/me/waitlist/${mine}`, customer.token);
    const other = await entryFor(customer);
    const byAdmin = await call('DELETE', `/api/v1/waitlist/${other}`, token);
    expect(byAdmin.body.waitlist_entry.status).toBe('cancelled');
    await expectRefusal(
      409,
      'waitlist_not_waiting',
      'POST',
      `/api/v1/waitlist/${mine}/take`,
      (await newDriver({ status: 'offline' })).token,
    );
  });
});
