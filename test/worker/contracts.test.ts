import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  concordPoint,
  newContract,
  newCustomer,
  newDriver,
  rows,
  TEST_SEASON,
  uniq,
  uniquePhone,
} from './fixtures';
import { api, call, expectError, expectRefusal } from './helpers';

const PER_INCH = {
  kind: 'per_inch',
  per_push_price_cents: null,
  per_inch_bands: [
    { from_in: 2, to_in: 4, price_cents: 4500 },
    { from_in: 4, to_in: 8, price_cents: 6500 },
    { from_in: 8, to_in: null, price_cents: 9500 },
  ],
};

/** The terms of a seasonal contract paid in `installment_count` parts. */
const seasonal = (seasonal_price_cents: number, installment_count: number) => ({
  kind: 'seasonal',
  per_push_price_cents: null,
  seasonal_price_cents,
  installment_count,
});

/** Per-push terms ($50 from 2 in, open within 4 hours) for this customer at this location. */
const perPush = (customer_id: string, location_id: string | null) => ({
  customer_id,
  location_id,
  kind: 'per_push',
  per_push_price_cents: 5000,
  trigger_depth_in: 2,
  sla_kind: 'within_hours',
  sla_within_hours: 4,
});

const contractRow = (id: string) => rows(sql`SELECT * FROM service_contracts WHERE id = ${id}`);

let adminToken: string;
beforeAll(async () => {
  adminToken = await admin();
});

describe('POST /api/v1/admin/customers', () => {
  it('enters a phone-in customer without email, with their property at the dropped pin', async () => {
    const phone = uniquePhone();
    const pin = concordPoint();
    const res = await call('POST', '/api/v1/admin/customers', adminToken, {
      full_name: 'Pat Phonein',
      phone,
      location: {
        label: 'Lot',
        address_line1: `${uniq()} Storrs St`,
        city: 'Concord',
        state_province: 'NH',
        postal_code: '03301',
        ...pin,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.customer).toMatchObject({
      full_name: 'Pat Phonein',
      phone,
      email: null,
      preferred_contact: 'none',
    });
    expect(res.body.location).toMatchObject({ lat: pin.lat, lng: pin.lng, is_default: true, label: 'Lot' });

    // The admin can write them a contract at once.
    const contract = await call('POST', '/api/v1/admin/contracts', adminToken, {
      customer_id: res.body.customer.id,
      location_id: res.body.location.id,
      kind: 'per_push',
      per_push_price_cents: 6000,
      trigger_depth_in: 3,
      sla_kind: 'open_by',
      sla_open_by: '06:00',
      ...TEST_SEASON,
    });
    expect(contract.status).toBe(201);
    expect(contract.body.contract).toMatchObject({ customer_name: 'Pat Phonein', accepted_at: null });
  });

  it('geocodes the address when no pin is dropped', async () => {
    const res = await call('POST', '/api/v1/admin/customers', adminToken, {
      full_name: 'Gail Geocoded',
      phone: uniquePhone(),
      email: `gail-${uniq()}@test.test`,
      location: { address_line1: '12 Pleasant St', city: 'Concord', state_province: 'NH', postal_code: '03301' },
    });
    expect(res.status).toBe(201);
    // The geocoding stand-in answers Concord for every address.
    expect(res.body.location).toMatchObject({ lat: 43.2001, lng: -71.5452 });
    expect(res.body.customer.preferred_contact).toBe('email');
  });

  it('refuses a missing phone (400, per field) and a phone already on file (409), creating nobody', async () => {
    const before = await rows(sql`SELECT count(*)::int AS n FROM users`);
    const missing = await api('/api/v1/admin/customers', {
      method: 'POST',
      token: adminToken,
      json: {
        full_name: 'No Phone',
        location: { address_line1: '1 A St', city: 'Concord', state_province: 'NH', postal_code: '03301' },
      },
    });
    const body = await expectError(missing, 400, 'validation_failed');
    expect(body.error.details).toContainEqual(expect.objectContaining({ field: 'phone' }));

    const existing = await newCustomer({ phone: uniquePhone() });
    const [holder] = await rows<{ phone: string }>(sql`SELECT phone FROM users WHERE id = ${existing.user_id}`);
    const phone = holder!.phone;
    const taken = await api('/api/v1/admin/customers', {
      method: 'POST',
      token: adminToken,
      json: {
        full_name: 'Same Phone',
        phone,
        location: {
          address_line1: '1 A St',
          city: 'Concord',
          state_province: 'NH',
          postal_code: '03301',
          ...concordPoint(),
        },
      },
    });
    await expectError(taken, 409, 'phone_taken');
    expect(await rows(sql`SELECT count(*)::int AS n FROM users`)).toEqual([{ n: before[0]!.n + 1 }]);
  });

  it('is for admins only', async () => {
    const driver = await newDriver({ status: 'offline' });
    const customer = await newCustomer();
    const body = {
      full_name: 'X',
      phone: uniquePhone(),
      location: { address_line1: '1 A St', city: 'Concord', state_province: 'NH', postal_code: '03301' },
    };
    await expectError(await api('/api/v1/admin/customers', { method: 'POST', token: driver.token, json: body }), 403);
    await expectError(await api('/api/v1/admin/customers', { method: 'POST', token: customer.token, json: body }), 403);
  });
});

describe('POST /api/v1/admin/contracts', () => {
  it('writes a per-inch contract with its bands, waiting for the customer to accept', async () => {
    const customer = await newCustomer();
    const contract = await newContract(customer, {
      ...PER_INCH,
      accepted_by_phone: false,
      driver_notes: 'Gate code 4411; pile snow by the fence',
    });
    expect(contract).toMatchObject({
      kind: 'per_inch',
      status: 'active',
      trigger_depth_in: 2,
      per_inch_bands: PER_INCH.per_inch_bands,
      accepted_at: null,
      driver_notes: 'Gate code 4411; pile snow by the fence',
      installments: [],
    });
  });

  it('gives a seasonal contract its installment schedule, adding up to the price', async () => {
    const customer = await newCustomer();
    const contract = await newContract(customer, seasonal(1000_00, 3));
    expect(contract.installments).toEqual([
      { seq: 1, due_on: '2025-11-01', amount_cents: 33334 },
      { seq: 2, due_on: '2025-12-01', amount_cents: 33333 },
      { seq: 3, due_on: '2026-01-01', amount_cents: 33333 },
    ]);
    expect(contract.accepted_at).not.toBeNull();
  });

  it('refuses bands with a gap, a per-push contract without its price and a backwards season, field by field, writing nothing', async () => {
    const customer = await newCustomer();
    const before = await rows(
      sql`SELECT count(*)::int AS n FROM service_contracts WHERE customer_id = ${customer.profile_id}`,
    );
    const base = {
      customer_id: customer.profile_id,
      location_id: customer.location_id,
      trigger_depth_in: 2,
      sla_kind: 'within_hours',
      sla_within_hours: 4,
      ...TEST_SEASON,
    };
    const gap = await api('/api/v1/admin/contracts', {
      method: 'POST',
      token: adminToken,
      json: {
        ...base,
        kind: 'per_inch',
        per_inch_bands: [
          { from_in: 2, to_in: 4, price_cents: 4000 },
          { from_in: 5, to_in: null, price_cents: 6000 },
        ],
      },
    });
    expect((await expectError(gap, 400, 'validation_failed')).error.details).toContainEqual({
      field: 'per_inch_bands',
      message: 'band 2 must start where band 1 ends',
    });
    const noPrice = await api('/api/v1/admin/contracts', {
      method: 'POST',
      token: adminToken,
      json: { ...base, kind: 'per_push' },
    });
    expect((await expectError(noPrice, 400, 'validation_failed')).error.details).toContainEqual(
      expect.objectContaining({ field: 'per_push_price_cents' }),
    );
    const backwards = await api('/api/v1/admin/contracts', {
      method: 'POST',
      token: adminToken,
      json: {
        ...base,
        kind: 'per_push',
        per_push_price_cents: 5000,
        season_start: '2026-04-30',
        season_end: '2025-11-01',
      },
    });
    expect((await expectError(backwards, 400, 'validation_failed')).error.details).toContainEqual(
      expect.objectContaining({ field: 'season_end' }),
    );
    const halfInch = await api('/api/v1/admin/contracts', {
      method: 'POST',
      token: adminToken,
      json: { ...base, kind: 'per_push', per_push_price_cents: 5000, trigger_depth_in: 2.3 },
    });
    await expectError(halfInch, 400, 'validation_failed');
    expect(
      await rows(sql`SELECT count(*)::int AS n FROM service_contracts WHERE customer_id = ${customer.profile_id}`),
    ).toEqual(before);
  });

  it("refuses another customer's location (422) and a second contract for the same property and season (409)", async () => {
    const customer = await newCustomer();
    const other = await newCustomer();
    const res = await call('POST', '/api/v1/admin/contracts', adminToken, {
      ...perPush(customer.profile_id, other.location_id),
      ...TEST_SEASON,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unknown_location');

    await newContract(customer);
    const again = await api('/api/v1/admin/contracts', {
      method: 'POST',
      token: adminToken,
      json: {
        ...perPush(customer.profile_id, customer.location_id),
        season_start: '2026-03-01',
        season_end: '2026-10-31',
      },
    });
    await expectError(again, 409, 'contract_overlaps');
  });

  it('refuses a property outside the service area (422 outside_service_area)', async () => {
    const far = await newCustomer({ location: { lat: 42.9956, lng: -71.4548 } });
    const res = await api('/api/v1/admin/contracts', {
      method: 'POST',
      token: adminToken,
      json: {
        ...perPush(far.profile_id, far.location_id),
        ...TEST_SEASON,
      },
    });
    await expectError(res, 422, 'outside_service_area');
  });
});

describe('PATCH /api/v1/admin/contracts/:id', () => {
  it('asks the customer to accept again when the price changes, not when the notes or status do', async () => {
    const customer = await newCustomer();
    const contract = await newContract(customer);
    expect(contract.accepted_at).not.toBeNull();

    const unpriced = { driver_notes: 'Blue gate', status: 'paused' };
    const notes = await call('PATCH', `/api/v1/admin/contracts/${contract.id}`, adminToken, unpriced);
    expect(notes.status).toBe(200);
    expect(notes.body.contract).toMatchObject({ ...unpriced, accepted_at: contract.accepted_at });

    const price = await call('PATCH', `/api/v1/admin/contracts/${contract.id}`, adminToken, {
      per_push_price_cents: 8000,
    });
    expect(price.body.contract).toMatchObject({ per_push_price_cents: 8000, accepted_at: null });
  });

  it('keeps the acceptance of a per-inch contract when only its notes change', async () => {
    const customer = await newCustomer();
    const contract = await newContract(customer, { ...PER_INCH });
    const res = await call('PATCH', `/api/v1/admin/contracts/${contract.id}`, adminToken, {
      driver_notes: 'Side lot first',
    });
    expect(res.body.contract).toMatchObject({ driver_notes: 'Side lot first', accepted_at: contract.accepted_at });
  });

  it('checks the terms as a whole: a per-push contract turned per-inch without bands is refused and left alone', async () => {
    const customer = await newCustomer();
    const contract = await newContract(customer);
    const before = await contractRow(contract.id);
    const res = await api(`/api/v1/admin/contracts/${contract.id}`, {
      method: 'PATCH',
      token: adminToken,
      json: { kind: 'per_inch' },
    });
    expect((await expectError(res, 400, 'validation_failed')).error.details).toContainEqual(
      expect.objectContaining({ field: 'per_inch_bands' }),
    );
    expect(await contractRow(contract.id)).toEqual(before);
    await expectError(
      await api(`/api/v1/admin/contracts/${contract.id}`, { method: 'PATCH', token: adminToken, json: {} }),
      400,
    );
    await expectError(
      await api(`/api/v1/admin/contracts/${crypto.randomUUID()}`, {
        method: 'PATCH',
        token: adminToken,
        json: { status: 'paused' },
      }),
      404,
    );
  });

  it('rewrites a seasonal schedule when its installments change', async () => {
    const customer = await newCustomer();
    const contract = await newContract(customer, seasonal(600_00, 2));
    const res = await call('PATCH', `/api/v1/admin/contracts/${contract.id}`, adminToken, { installment_count: 4 });
    expect(res.body.contract.installments.map((i: { amount_cents: number }) => i.amount_cents)).toEqual([
      15000, 15000, 15000, 15000,
    ]);
  });
});

describe('GET /api/v1/customers/me/contracts and POST …/:id/accept', () => {
  it("shows a customer only their own contracts, and lets them accept theirs but not another's", async () => {
    const customer = await newCustomer();
    const other = await newCustomer();
    const mine = await newContract(customer, {
      accepted_by_phone: false,
      driver_notes: 'Pile snow left of the garage',
    });
    const theirs = await newContract(other, { accepted_by_phone: false });

    const list = await call('GET', '/api/v1/customers/me/contracts', customer.token);
    expect(list.status).toBe(200);
    expect(list.body.contracts.map((c: { id: string }) => c.id)).toEqual([mine.id]);
    expect(list.body.contracts[0]).toMatchObject({ accepted_at: null, driver_notes: 'Pile snow left of the garage' });
    expect(list.body.contracts[0].customer_name).toBeUndefined();

    const before = await contractRow(theirs.id);
    await expectRefusal(404, 'not_found', 'POST', `/api/v1/customers/me/contracts/${theirs.id}/accept`, customer.token);
    expect(await contractRow(theirs.id)).toEqual(before);

    const accepted = await call('POST', `/api/v1/customers/me/contracts/${mine.id}/accept`, customer.token);
    expect(accepted.status).toBe(200);
    expect(accepted.body.contract.accepted_at).not.toBeNull();
    const again = await call('POST', `/api/v1/customers/me/contracts/${mine.id}/accept`, customer.token);
    expect(again.body.contract.accepted_at).toBe(accepted.body.contract.accepted_at);
  });

  it('is not for drivers (403)', async () => {
    const driver = await newDriver({ status: 'offline' });
    await expectError(await api('/api/v1/customers/me/contracts', { token: driver.token }), 403);
    await expectError(await api('/api/v1/admin/contracts', { token: driver.token }), 403);
  });
});
