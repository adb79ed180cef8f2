import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BINDINGS, checkConfig, KNOWN_VARS, OPTIONAL_BINDINGS } from './config';

/**
 * The real bindings wrangler.toml declares (this file runs inside workerd), with a
 * production configuration of secrets and no optional provider.
 */
const REAL = env as unknown as Record<string, unknown>;
const bindings = Object.fromEntries(Object.keys(BINDINGS).map((name) => [name, REAL[name]]));
const GOOD: Record<string, unknown> = {
  ...bindings,
  APP_ENV: 'production',
  DATABASE_URL: 'postgresql://u:p@ep-cool-fog-123.us-east-2.aws.neon.tech/neondb?sslmode=require',
  JWT_SECRET: 'x'.repeat(32),
  FILES_SIGNING_SECRET: 'f'.repeat(32),
};

function problemsOf(overrides: Record<string, unknown>): string {
  const result = checkConfig({ ...GOOD, ...overrides });
  if (result.ok) throw new Error(`expected a problem with ${JSON.stringify(overrides)}`);
  return result.problems.join('\n');
}

describe('checkConfig: a good configuration', () => {
  it('accepts the configuration the Worker tests run with', () => {
    expect(checkConfig(REAL)).toMatchObject({ ok: true });
  });

  it('accepts a bare production configuration and warns once per missing optional provider', () => {
    const result = checkConfig(GOOD);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toHaveLength(5);
    expect(result.warnings.find((w) => w.startsWith('RESEND_API_KEY'))).toMatch(/outbox/);
    expect(
      result.warnings.find((w) => w.startsWith('TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER')),
    ).toMatch(/SMS go to the built-in outbox/);
    expect(result.warnings.find((w) => w.startsWith('GOOGLE_MAPS_API_KEY'))).toMatch(/Nominatim/);
    expect(result.warnings.find((w) => w.startsWith('VAPID_PUBLIC_KEY'))).toMatch(/no Web Push/);
    expect(result.warnings.find((w) => w.startsWith('APP_ORIGINS'))).toBeDefined();
  });

  it('names only the missing part of a half-configured provider', () => {
    const result = checkConfig({ ...GOOD, TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'token' });
    expect(result.ok && result.warnings.filter((w) => w.includes('TWILIO'))).toEqual([
      'TWILIO_FROM_NUMBER not set: SMS go to the built-in outbox',
    ]);
  });

  it('takes every allow-list form ipAllowed matches', () => {
    expect(
      checkConfig({
        ...GOOD,
        ADMIN_IP_ALLOWLIST: '203.0.113.0/24, 198.51.100.4, 2001:db8::7, ::ffff:192.0.2.1, 0.0.0.0/0',
      }),
    ).toMatchObject({ ok: true });
  });
});

describe('checkConfig: a missing required secret', () => {
  it.each(['DATABASE_URL', 'JWT_SECRET', 'FILES_SIGNING_SECRET'])(
    'names %s and how to set it, whether absent or blank',
    (name) => {
      const { [name]: _, ...rest } = GOOD;
      const absent = checkConfig(rest);
      expect(absent.ok).toBe(false);
      if (!absent.ok)
        expect(absent.problems).toEqual([
          expect.stringMatching(new RegExp(`^${name} is not set: run \`npx wrangler secret put ${name}\``)),
        ]);
      expect(problemsOf({ [name]: '  ' })).toMatch(new RegExp(`^${name} is not set`));
    },
  );

  it('names APP_ENV when it is missing or unknown', () => {
    const { APP_ENV: _, ...rest } = GOOD;
    const result = checkConfig(rest);
    expect(!result.ok && result.problems.join('\n')).toMatch(
      /APP_ENV must be development, test, staging or production/,
    );
    expect(problemsOf({ APP_ENV: 'prod' })).toMatch(/APP_ENV must be/);
  });
});

describe('checkConfig: a missing binding', () => {
  it.each(Object.entries(BINDINGS))('names %s (%s) and the wrangler.toml section', (name) => {
    const { [name]: _, ...rest } = GOOD;
    const result = checkConfig(rest);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems).toEqual([
        expect.stringMatching(new RegExp(`^binding ${name} \\(.+\\) is missing: declare it under \\S+`)),
      ]);
  });

  it('names a binding of the wrong kind', () => {
    expect(problemsOf({ FILES: REAL.NOTIFICATIONS })).toMatch(
      /binding FILES is not an R2 bucket: check \[\[r2_buckets\]\]/,
    );
    expect(problemsOf({ RL_ANON: 'true' })).toMatch(/binding RL_ANON is not a rate-limit binding/);
  });
});

describe('checkConfig: a malformed value', () => {
  it.each([
    ['RATE_LIMIT_AUTH', 'abc', /RATE_LIMIT_AUTH: must look like 5\/900/],
    ['RATE_LIMIT_AUTH', '0/900', /RATE_LIMIT_AUTH: must look like 5\/900 \(count\/seconds, both above zero\)/],
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL must be info, warn or error/],
    ['APP_ORIGINS', 'https://app.plow.example,not a url', /APP_ORIGINS entries must be origins/],
    ['APP_ORIGINS', 'https://app.plow.example/', /APP_ORIGINS entries must be origins .*no path or trailing slash/],
    [
      'ADMIN_IP_ALLOWLIST',
      '203.0.113.0/33',
      /ADMIN_IP_ALLOWLIST entry "203.0.113.0\/33" has a prefix length outside 0–32/,
    ],
    ['ADMIN_IP_ALLOWLIST', '203.0.113.0/24, the office', /ADMIN_IP_ALLOWLIST entry "the office" is not an IP address/],
    ['ADMIN_IP_ALLOWLIST', '2001:db8::/32', /IPv6 ranges are not supported/],
    ['ADMIN_IP_ALLOWLIST', '300.1.2.3', /"300.1.2.3" is not an IP address/],
    ['DATABASE_URL', 'mysql://u:p@db/x', /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ connection string/],
    ['JWT_SECRET', 'short', /JWT_SECRET must be at least 32 characters/],
    ['FILES_SIGNING_SECRET', 'short', /FILES_SIGNING_SECRET must be at least 32 characters/],
    ['NOTIFY_RETRY_BASE_SECONDS', 'soon', /NOTIFY_RETRY_BASE_SECONDS must be a whole number/],
    ['HIBP_ENABLED', 'yes', /HIBP_ENABLED must be "true" or "false"/],
    ['HIBP_API_URL', 'pwnedpasswords', /HIBP_API_URL/],
    ['NOMINATIM_URL', 'nominatim.example', /NOMINATIM_URL must be an http\(s\) URL/],
    ['TWILIO_FROM_NUMBER', '603-555-0199', /TWILIO_FROM_NUMBER must be in E.164 form/],
    ['TWILIO_ACCOUNT_SID', 'my-account', /TWILIO_ACCOUNT_SID must look like AC/],
    ['VAPID_SUBJECT', 'ops@plow.example', /VAPID_SUBJECT must be a mailto: or https: contact URL/],
    ['EMAIL_FROM', 'PlowDispatch', /EMAIL_FROM must be an address/],
    ['JWT_KID', 'key one', /JWT_KID must be 1–40 letters/],
  ])('%s=%j is a clear problem', (name, value, message) => {
    expect(problemsOf({ [name]: value })).toMatch(message);
  });

  it('refuses a key rotation whose old key id equals the current one', () => {
    expect(problemsOf({ JWT_SECRET_PREVIOUS: 'o'.repeat(32), JWT_KID: 'k2', JWT_KID_PREVIOUS: 'k2' })).toMatch(
      /JWT_KID_PREVIOUS must differ from JWT_KID/,
    );
    expect(
      checkConfig({ ...GOOD, JWT_SECRET_PREVIOUS: 'o'.repeat(32), JWT_KID: 'k2', JWT_KID_PREVIOUS: 'k1' }),
    ).toMatchObject({ ok: true });
  });

  it('reports every problem at once, not only the first', () => {
    const { JWT_SECRET: _, ...rest } = GOOD;
    const result = checkConfig({ ...rest, RATE_LIMIT_AUTH: 'abc', ADMIN_IP_ALLOWLIST: 'office', FILES: undefined });
    expect(!result.ok && result.problems.map((p) => p.split(/[ :]/)[0]).sort()).toEqual([
      'ADMIN_IP_ALLOWLIST',
      'JWT_SECRET',
      'RATE_LIMIT_AUTH',
      'binding',
    ]);
  });

  it('refuses the local database bridge in production, and only there', () => {
    expect(problemsOf({ DB_WS_PROXY: '127.0.0.1:54330/v1' })).toMatch(/DB_WS_PROXY is a local-development setting/);
    expect(checkConfig({ ...GOOD, APP_ENV: 'development', DB_WS_PROXY: '127.0.0.1:54330/v1' })).toMatchObject({
      ok: true,
    });
  });
});

describe('the lists stay in step with wrangler.toml', () => {
  // Test-only bindings (vitest.config.ts miniflare.bindings: the stand-ins, the database fault gate; the pool's own) that the Worker never reads.
  const testOnly = (k: string) =>
    k === 'STAND_IN_URL' || k.startsWith('DB_GATE_') || k.startsWith('__VITEST_POOL_WORKERS');

  it('lists every binding the configured Worker has', () => {
    const objects = Object.keys(REAL).filter((k) => typeof REAL[k] === 'object' && REAL[k] !== null && !testOnly(k));
    expect(objects.length).toBeGreaterThan(5);
    expect(objects.filter((k) => !(k in BINDINGS) && !(OPTIONAL_BINDINGS as readonly string[]).includes(k))).toEqual(
      [],
    );
  });

  it('validates every var and secret the configured Worker has', () => {
    const strings = Object.keys(REAL).filter((k) => typeof REAL[k] === 'string' && !testOnly(k));
    expect(strings.length).toBeGreaterThan(10);
    expect(strings.filter((k) => !KNOWN_VARS.includes(k))).toEqual([]);
  });
});
