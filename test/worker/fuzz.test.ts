import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ACCESS } from '../../worker/access';
import { rng, runSeed, type Rng } from '../support/prng';
import { newAdmin, newCustomer, newDriver, rows } from './fixtures';
import { api, call } from './helpers';

/**
 * Malformed input to every route that takes a body (and junk queries to every list):
 * whatever arrives, the answer is never a 5xx and refusals use the SPEC error shape.
 *
 * Generated values avoid booleans and plausible numbers, so no generated body can flip an
 * operator switch (accepting_jobs, auto_dispatch) or move the service area while other
 * test files run; the calls are made as throw-away accounts; ids in paths are random.
 * What a junk body could still change (the business name) is put back afterwards.
 */

const FIELDS = [
  'email',
  'password',
  'full_name',
  'phone',
  'totp_code',
  'refresh_token',
  'location_id',
  'driveway_tier_id',
  'special_instructions',
  'scheduled_for',
  'client_event_id',
  'customer_id',
  'driver_id',
  'expected_version',
  'reason',
  'status',
  'notes',
  'lat',
  'lng',
  'recorded_at',
  'completion_photo_url',
  'method',
  'amount_cents',
  'new_price_cents',
  'final_price_cents',
  'home_base_address',
  'radius_miles',
  'tiers',
  'business_name',
  'timezone',
  'tax_rate_bps',
  'quiet_hours_start',
  'preferred_contact',
  'billing_address',
  'label',
  'address_line1',
  'city',
  'state_province',
  'postal_code',
  'country',
  'vehicle_year',
  'service_radius_km',
  'paypal_link',
  'venmo_link',
  'qr_image_url',
  'token',
  'code',
  'role',
];

const NUMBERS = [-1, 0.5, -0.5, 1e15, -1e15, 1e308, 2 ** 31, 99_999_999_999];
const STRINGS = [
  '',
  ' ',
  'x'.repeat(5000),
  '\u0000',
  'a\u0000b',
  '☃️💥',
  '\ud800',
  '<script>alert(1)</script>',
  "'; DROP TABLE jobs; --",
  '../../etc/passwd',
  '2026-13-45T99:99:99Z',
  'NaN',
  'null',
  '-1',
  '%00',
  '{"nested":"json"}',
  '0x41',
];
const SHAPES: unknown[] = [
  null,
  {},
  [],
  [null],
  [[[]]],
  { a: { b: { c: [1, { d: null }] } } },
  { __proto__: { polluted: true } },
  [{ id: -1 }],
];

function junkValue(r: Rng): unknown {
  const kind = r.int(0, 2);
  return kind === 0 ? r.pick(NUMBERS) : kind === 1 ? r.pick(STRINGS) : r.pick(SHAPES);
}

function deep(levels: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { n: v };
  return v;
}

/** One malformed request body: raw text plus the content type it is sent with. */
function junkBodies(r: Rng): { body: string; type: string; what: string }[] {
  const json = 'application/json';
  const keyed = () => Object.fromEntries(Array.from({ length: r.int(1, 8) }, () => [r.pick(FIELDS), junkValue(r)]));
  return [
    { body: '', type: json, what: 'empty' },
    { body: '{', type: json, what: 'truncated' },
    { body: '{"a":1}{"b":2}', type: json, what: 'two documents' },
    { body: "{'single': 'quotes'}", type: json, what: 'not JSON' },
    { body: String.fromCharCode(...Array.from({ length: 64 }, () => r.int(0, 255))), type: json, what: 'random bytes' },
    { body: JSON.stringify({ email: 'a@b.c' }), type: 'text/plain', what: 'wrong content type' },
    { body: 'a=1&b=2', type: 'application/x-www-form-urlencoded', what: 'form' },
    { body: JSON.stringify(r.pick([null, 42, 'string', true, [], [{}]])), type: json, what: 'top-level non-object' },
    { body: JSON.stringify(keyed()), type: json, what: 'wrong types' },
    { body: JSON.stringify(keyed()), type: json, what: 'wrong types' },
    { body: JSON.stringify(keyed()), type: json, what: 'wrong types' },
    {
      body: JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, junkValue(r)]))),
      type: json,
      what: 'every field wrong',
    },
    { body: JSON.stringify({ [r.pick(FIELDS)]: 'y'.repeat(70_000) }), type: json, what: 'huge string' },
    { body: JSON.stringify(deep(400, junkValue(r))), type: json, what: 'deep nesting' },
    { body: '['.repeat(3000) + ']'.repeat(3000), type: json, what: 'deep arrays' },
    {
      body: JSON.stringify(Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]))),
      type: json,
      what: 'many keys',
    },
  ];
}

const ID_PARAM = /:id(\{[^}]*\})?/;
const JUNK_IDS = ['not-a-uuid', '%00', 'x'.repeat(300), '00000000-0000-0000-0000-00000000000g'];

/**
 * A fresh account of a role the route admits, per route: each gets its own per-user rate
 * budget (300 a minute), so the fuzz reaches the handlers instead of the limiter.
 */
async function tokenFor(access: (typeof ACCESS)[string]): Promise<string | undefined> {
  if (access === 'public') return undefined;
  if (access.includes('admin')) return (await newAdmin()).token;
  if (access.includes('driver')) return (await newDriver({ status: 'offline' })).token;
  return (await newCustomer()).token;
}

let limited = 0;
function expectSafe(status: number, text: string, label: string) {
  expect(status, label).toBeLessThan(500);
  if (status === 429) limited++;
  if (status >= 400) {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof body.error?.code, `${label}: ${text.slice(0, 200)}`).toBe('string');
    expect(typeof body.error?.message, label).toBe('string');
  }
}

describe('malformed input to every route', () => {
  let settingsBefore: Record<string, unknown>;
  let areaBefore: unknown;
  let tiersBefore: unknown;

  beforeAll(async () => {
    settingsBefore = (
      await rows(
        sql`SELECT business_name, timezone, accepting_jobs, auto_dispatch, tax_rate_bps FROM operator_settings`,
      )
    )[0]!;
    areaBefore = await rows(
      sql`SELECT home_base_address, center_lat, center_lng, radius_miles FROM service_area_config WHERE is_active`,
    );
    tiersBefore = await rows(
      sql`SELECT id, tier_label, price_cents, sort_order, is_active FROM pricing_config ORDER BY id`,
    );
  });

  afterAll(async () => {
    await rows(
      sql`UPDATE operator_settings SET business_name = ${settingsBefore.business_name as string}, timezone = ${settingsBefore.timezone as string}`,
    );
  });

  it('never answers a generated body with a 5xx, on any route that takes one', async () => {
    const seed = runSeed();
    const r = rng(seed);
    const routes = Object.entries(ACCESS).filter(([key]) => /^(POST|PUT|PATCH|DELETE) /.test(key));
    expect(routes.length).toBeGreaterThan(30);
    let sent = 0;
    for (const [key, access] of routes) {
      const [method, pattern] = key.split(' ') as [string, string];
      const token = await tokenFor(access);
      for (const { body, type, what } of junkBodies(r)) {
        const path = pattern.replace(ID_PARAM, crypto.randomUUID());
        const res = await api(path, { method, token, body: body || undefined, headers: { 'content-type': type } });
        expectSafe(res.status, await res.text(), `seed ${seed}: ${key} with ${what}`);
        sent++;
      }
      // A route that accepts `{}` has only optional fields: each one alone must be refused
      // or stored safely, so every field gets a junk value of its own. Others get a sample.
      const probe = await api(pattern.replace(ID_PARAM, crypto.randomUUID()), { method, token, json: {} });
      const probeText = await probe.text();
      expectSafe(probe.status, probeText, `seed ${seed}: ${key} with {}`);
      const allOptional = !(probe.status === 400 && probeText.includes('validation_failed'));
      const fields = allOptional ? FIELDS : Array.from({ length: 10 }, () => r.pick(FIELDS));
      for (const field of fields) {
        const value = r.bool(0.3) ? r.pick(['\u0000', 'a\u0000b', '\ud800x']) : junkValue(r);
        const res = await api(pattern.replace(ID_PARAM, crypto.randomUUID()), {
          method,
          token,
          json: { [field]: value },
        });
        expectSafe(
          res.status,
          await res.text(),
          `seed ${seed}: ${key} with {${field}: ${JSON.stringify(value).slice(0, 40)}}`,
        );
        sent++;
      }
      if (ID_PARAM.test(pattern)) {
        for (const id of JUNK_IDS) {
          const res = await api(pattern.replace(ID_PARAM, id), { method, token, json: {} });
          expectSafe(res.status, await res.text(), `seed ${seed}: ${key} with id ${id.slice(0, 20)}`);
          sent++;
        }
      }
    }
    expect(sent).toBeGreaterThan(500);
    // The point is to reach the handlers: the rate limiter answering most of it proves nothing.
    expect(limited, 'requests answered 429').toBeLessThan(sent / 20);

    const [settingsAfter] = await rows(sql`SELECT accepting_jobs, auto_dispatch, tax_rate_bps FROM operator_settings`);
    expect(settingsAfter).toEqual({
      accepting_jobs: settingsBefore.accepting_jobs,
      auto_dispatch: settingsBefore.auto_dispatch,
      tax_rate_bps: settingsBefore.tax_rate_bps,
    });
    expect(
      await rows(
        sql`SELECT home_base_address, center_lat, center_lng, radius_miles FROM service_area_config WHERE is_active`,
      ),
    ).toEqual(areaBefore);
    expect(
      await rows(sql`SELECT id, tier_label, price_cents, sort_order, is_active FROM pricing_config ORDER BY id`),
    ).toEqual(tiersBefore);
  }, 240_000);

  it('never answers a junk query string with a 5xx, on any list', async () => {
    const seed = runSeed();
    const r = rng(seed + 1);
    const lists = Object.entries(ACCESS).filter(([key]) => key.startsWith('GET /api/') && !ID_PARAM.test(key));
    const params = [
      'limit',
      'cursor',
      'status',
      'from',
      'to',
      'q',
      'near',
      'radius_km',
      'customer_id',
      'driver_id',
      'day',
      'per_column',
      'token',
    ];
    const values = [
      '-1',
      '0',
      '1e999',
      'NaN',
      '%00',
      'a%00b',
      '__proto__',
      'x'.repeat(600),
      '2026-02-30',
      '43.2',
      ',',
      'pending,,',
      '%E2%98%83',
      '[]',
      '{}',
      '..%2F..%2F',
    ];
    for (const [key, access] of lists) {
      const path = key.split(' ')[1]!;
      const token = await tokenFor(access);
      for (let i = 0; i < 8; i++) {
        const query = Array.from({ length: r.int(1, 4) }, () => `${r.pick(params)}=${r.pick(values)}`).join('&');
        const res = await api(`${path}?${query}`, { token });
        expectSafe(res.status, await res.text(), `seed ${seed}: ${key}?${query.slice(0, 120)}`);
      }
    }
    const echo = await call('GET', '/api/v1/pricing/tiers?limit=%00', undefined);
    expect(echo.status).toBe(200);
  }, 240_000);
});
