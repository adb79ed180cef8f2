import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { admin, newCustomer, newDriver, rows } from './fixtures';
import { api, call, expectError, expectRefusal } from './helpers';

/**
 * These endpoints change operator-wide state that other test files rely on (the Concord
 * base, the six tiers, the business switches). Each test restores what it changed, and
 * changes that would alter other tests' outcomes are kept to values that do not.
 */

const BASE = { home_base_address: '107 N Main St, Concord, NH 03301', lat: 43.2073, lng: -71.5376, radius_miles: 10 };

describe('GET/PUT /api/v1/admin/service-area', () => {
  it('shows the home base and saves a pin as given, with an audit row', async () => {
    const token = await admin();
    const got = await call('GET', '/api/v1/admin/service-area', token);
    expect(got.status).toBe(200);
    expect(got.body.service_area).toMatchObject({ radius_miles: 10 });
    expect(got.body.service_area.lat).toBeCloseTo(43.2073, 4);

    const put = await call('PUT', '/api/v1/admin/service-area', token, BASE);
    expect(put.status).toBe(200);
    expect(put.body.service_area).toMatchObject({
      home_base_address: BASE.home_base_address,
      lat: 43.2073,
      lng: -71.5376,
      radius_miles: 10,
    });
    const audit = await rows(
      sql`SELECT action, after FROM audit_log WHERE action = 'service_area.update' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(audit[0]).toMatchObject({
      action: 'service_area.update',
      after: expect.objectContaining({ radius_miles: 10 }),
    });
  });

  it('geocodes an address sent without a pin, then the pin puts the base back', async () => {
    const token = await admin();
    const geocoded = await call('PUT', '/api/v1/admin/service-area', token, {
      home_base_address: '12 Pleasant St, Concord, NH',
      radius_miles: 10,
    });
    expect(geocoded.status).toBe(200);
    // The Nominatim stand-in answers every address with this point.
    expect(geocoded.body.service_area).toMatchObject({
      lat: 43.2001,
      lng: -71.5452,
      home_base_address: '12 Pleasant St, Concord, NH',
    });
    const restored = await call('PUT', '/api/v1/admin/service-area', token, BASE);
    expect(restored.body.service_area.lat).toBeCloseTo(BASE.lat, 6);
  });

  it('refuses a radius outside 1–50 miles, half a pin and an address nobody can find', async () => {
    const token = await admin();
    for (const radius_miles of [0, 0.5, 51, -3]) {
      const body = await expectRefusal(400, 'validation_failed', 'PUT', '/api/v1/admin/service-area', token, {
        ...BASE,
        radius_miles,
      });
      expect(body.error.details).toEqual([expect.objectContaining({ field: 'radius_miles' })]);
    }
    await expectRefusal(400, 'validation_failed', 'PUT', '/api/v1/admin/service-area', token, {
      home_base_address: 'x',
      lat: 43.2,
      radius_miles: 10,
    });
    await expectRefusal(422, 'geocoding_failed', 'PUT', '/api/v1/admin/service-area', token, {
      home_base_address: 'Nowhere at all',
      radius_miles: 10,
    });
    const still = await call('GET', '/api/v1/admin/service-area', token);
    expect(still.body.service_area).toMatchObject({ radius_miles: 10 });
  });

  it('is for admins only', async () => {
    const customer = await newCustomer();
    const driver = await newDriver({ status: 'offline' });
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/admin/service-area', customer.token);
    await expectRefusal(403, 'forbidden', 'PUT', '/api/v1/admin/service-area', driver.token, BASE);
    await expectError(await api('/api/v1/admin/service-area'), 401);
  });
});

describe('GET/PUT /api/v1/admin/pricing/tiers', () => {
  it('lists the six tiers and the 2026 New England defaults for the wizard', async () => {
    const res = await call('GET', '/api/v1/admin/pricing/tiers', await admin());
    expect(res.status).toBe(200);
    expect(res.body.defaults.map((d: { price_cents: number }) => d.price_cents)).toEqual([
      6500, 8500, 10500, 12500, 14500, 16500,
    ]);
    const active = res.body.tiers.filter((t: { is_active: boolean }) => t.is_active);
    expect(active.slice(0, 6).map((t: { id: number }) => t.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('edits a label and price, switches a tier off, and the public picker follows; then restores', async () => {
    const token = await admin();
    const original = (await call('GET', '/api/v1/admin/pricing/tiers', token)).body.tiers.filter(
      (t: { id: number }) => t.id <= 6,
    );
    const edited = original.map((t: any) => ({
      id: t.id,
      tier_label: t.tier_label,
      price_cents: t.price_cents,
      sort_order: t.sort_order,
      is_active: t.is_active,
    }));
    edited[5] = { ...edited[5], tier_label: '6-Car (3×3) Driveway', price_cents: 17000 };
    const put = await call('PUT', '/api/v1/admin/pricing/tiers', token, { tiers: edited });
    expect(put.status).toBe(200);
    expect(put.body.tiers.find((t: { id: number }) => t.id === 6)).toMatchObject({
      tier_label: '6-Car (3×3) Driveway',
      price_cents: 17000,
      is_active: true,
    });
    const picker = await call('GET', '/api/v1/pricing/tiers', undefined);
    expect(picker.body.tiers.find((t: { id: number }) => t.id === 6)).toMatchObject({ price_cents: 17000 });

    const restore = original.map((t: any) => ({
      id: t.id,
      tier_label: t.tier_label,
      price_cents: t.price_cents,
      sort_order: t.sort_order,
      is_active: t.is_active,
    }));
    const back = await call('PUT', '/api/v1/admin/pricing/tiers', token, { tiers: restore });
    expect(back.body.tiers.find((t: { id: number }) => t.id === 6)).toMatchObject({
      tier_label: '6-Car Driveway',
      price_cents: 16500,
    });
    const audit = await rows(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'pricing.update'`);
    expect(audit[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it('refuses more than six tiers, duplicate orders, no active tier and unknown ids', async () => {
    const token = await admin();
    const tier = (i: number, extra: object = {}) => ({
      id: i,
      tier_label: `T${i}`,
      price_cents: 1000 * i,
      sort_order: i,
      ...extra,
    });
    const refused = [
      [1, 2, 3, 4, 5, 6, 7].map((i) => tier(i)),
      [tier(1), tier(2, { sort_order: 1 })],
      [tier(1, { is_active: false })],
      [tier(1, { price_cents: -5 })],
    ];
    for (const tiers of refused) {
      await expectRefusal(400, 'validation_failed', 'PUT', '/api/v1/admin/pricing/tiers', token, { tiers });
    }
    await expectRefusal(422, 'unknown_tier', 'PUT', '/api/v1/admin/pricing/tiers', token, {
      tiers: [{ id: 999_999, tier_label: 'Ghost', price_cents: 100, sort_order: 1 }],
    });
    const picker = await call('GET', '/api/v1/pricing/tiers', undefined);
    expect(picker.body.tiers.slice(0, 6).map((t: { price_cents: number }) => t.price_cents)).toEqual([
      6500, 8500, 10500, 12500, 14500, 16500,
    ]);
  });
});

describe('GET/PATCH /api/v1/admin/settings', () => {
  it('reads and changes business name, time zone and tax rate, audited; then restores', async () => {
    const token = await admin();
    const before = (await call('GET', '/api/v1/admin/settings', token)).body.settings;
    expect(before).toMatchObject({
      business_name: 'Granite State Plowing',
      timezone: 'America/New_York',
      accepting_jobs: true,
      auto_dispatch: false,
    });
    const patched = await call('PATCH', '/api/v1/admin/settings', token, {
      business_name: 'Granite State Plowing LLC',
      timezone: 'America/Chicago',
      tax_rate_bps: 0,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.settings).toMatchObject({
      business_name: 'Granite State Plowing LLC',
      timezone: 'America/Chicago',
    });
    const audit = await rows(
      sql`SELECT before->>'timezone' AS before_tz, after->>'timezone' AS after_tz FROM audit_log WHERE action = 'settings.update' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(audit[0]).toEqual({ before_tz: 'America/New_York', after_tz: 'America/Chicago' });
    const restored = await call('PATCH', '/api/v1/admin/settings', token, {
      business_name: before.business_name,
      timezone: before.timezone,
    });
    expect(restored.body.settings).toMatchObject({
      business_name: 'Granite State Plowing',
      timezone: 'America/New_York',
    });
  });

  it('refuses an unknown time zone, a tax rate over 100 % and wrong types', async () => {
    const token = await admin();
    const refused = [
      { timezone: 'Mars/Olympus_Mons' },
      { tax_rate_bps: 10_001 },
      { accepting_jobs: 'no' },
      { quiet_hours_start: 24 },
    ];
    for (const json of refused) {
      await expectRefusal(400, 'validation_failed', 'PATCH', '/api/v1/admin/settings', token, json);
    }
  });

  it('is for admins only', async () => {
    const customer = await newCustomer();
    await expectRefusal(403, 'forbidden', 'PATCH', '/api/v1/admin/settings', customer.token, { accepting_jobs: false });
    const after = (await call('GET', '/api/v1/admin/settings', await admin())).body.settings;
    expect(after.accepting_jobs).toBe(true);
  });
});
