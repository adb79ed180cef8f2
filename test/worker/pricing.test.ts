import { describe, expect, it } from 'vitest';
import { admin, newCustomer, newDriver } from './fixtures';
import { api, call, expectError, expectRefusal } from './helpers';

/** The seeded home base (Concord, NH) and its radius. */
const BASE = { lat: 43.2073, lng: -71.5376 };
const RADIUS_MILES = 10;
/** Manchester, NH: about 15 miles south of the base. */
const MANCHESTER = { lat: 42.9956, lng: -71.4548 };
const ESTIMATE_KEYS = ['distance_miles', 'in_service_area', 'quoted_price_cents'];

/** Great-circle miles, an independent check on PostGIS's spheroid distance. */
function milesBetween(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * 3958.8 * Math.asin(Math.sqrt(h));
}

const estimate = (token: string | undefined, json: unknown) => call('POST', '/api/v1/pricing/estimate', token, json);
/** The raw answer, for the refusals. */
const estimateResponse = (token: string | undefined, json: unknown) =>
  api('/api/v1/pricing/estimate', { method: 'POST', token, json });

describe('POST /api/v1/pricing/estimate', () => {
  it('quotes a saved location inside the area with exactly price, in-area flag and distance', async () => {
    const point = { lat: 43.2105, lng: -71.5302 };
    const me = await newCustomer({ location: point });
    const res = await estimate(me.token, { driveway_tier_id: 2, location_id: me.location_id });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(ESTIMATE_KEYS);
    expect(res.body).toMatchObject({ quoted_price_cents: 8500, in_service_area: true });
    // Within a mile: another test may move the base by about half a mile for a moment.
    expect(Math.abs(res.body.distance_miles - milesBetween(BASE, point))).toBeLessThan(1);
    expect(res.body.distance_miles).toBeLessThan(RADIUS_MILES);
  });

  it('quotes a map pin with the same three keys, and the pin and its saved location agree', async () => {
    const point = { lat: 43.2301, lng: -71.5633 };
    const me = await newCustomer({ location: point });
    const pin = await estimate(me.token, { driveway_tier_id: 3, ...point });
    expect(pin.status).toBe(200);
    expect(Object.keys(pin.body).sort()).toEqual(ESTIMATE_KEYS);
    expect(pin.body).toMatchObject({ quoted_price_cents: 10500, in_service_area: true });
    const saved = await estimate(me.token, { driveway_tier_id: 3, location_id: me.location_id });
    expect(saved.body).toEqual(pin.body);
  });

  it('answers 200 with in_service_area false and the distance outside the area (decision 0056), for both forms', async () => {
    const me = await newCustomer({ location: MANCHESTER });
    const expected = milesBetween(BASE, MANCHESTER);
    expect(expected).toBeGreaterThan(14);
    for (const body of [
      { driveway_tier_id: 1, location_id: me.location_id },
      { driveway_tier_id: 1, ...MANCHESTER },
    ]) {
      const res = await estimate(me.token, body);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(ESTIMATE_KEYS);
      expect(res.body).toMatchObject({ quoted_price_cents: 6500, in_service_area: false });
      expect(Math.abs(res.body.distance_miles - expected)).toBeLessThan(1);
    }
    // The refusal belongs to requesting the job.
    await expectRefusal(422, 'outside_service_area', 'POST', '/api/v1/jobs', me.token, {
      location_id: me.location_id,
      driveway_tier_id: 1,
    });
  });

  it("answers 404 for another customer's location; an admin may quote any customer's", async () => {
    const me = await newCustomer();
    const them = await newCustomer();
    for (const location_id of [them.location_id, crypto.randomUUID()]) {
      await expectError(await estimateResponse(me.token, { driveway_tier_id: 1, location_id }), 404, 'not_found');
    }
    const forAdmin = await estimate(await admin(), { driveway_tier_id: 1, location_id: them.location_id });
    expect(forAdmin.status).toBe(200);
    expect(forAdmin.body).toMatchObject({ quoted_price_cents: 6500, in_service_area: true });
  });

  it('refuses a tier that is not offered with 422 unknown_tier', async () => {
    const me = await newCustomer();
    const body = await expectError(
      await estimateResponse(me.token, { driveway_tier_id: 999_999, location_id: me.location_id }),
      422,
      'unknown_tier',
    );
    expect(body.error.message).toContain('/api/v1/pricing/tiers');
    await expectError(await estimateResponse(me.token, { driveway_tier_id: 999_999, ...BASE }), 422, 'unknown_tier');
  });

  it('is for customers and admins: a driver gets 403, nobody signed in 401', async () => {
    const driver = await newDriver({ status: 'offline' });
    await expectError(await estimateResponse(driver.token, { driveway_tier_id: 1, ...BASE }), 403, 'forbidden');
    await expectError(await estimateResponse(undefined, { driveway_tier_id: 1, ...BASE }), 401);
  });

  it('refuses a bad body with 400 in the SPEC error shape, with per-field details', async () => {
    const me = await newCustomer();
    const bad: unknown[] = [
      {},
      { location_id: me.location_id },
      { driveway_tier_id: 1 },
      { driveway_tier_id: 1, lat: 43.2 },
      { driveway_tier_id: 1, lat: 91, lng: -71.5 },
      { driveway_tier_id: 1, lat: 43.2, lng: -181 },
      { driveway_tier_id: 'two', lat: 43.2, lng: -71.5 },
      { driveway_tier_id: 1e15, lat: 43.2, lng: -71.5 },
      { driveway_tier_id: 1, location_id: 'not-a-uuid' },
      [1, 2],
    ];
    for (const json of bad) {
      const body = await expectError(await estimateResponse(me.token, json), 400, 'validation_failed');
      expect(Array.isArray(body.error.details)).toBe(true);
      expect((body.error.details as unknown[]).length).toBeGreaterThan(0);
    }
    const unreadable = [
      { body: '{"driveway_tier_id":', type: 'application/json', status: 400, code: 'malformed_json' },
      {
        body: 'driveway_tier_id=1',
        type: 'application/x-www-form-urlencoded',
        status: 415,
        code: 'unsupported_media_type',
      },
    ];
    for (const { body, type, status, code } of unreadable) {
      await expectError(
        await api('/api/v1/pricing/estimate', {
          method: 'POST',
          token: me.token,
          body,
          headers: { 'content-type': type },
        }),
        status,
        code,
      );
    }
  });
});
