import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../scripts/lib/seed';
import { Api, type Tokens } from './support/api';
import { browserWindows, WAIT } from './support/windows';

/**
 * The customer's live page when things go wrong: no WebSocket (polling takes over), an
 * expired access token (refreshed once, rotation respected), a refused session (back to
 * sign-in). Uses a job of its own, driven through the API.
 */

const base = inject('appUrl');
const api = new Api(base);
const SESSION_KEY = 'plowdispatch.session.customer';

describe('the customer live page under trouble', () => {
  const windows = browserWindows(base);
  let jobId = '';
  let driverToken = '';

  async function open(name: string, routeWs = false): Promise<Page> {
    const context = await windows.context();
    // Every /ws upgrade refused for this person; plain HTTP still works.
    if (routeWs) await context.routeWebSocket(/\/ws\b/, (ws) => ws.close({ code: 1011, reason: 'blocked by test' }));
    return windows.open(name, context);
  }
  async function signIn(page: Page): Promise<void> {
    await page.getByLabel('Email').fill('customer2@demo.test');
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  beforeAll(async () => {
    // customer2 asks, driver2 takes it and is on the way 1 km out (as a phone would tell it).
    const customer = (
      await api.json<Tokens>('POST', '/auth/login', undefined, {
        email: 'customer2@demo.test',
        password: DEMO_PASSWORD,
      })
    ).body;
    const driver = (
      await api.json<Tokens>('POST', '/auth/login', undefined, { email: 'driver2@demo.test', password: DEMO_PASSWORD })
    ).body;
    const { body: locs } = await api.json<{ locations: { id: string }[] }>(
      'GET',
      '/customers/me/locations',
      customer.access_token,
    );
    const { body: tiers } = await api.json<{ tiers: { id: number }[] }>('GET', '/pricing/tiers');
    const created = await api.json<{ job: { id: string } }>('POST', '/jobs', customer.access_token, {
      location_id: locs.locations[0]!.id,
      driveway_tier_id: tiers.tiers[1]!.id,
    });
    jobId = created.body.job.id;
    const { body: me } = await api.json<{ driver: { id: string } }>('GET', '/drivers/me', driver.access_token);
    // The driver takes the job by the dispatcher's hand: sign the admin in through the API.
    const admin = await api.login('admin@demo.test', true);
    expect(
      (await api.json('POST', `/jobs/${jobId}/assign`, admin.access_token, { driver_id: me.driver.id })).status,
    ).toBe(200);
    expect(
      (
        await api.json('PATCH', `/drivers/me/jobs/${jobId}/status`, driver.access_token, {
          status: 'en_route',
          client_event_id: `status-${jobId.slice(0, 8)}-1`,
        })
      ).status,
    ).toBe(200);
    driverToken = driver.access_token;
    await api.sendFix(driverToken, `gps-${jobId}`);
  }, 120_000);

  it('falls back to polling the plow’s position when the WebSocket cannot connect', async () => {
    windows.onFailure('polling');
    const page = await open('no-ws', true);
    await page.goto(`/customer/jobs/${jobId}`);
    await signIn(page);
    await page.getByText('Your plow is on the way.').waitFor(WAIT);
    await page.getByText('Live updates are interrupted; checking every few seconds.').waitFor(WAIT);
    await page.locator('[data-marker="plow"]').waitFor(WAIT);
    const meters = Number(await page.locator('.live__distance').getAttribute('data-meters'));
    expect(meters).toBeGreaterThan(500);
    expect(meters).toBeLessThan(1500);
  });

  it('refreshes an expiring access token and keeps the customer signed in', async () => {
    windows.onFailure('refresh');
    const page = await open('session');
    await page.goto(`/customer/jobs/${jobId}`);
    await signIn(page);
    await page.getByText('Your plow is on the way.').waitFor(WAIT);
    const before = await read(page);
    // Refresh tokens rotate: using the old one again would revoke the whole session, so
    // this also checks that nothing on the page reused the rotated token.
    await write(page, { ...before, expires_at: Date.now() - 1_000 });
    await page.reload();
    await page.getByText('Your plow is on the way.').waitFor(WAIT);
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor(WAIT);
    const after = await read(page);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.expires_at).toBeGreaterThan(Date.now() + 60_000);
  });

  it('sends the customer back to sign-in when the API refuses their session', async () => {
    windows.onFailure('refused');
    const page = windows.pages.session!;
    await write(page, { ...(await read(page)), access_token: 'not.a.token', expires_at: Date.now() + 600_000 });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
    expect(await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY)).toBeNull();
  });

  it('grades the plow’s position live, then delayed, then lost once the driver’s phone goes quiet', async () => {
    windows.onFailure('freshness');
    const page = await open('freshness');
    // The page's own clock, so five silent minutes pass in a moment.
    await page.clock.install();
    await page.goto(`/customer/jobs/${jobId}`);
    await signIn(page);
    await page.getByText('Your plow is on the way.').waitFor(WAIT);
    await api.sendFix(driverToken, `gps-${jobId}-fresh`);
    const freshness = page.locator('.live__freshness');
    await page.locator('.live__freshness[data-freshness="live"]').waitFor(WAIT);
    expect(await freshness.textContent()).toMatch(/^Live · position updated/);

    await page.clock.fastForward(60_000);
    await page.locator('.live__freshness[data-freshness="delayed"]').waitFor(WAIT);
    expect(await freshness.textContent()).toMatch(/^Last seen \d+ s ago\. The driver may be out of coverage/);
    expect(await page.getByText(/^Live · /).count()).toBe(0);

    await page.clock.fastForward(5 * 60_000);
    await page.locator('.live__freshness[data-freshness="lost"]').waitFor(WAIT);
    expect(await freshness.textContent()).toMatch(
      /^Lost contact \d+ min ago\. The map shows where the plow was last seen/,
    );
    // What we last knew stays on the map, marked as such.
    await page.locator('[data-marker="plow"]').waitFor(WAIT);
  });

  it('raised no uncaught errors', () => {
    expect(windows.errors).toEqual([]);
  });
});

interface Stored {
  access_token: string;
  refresh_token: string;
  expires_at: number;
}
async function read(page: Page): Promise<Stored> {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null') as Stored, SESSION_KEY);
}
async function write(page: Page, s: Stored): Promise<void> {
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [SESSION_KEY, JSON.stringify(s)] as const);
}
