import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { admin, newCustomer, newDriver } from './fixtures';
import { api, call, expectError, expectRefusal } from './helpers';
import { recorded, script } from './stand-in';

/** Something typed that no other test types, to find this test's requests at the stand-in. */
const typed = () => `12 Pleasant ${crypto.randomUUID().slice(0, 8)}`;
const suggest = (q: string) => `/api/v1/addresses/suggest?q=${encodeURIComponent(q)}`;

describe('GET /api/v1/addresses/suggest', () => {
  it('asks the operator’s own Nominatim near the service area and fills the fields from its answer', async () => {
    const { token } = await newCustomer();
    const q = typed();
    const res = await call('GET', suggest(q), token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      provider: 'nominatim',
      suggestions: [
        {
          description: q,
          address_line1: '12 Pleasant Street',
          city: 'Concord',
          state_province: 'New Hampshire',
          postal_code: '03301',
        },
      ],
    });
    const [sent] = await recorded('/geocode/nominatim', (r) => r.query.q === q);
    expect(sent?.query).toMatchObject({ addressdetails: '1', limit: '5', format: 'json' });
    // The viewbox holds the Concord base (43.2073, -71.5376) and spans about the 10-mile radius.
    const [west, north, east, south] = sent!.query.viewbox!.split(',').map(Number) as [number, number, number, number];
    expect(west).toBeLessThan(-71.5376);
    expect(east).toBeGreaterThan(-71.5376);
    expect(north - south).toBeCloseTo((2 * 10) / 69, 2);
  });

  it('asks Google’s Places Autocomplete with the key and a circle around the base when a key is set', async () => {
    const token = await admin();
    const q = typed();
    const google = { GOOGLE_MAPS_API_KEY: 'test-key', GOOGLE_PLACES_URL: `${env.STAND_IN_URL}/places/autocomplete` };
    const res = await api(suggest(q), { token, env: google });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      provider: 'google',
      suggestions: [
        {
          description: `${q}, Concord, NH, USA`,
          address_line1: q,
          city: 'Concord',
          state_province: 'NH',
          postal_code: null,
        },
      ],
    });
    const [sent] = await recorded('/places/autocomplete', (r) => r.body.includes(q));
    expect(sent?.method).toBe('POST');
    expect(sent?.headers['x-goog-api-key']).toBe('test-key');
    const body = JSON.parse(sent!.body);
    expect(body.input).toBe(q);
    expect(body.locationBias.circle.center.latitude).toBeCloseTo(43.2073, 3);
    expect(body.locationBias.circle.radius).toBeCloseTo(16_093, 0);
  });

  it('offers nothing, and asks nobody, where no geocoder offers suggestions', async () => {
    const { token } = await newCustomer();
    const q = typed();
    const res = await api(suggest(q), { token, env: { GOOGLE_MAPS_API_KEY: '', NOMINATIM_URL: '' } });
    expect(await res.json()).toEqual({ provider: null, suggestions: [] });
    expect(await recorded('/geocode/nominatim', (r) => r.query.q === q)).toHaveLength(0);
  });

  it('answers with no suggestions, not an error, when the provider fails', async () => {
    const { token } = await newCustomer();
    const q = typed();
    await script({ prefix: '/geocode/nominatim', match: q, responses: [{ status: 503, body: 'busy' }] });
    const res = await call('GET', suggest(q), token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ provider: 'nominatim', suggestions: [] });
  });

  it('refuses too little or too much text, drivers and strangers', async () => {
    const { token } = await newCustomer();
    const short = await expectRefusal(400, 'validation_failed', 'GET', suggest('12'), token);
    expect(short.error.details).toEqual([expect.objectContaining({ field: 'q' })]);
    await expectRefusal(400, 'validation_failed', 'GET', suggest('x'.repeat(201)), token);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/addresses/suggest', token);
    const driver = await newDriver();
    await expectError(await api(suggest(typed()), { token: driver.token }), 403);
    await expectError(await api(suggest(typed())), 401);
  });
});
