import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_ADMIN_TOTP_SECRET, DEMO_PASSWORD } from '../../scripts/lib/seed';
import { collectPageErrors, launchBrowser, screenshotAll } from './support/browser';
import { totpNow } from './support/totp';

/**
 * The thin slice, walked in real pages by three people in three browser contexts:
 * a customer requests a plow, a dispatcher assigns it, the driver accepts and drives,
 * and the customer watches the plow marker move. The steps share state and run in order.
 */

const WAIT = { timeout: 15_000 };
/** customer1's Home (seed) is 12 Pleasant St, Concord (43.2001, -71.5452); the plow starts
 * about 2 km north-east of it, then drives to about 350 m away. */
const FAR = { latitude: 43.2150, longitude: -71.5300, accuracy: 12 };
const NEAR = { latitude: 43.2030, longitude: -71.5430, accuracy: 8 };

describe('the thin slice in the browser: request → assign → accept → live map', () => {
  const base = inject('appUrl');
  let browser: Browser;
  const contexts: Record<string, BrowserContext> = {};
  const pages: Record<string, Page> = {};
  const pageErrors: Record<string, string[]> = {};
  let jobId = '';

  /** One person: their own browser context (storage, permissions), phone-sized unless told. */
  async function open(name: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 420, height: 900 }, ...options });
    contexts[name] = context;
    const page = await context.newPage();
    pageErrors[name] = collectPageErrors(page, name);
    pages[name] = page;
    return page;
  }

  async function signIn(page: Page, email: string, totp?: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    if (totp) await page.getByLabel('Authenticator code').fill(totp);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Distance from the plow to the driveway, as the customer's live page shows it (metres). */
  async function shownDistance(page: Page): Promise<number> {
    return Number(await page.locator('.live__distance').getAttribute('data-meters', WAIT));
  }

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const c of Object.values(contexts)) await c.close().catch(() => {});
    await browser?.close();
  });

  function screenshotOnFailure(name: string) {
    onTestFailed(async () => {
      await screenshotAll(pages, name);
      const all = Object.values(pageErrors).flat();
      if (all.length) console.error(all.join('\n'));
    });
  }

  it('shows a dispatcher who signs in with a TOTP code the live dispatch board', async () => {
    screenshotOnFailure('admin-signin');
    const admin = await open('admin', { viewport: { width: 1280, height: 900 } });
    await admin.goto('/admin');
    await signIn(admin, 'admin@demo.test', totpNow(DEMO_ADMIN_TOTP_SECRET));

    await admin.getByRole('heading', { name: /Pending requests/ }).waitFor(WAIT);
    await admin.locator('li[data-job-id]', { hasText: '45 Loudon Rd' }).waitFor(WAIT); // the seeded pending job
    await admin.getByRole('status').filter({ hasText: 'Live' }).waitFor(WAIT);
  });

  it('lets a customer request a plow at their Home location, which reaches the board at once', async () => {
    screenshotOnFailure('customer-request');
    const customer = await open('customer');
    await customer.goto('/customer');
    await signIn(customer, 'customer1@demo.test');
    await customer.getByRole('link', { name: 'Request a plow' }).first().click();

    await customer.getByRole('radio', { name: /Home/ }).check(WAIT);
    await customer.getByRole('radio', { name: /2-Car Driveway/ }).check();
    await customer.getByText('Price: $85').waitFor(WAIT);
    await customer.getByLabel('Notes for the driver (optional)').fill('Mind the mailbox');
    await customer.getByRole('button', { name: 'Request plow now' }).click();

    await customer.waitForURL(/\/customer\/jobs\/[0-9a-f-]{36}$/, WAIT);
    jobId = new URL(customer.url()).pathname.split('/').pop()!;
    await customer.getByText('Request received: finding you a driver.').waitFor(WAIT);
    await customer.getByText('12 Pleasant St', { exact: false }).first().waitFor(WAIT);
    await customer.getByRole('status').filter({ hasText: 'Live' }).waitFor(WAIT);

    // new_job_request on the dispatch channel: the open board shows it without a reload.
    const row = pages.admin!.locator(`li[data-job-id="${jobId}"]`);
    await row.waitFor(WAIT);
    await row.getByText('Mind the mailbox').waitFor(WAIT);
  });

  it('lets the dispatcher assign the new job to driver1, and the customer sees it live', async () => {
    screenshotOnFailure('admin-assign');
    expect(jobId).not.toBe('');
    const admin = pages.admin!;
    const row = admin.locator(`li[data-job-id="${jobId}"]`);
    const dave = await row.locator('option', { hasText: 'Dave Plowman' }).getAttribute('value');
    await row.getByLabel('Driver for 12 Pleasant St', { exact: false }).selectOption(dave!);
    await row.getByRole('button', { name: 'Assign' }).click();

    await row.waitFor({ state: 'detached', ...WAIT });
    await admin.locator(`tr[data-job-id="${jobId}"]`).getByText('Assigned').waitFor(WAIT);
    await pages.customer!.getByText('A driver has been assigned to your job.').waitFor(WAIT);
  });

  it('lets driver1 accept the job, start driving and stream GPS', async () => {
    screenshotOnFailure('driver-accept');
    const driver = await open('driver', { permissions: ['geolocation'], geolocation: FAR });
    const pings: Record<string, unknown>[] = [];
    driver.on('websocket', (ws) =>
      ws.on('framesent', ({ payload }) => {
        const msg = JSON.parse(String(payload)) as { type: string; payload?: Record<string, unknown> };
        if (msg.type === 'location_ping' && msg.payload) pings.push(msg.payload);
      }),
    );
    await driver.goto('/driver');
    await signIn(driver, 'driver1@demo.test');

    const card = driver.locator(`article[data-job-id="${jobId}"]`);
    await card.getByRole('button', { name: 'Accept job' }).click(WAIT);
    await driver.getByText('Sharing your location').waitFor(WAIT);
    await driver.getByText(/Accuracy ±12 m/).waitFor(WAIT);
    await driver.getByText(/Last sent (just now|\d+ s ago)/).waitFor(WAIT);
    expect(pings[0]).toMatchObject({
      lat: FAR.latitude,
      lng: FAR.longitude,
      accuracy: 12,
      recorded_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      client_event_id: expect.stringMatching(/^gps-[0-9a-f-]{36}$/),
    });

    await card.getByRole('button', { name: 'Start driving' }).click();
    await card.getByRole('button', { name: 'I’ve arrived' }).waitFor(WAIT);
    await pages.customer!.getByText('Your plow is on the way.').waitFor(WAIT);
    // The dispatch board follows along live: the job's status and the driver's position.
    const admin = pages.admin!;
    await admin.locator(`tr[data-job-id="${jobId}"]`).getByText('En route').waitFor(WAIT);
    await admin.locator('tr[data-driver-id]', { hasText: 'Dave Plowman' }).getByText(/Seen \d+ s ago/).waitFor(WAIT);
  });

  it('shows the plow on the customer’s live map and moves it when the driver’s position changes', async () => {
    screenshotOnFailure('customer-live');
    const customer = pages.customer!;
    const plow = customer.locator('[data-marker="plow"]');
    await plow.waitFor(WAIT);
    const before = await shownDistance(customer);
    expect(before).toBeGreaterThan(1500);
    expect(before).toBeLessThan(2600);
    await customer.getByText(/from your driveway/).waitFor(WAIT);
    await customer.getByText(/Position updated (just now|\d+ s ago)/).waitFor(WAIT);
    const from = { x: Number(await plow.getAttribute('data-x')), y: Number(await plow.getAttribute('data-y')) };
    expect(from.x).toBeGreaterThan(0); // east of the driveway
    expect(from.y).toBeLessThan(0); // north (SVG y grows downwards)

    await contexts.driver!.setGeolocation(NEAR);
    await customer.waitForFunction(
      () => Number(document.querySelector('.live__distance')?.getAttribute('data-meters') ?? Infinity) < 600,
      undefined,
      { timeout: 20_000 },
    );
    const after = await shownDistance(customer);
    expect(after).toBeGreaterThan(200);
    expect(after).toBeLessThan(600);
    await customer.getByRole('img', { name: /Map: the plow is .* from your driveway/ }).waitFor(WAIT);
    const to = { x: Number(await plow.getAttribute('data-x')), y: Number(await plow.getAttribute('data-y')) };
    expect(Math.hypot(to.x, to.y)).not.toBeCloseTo(Math.hypot(from.x, from.y), 0);
  });

  it('falls back to polling the plow’s position when the customer’s WebSocket cannot connect', async () => {
    screenshotOnFailure('customer-polling');
    const customer = await open('customer-no-ws');
    // Every /ws upgrade is refused for this person; plain HTTP still works.
    await contexts['customer-no-ws']!.routeWebSocket(/\/ws\b/, (ws) => ws.close({ code: 1011, reason: 'blocked by test' }));
    await customer.goto(`/customer/jobs/${jobId}`);
    await signIn(customer, 'customer1@demo.test');

    await customer.getByText('Your plow is on the way.').waitFor(WAIT);
    await customer.getByText('Live updates are interrupted; checking every few seconds.').waitFor(WAIT);
    await customer.locator('[data-marker="plow"]').waitFor(WAIT);
    expect(await shownDistance(customer)).toBeLessThan(600);
  });

  it('refreshes an expiring access token and keeps the customer signed in', async () => {
    screenshotOnFailure('customer-refresh');
    const page = await open('customer-session');
    await page.goto(`/customer/jobs/${jobId}`);
    await signIn(page, 'customer1@demo.test');
    await page.getByText('Your plow is on the way.').waitFor(WAIT);
    const before = await readSession(page);

    // Refresh tokens rotate: using the old one again would revoke the whole session, so
    // this also checks that nothing on the page reused the rotated token.
    await writeSession(page, { ...before, expires_at: Date.now() - 1_000 });
    await page.reload();
    await page.getByText('Your plow is on the way.').waitFor(WAIT);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor(WAIT);
    const after = await readSession(page);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.expires_at).toBeGreaterThan(Date.now() + 60_000);
  });

  it('sends the customer back to sign-in when the API refuses their session', async () => {
    screenshotOnFailure('customer-refused');
    const page = pages['customer-session']!;
    await writeSession(page, { ...(await readSession(page)), access_token: 'not.a.token', expires_at: Date.now() + 600_000 });
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
    expect(await page.evaluate(() => localStorage.getItem('plowdispatch.session.customer'))).toBeNull();
  });

  it('raises no uncaught errors in any of the three apps', () => {
    expect(Object.values(pageErrors).flat()).toEqual([]);
  });
});

interface StoredSession {
  access_token: string;
  refresh_token: string;
  expires_at: number;
}

const SESSION_KEY = 'plowdispatch.session.customer';

async function readSession(page: Page): Promise<StoredSession> {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null') as StoredSession, SESSION_KEY);
}

async function writeSession(page: Page, session: StoredSession): Promise<void> {
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [SESSION_KEY, JSON.stringify(session)] as const);
}
