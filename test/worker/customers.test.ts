import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { admin, newCustomer, newDriver, newJob, rows, uniquePhone, walkJob } from './fixtures';
import { HAPPY_PATH } from '../../contract/job-status';
import { api, call, expectRefusal } from './helpers';

describe('GET/PATCH /api/v1/customers/me', () => {
  it('shows the profile and saves name, phone, preferred contact and billing address', async () => {
    const me = await newCustomer({ phone: null });
    const got = await call('GET', '/api/v1/customers/me', me.token);
    expect(got.status).toBe(200);
    expect(got.body.customer).toMatchObject({
      id: me.profile_id,
      email: me.email,
      full_name: me.full_name,
      preferred_contact: 'email',
      phone: null,
    });
    const phone = uniquePhone();
    const patched = await call('PATCH', '/api/v1/customers/me', me.token, {
      full_name: 'Pat Plowed',
      phone,
      preferred_contact: 'both',
      billing_address: '1 Main St, Concord NH',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.customer).toMatchObject({
      full_name: 'Pat Plowed',
      phone,
      preferred_contact: 'both',
      billing_address: '1 Main St, Concord NH',
      phone_verified_at: null,
    });
  });

  it('refuses text messages without a phone (422), and takes a phone another account has like any other, unverified', async () => {
    const me = await newCustomer({ phone: null });
    const body = await expectRefusal(422, 'phone_required', 'PATCH', '/api/v1/customers/me', me.token, {
      preferred_contact: 'sms',
    });
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'preferred_contact' })]);
    const phone = uniquePhone();
    await newCustomer({ phone });
    const saved = await api('/api/v1/customers/me', { method: 'PATCH', token: me.token, json: { phone } });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { customer: Record<string, unknown> }).customer).toMatchObject({
      phone,
      phone_verified_at: null,
    });
    await expectRefusal(400, 'validation_failed', 'PATCH', '/api/v1/customers/me', me.token, { phone: '555-1234' });
    await expectRefusal(400, 'validation_failed', 'PATCH', '/api/v1/customers/me', me.token, { full_name: '' });
  });

  it('is for customers only', async () => {
    const driver = await newDriver({ status: 'offline' });
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/customers/me', driver.token);
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/customers/me', await admin());
  });
});

describe('PATCH/DELETE /api/v1/customers/me/locations/:id', () => {
  it('re-geocodes a changed address, keeps a dropped pin as given, and moves the default', async () => {
    const me = await newCustomer();
    const second = await call('POST', '/api/v1/customers/me/locations', me.token, {
      label: 'Shop',
      address_line1: '3 Main St',
      city: 'Bow',
      state_province: 'NH',
      postal_code: '03304',
      lat: 43.1353,
      lng: -71.547,
    });
    expect(second.status).toBe(201);
    expect(second.body.location.is_default).toBe(false);
    const shopId = second.body.location.id;

    const newAddress = { address_line1: '12 Pleasant St', city: 'Concord', postal_code: '03301' };
    const moved = await call('PATCH', `/api/v1/customers/me/locations/${shopId}`, me.token, newAddress);
    expect(moved.status).toBe(200);
    // The Nominatim stand-in answers with this point.
    expect(moved.body.location).toMatchObject({ ...newAddress, lat: 43.2001, lng: -71.5452, label: 'Shop' });

    const pinned = await call('PATCH', `/api/v1/customers/me/locations/${shopId}`, me.token, {
      lat: 43.21,
      lng: -71.52,
      label: null,
      is_default: true,
    });
    expect(pinned.body.location).toMatchObject({ lat: 43.21, lng: -71.52, label: null, is_default: true });
    const list = await call('GET', '/api/v1/customers/me/locations', me.token);
    expect(
      list.body.locations.filter((l: { is_default: boolean }) => l.is_default).map((l: { id: string }) => l.id),
    ).toEqual([shopId]);
  });

  it('soft-deletes: the location leaves the list, jobs keep their snapshot, the next one becomes default', async () => {
    const me = await newCustomer();
    const job = await newJob(me);
    const other = await call('POST', '/api/v1/customers/me/locations', me.token, {
      label: 'Camp',
      address_line1: '9 Lake Rd',
      city: 'Concord',
      state_province: 'NH',
      postal_code: '03301',
      lat: 43.22,
      lng: -71.55,
    });
    const del = await api(`/api/v1/customers/me/locations/${me.location_id}`, { method: 'DELETE', token: me.token });
    expect(del.status).toBe(204);
    const list = await call('GET', '/api/v1/customers/me/locations', me.token);
    expect(list.body.locations).toEqual([expect.objectContaining({ id: other.body.location.id, is_default: true })]);
    const stillThere = await rows(
      sql`SELECT deleted_at IS NOT NULL AS deleted FROM service_locations WHERE id = ${me.location_id}`,
    );
    expect(stillThere).toEqual([{ deleted: true }]);
    const kept = await call('GET', `/api/v1/jobs/${job.id}`, me.token);
    expect(kept.body.job).toMatchObject({ location_id: me.location_id, job_address: job.job_address });
    await expectRefusal(404, 'not_found', 'POST', '/api/v1/jobs', me.token, {
      location_id: me.location_id,
      driveway_tier_id: 1,
    });
    await expectRefusal(404, 'not_found', 'DELETE', `/api/v1/customers/me/locations/${me.location_id}`, me.token);
  });

  it("answers 404 for someone else's location and 400 for bad fields", async () => {
    const me = await newCustomer();
    const them = await newCustomer();
    await expectRefusal(404, 'not_found', 'PATCH', `/api/v1/customers/me/locations/${them.location_id}`, me.token, {
      label: 'Mine now',
    });
    await expectRefusal(404, 'not_found', 'DELETE', `/api/v1/customers/me/locations/${them.location_id}`, me.token);
    const mine = `/api/v1/customers/me/locations/${me.location_id}`;
    for (const body of [{ lat: 43.2 }, { is_default: false }, { lat: 91, lng: 0 }])
      await expectRefusal(400, 'validation_failed', 'PATCH', mine, me.token, body);
    const theirs = await call('GET', '/api/v1/customers/me/locations', them.token);
    expect(theirs.body.locations[0].label).toBe('Home');
  });
});

describe('GET /api/v1/customers/me/jobs', () => {
  it('pages the history newest first with a cursor, filters by status, and shows only their own', async () => {
    const me = await newCustomer();
    const other = await newCustomer();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await newJob(me));
    await newJob(other);
    const first = await call('GET', '/api/v1/customers/me/jobs?limit=2', me.token);
    expect(first.status).toBe(200);
    expect(first.body.jobs.map((j: { id: string }) => j.id)).toEqual([made[4]!.id, made[3]!.id]);
    const second = await call(
      'GET',
      `/api/v1/customers/me/jobs?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      me.token,
    );
    expect(second.body.jobs.map((j: { id: string }) => j.id)).toEqual([made[2]!.id, made[1]!.id]);
    const third = await call(
      'GET',
      `/api/v1/customers/me/jobs?limit=2&cursor=${encodeURIComponent(second.body.next_cursor)}`,
      me.token,
    );
    expect(third.body).toEqual({ jobs: [expect.objectContaining({ id: made[0]!.id })], next_cursor: null });

    await call('DELETE', `/api/v1/jobs/${made[0]!.id}`, me.token, { reason: 'changed my mind' });
    const cancelled = await call('GET', '/api/v1/customers/me/jobs?status=cancelled', me.token);
    expect(cancelled.body.jobs).toEqual([expect.objectContaining({ id: made[0]!.id, status: 'cancelled' })]);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/customers/me/jobs?status=plowed', me.token);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/customers/me/jobs?cursor=bm90LWEtY3Vyc29y', me.token);
  });

  it('shows one job with its timeline, price changes and invoice; another customer gets 404', async () => {
    const me = await newCustomer();
    const other = await newCustomer();
    const driver = await newDriver();
    const job = await newJob(me);
    await walkJob(job.id, driver, 'in_progress');
    await call('POST', `/api/v1/jobs/${job.id}/price`, driver.token, { new_price_cents: 9900 });
    await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, { status: 'completed' });
    const res = await call('GET', `/api/v1/customers/me/jobs/${job.id}`, me.token);
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ id: job.id, status: 'completed', final_price_cents: 9900 });
    expect(res.body.events.map((e: { new_status: string }) => e.new_status)).toEqual(HAPPY_PATH);
    expect(res.body.price_changes).toEqual([
      expect.objectContaining({ old_price_cents: 8500, new_price_cents: 9900, changed_by_user_id: driver.user_id }),
    ]);
    expect(res.body.invoice).toMatchObject({ status: 'draft', subtotal_cents: 9900 });
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/customers/me/jobs/${job.id}`, other.token);
    await expectRefusal(404, 'not_found', 'GET', '/api/v1/customers/me/jobs/not-a-uuid', me.token);
  });
});
