import { describe, expect, it } from 'vitest';
import { api, expectError } from './helpers';
import { apiWith, registerCustomer, uniqueEmail } from './auth-helpers';

/** Requests carry a client IP only where a test sets one (see worker/lib/client.ts). */
const from = (ip: string) => ({ headers: { 'cf-connecting-ip': ip } });

/**
 * The local rate-limiting binding counts in fixed 60 s windows aligned to the wall clock
 * (miniflare's RateLimiterObject: `epoch = floor(now / 60 s)`), so a count that straddles
 * a minute boundary starts over half-way. Counting tests first wait for a fresh window when
 * less than `needMs` of this one is left.
 */
async function inFreshWindow(needMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 250));
}

describe('general rate limits (Workers rate-limiting bindings)', () => {
  it('answers the 61st anonymous request in a minute from one IP with 429 and Retry-After', {
    timeout: 45_000,
  }, async () => {
    const ip = '198.51.100.61';
    await inFreshWindow(15_000);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await api('/healthz', from(ip))).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const limited = await api('/healthz', from(ip));
    const body = await expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(body.error.message).toMatch(/try again in 60 seconds/);
    // Another IP, and the same IP with a made-up bearer on a public route, are counted apart / the same.
    expect((await api('/healthz', from('198.51.100.62'))).status).toBe(200);
    expect(
      (await api('/healthz', { headers: { 'cf-connecting-ip': ip, authorization: 'Bearer made-up' } })).status,
    ).toBe(429);
  });

  it("answers a signed-in user's 301st request in a minute with 429, wherever it comes from", {
    timeout: 60_000,
  }, async () => {
    const customer = await registerCustomer({ verify: false });
    await inFreshWindow(25_000);
    // GET /ws without an upgrade is authenticated and counted, then refused with 426 before
    // any database work: 300 quick requests without exhausting the embedded test database's
    // connection slots.
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const res = await api('/ws', {
        token: customer.access_token,
        headers: { 'cf-connecting-ip': `203.0.113.${i % 250}` },
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 426: 300 });
    const limited = await api('/api/v1/auth/me', { token: customer.access_token });
    await expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('60');
    // Other users are not affected.
    const other = await registerCustomer({ verify: false });
    expect((await api('/api/v1/auth/me', { token: other.access_token })).status).toBe(200);
  });
});

describe('strict limits on sensitive auth endpoints (RateCounter, per IP + account)', () => {
  it('locks sign-in for an account from an IP after 5 failures in 15 minutes, even with the right password', async () => {
    const customer = await registerCustomer({ verify: false });
    const ip = '198.51.100.71';
    const attempt = (password: string, where = ip) =>
      api('/api/v1/auth/login', { method: 'POST', json: { email: customer.email, password }, ...from(where) });
    for (let i = 0; i < 5; i++) await expectError(await attempt('wrong password guess'), 401, 'invalid_credentials');
    const locked = await attempt(customer.password);
    await expectError(locked, 429, 'rate_limited');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // The account from elsewhere, and another account from this IP, still work.
    expect((await attempt(customer.password, '198.51.100.72')).status).toBe(200);
    const other = await registerCustomer({ verify: false });
    expect(
      (
        await api('/api/v1/auth/login', {
          method: 'POST',
          json: { email: other.email, password: other.password },
          ...from(ip),
        })
      ).status,
    ).toBe(200);
  });

  it('does not count successful sign-ins', async () => {
    const customer = await registerCustomer({ verify: false });
    for (let i = 0; i < 6; i++) {
      expect(
        (
          await api('/api/v1/auth/login', {
            method: 'POST',
            json: { email: customer.email, password: customer.password },
            ...from('198.51.100.73'),
          })
        ).status,
      ).toBe(200);
    }
  });

  it('allows 5 magic-link requests per email and IP in 15 minutes, then 429', async () => {
    const email = uniqueEmail('spam');
    const ask = () =>
      api('/api/v1/auth/request-magic-link', { method: 'POST', json: { email }, ...from('198.51.100.74') });
    for (let i = 0; i < 5; i++) expect((await ask()).status).toBe(202);
    await expectError(await ask(), 429, 'rate_limited');
  });

  it('takes its budget from RATE_LIMIT_AUTH', async () => {
    const email = uniqueEmail('tight');
    const ask = () =>
      apiWith({ RATE_LIMIT_AUTH: '2/60' }, '/api/v1/auth/request-password-reset', {
        method: 'POST',
        json: { email },
        ...from('198.51.100.75'),
      });
    expect((await ask()).status).toBe(202);
    expect((await ask()).status).toBe(202);
    const limited = await ask();
    await expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('limits guesses at one-time tokens per IP', async () => {
    const guess = () =>
      api('/api/v1/auth/magic-link', {
        method: 'POST',
        json: { token: crypto.randomUUID().replaceAll('-', '') },
        ...from('198.51.100.76'),
      });
    for (let i = 0; i < 5; i++) await expectError(await guess(), 400, 'token_invalid');
    await expectError(await guess(), 429, 'rate_limited');
  });
});
