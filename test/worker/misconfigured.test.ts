import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { app } from '../../worker/index';
import { BASE, expectError } from './helpers';

/** The real app with a changed env: same routes and middleware, a different configuration. */
async function fetchWith(overrides: Record<string, unknown>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe('a misconfigured Worker', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers every request 503 misconfigured when a required secret is missing, and logs which one', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(String(line)));
    const res = await fetchWith({ FILES_SIGNING_SECRET: '' }, '/api/v1/pricing/tiers');
    const body = await expectError(res, 503, 'misconfigured');
    expect(body.error.message).not.toContain('FILES_SIGNING_SECRET'); // the reason is for the operator's log
    expect(logged.join('\n')).toMatch(
      /configuration invalid.*FILES_SIGNING_SECRET is not set: run `npx wrangler secret put FILES_SIGNING_SECRET`/,
    );
    await expectError(await fetchWith({ FILES_SIGNING_SECRET: '' }, '/readyz'), 503, 'misconfigured');
  });

  it('answers 503, not a 500 later, when a var is malformed', async () => {
    // RATE_LIMIT_AUTH is first read deep in the sign-in path; before the start-up check it was a 500 there.
    const res = await fetchWith({ RATE_LIMIT_AUTH: 'abc' }, '/api/v1/auth/request-password-reset', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nobody@example.test' }),
    });
    await expectError(res, 503, 'misconfigured');
    await expectError(
      await fetchWith({ ADMIN_IP_ALLOWLIST: 'the office' }, '/api/v1/pricing/tiers'),
      503,
      'misconfigured',
    );
    await expectError(await fetchWith({ APP_ORIGINS: 'app.plow.test' }, '/healthz'), 503, 'misconfigured');
  });

  it('answers 503 when a binding is missing', async () => {
    await expectError(await fetchWith({ AUTO_DISPATCH: undefined }, '/api/v1/pricing/tiers'), 503, 'misconfigured');
    await expectError(await fetchWith({ NOTIFICATIONS: undefined }, '/api/v1/pricing/tiers'), 503, 'misconfigured');
  });

  it('serves normally with the same env put right', async () => {
    const res = await fetchWith({}, '/api/v1/pricing/tiers');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { tiers: unknown[] }).tiers.length).toBeGreaterThan(0);
  });
});
