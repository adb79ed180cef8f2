import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { DEMO_ADMIN_TOTP_SECRET, DEMO_PASSWORD } from '../../scripts/lib/seed';
import { Api, type Tokens } from './support/api';
import { openColumn } from './support/board';
import { totpNow } from './support/totp';
import { browserWindows, DESK_VIEWPORT, WAIT } from './support/windows';

/**
 * The whole story in real pages, three people in three browser contexts: a customer signs
 * up and asks for a plow; the dispatcher sees it arrive on the board and assigns it by
 * keyboard; the driver's queue alerts, the driver accepts and drives while the customer
 * watches the marker move; the driver arrives, works, photographs, finishes and records
 * cash; the customer sees the photo and invoice; the admin's report shows the money.
 * Then the driver loses signal mid-job, taps two statuses, drives on, and comes back:
 * the server ends with the right events, in order, once.
 */

const HOME = { latitude: 43.2001, longitude: -71.5452, accuracy: 10 };
/** The plow starts ~2 km north-east of the driveway, then drives to ~350 m away. */
/** About 1.5 mi, 0.23 mi and 0.1 mi from the driveway. */
const FAR = { latitude: 43.2175, longitude: -71.5262, accuracy: 12 };
const NEAR = { latitude: 43.203, longitude: -71.543, accuracy: 8 };
const CLOSE = { latitude: 43.2013, longitude: -71.544, accuracy: 8 };

/** The plow's and the driveway's markers, each drawn inside the customer's map; their distance apart in pixels. */
async function bothInView(page: Page): Promise<number> {
  const map = await page.locator('.live-map').first().boundingBox();
  const centre = async (kind: string) => {
    const box = await page.locator(`.live-map [data-marker="${kind}"]`).first().boundingBox();
    if (!map || !box) throw new Error(`no ${kind} marker on the map`);
    const c = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const inside = c.x > map.x && c.x < map.x + map.width && c.y > map.y && c.y < map.y + map.height;
    if (!inside) throw new Error(`the ${kind} marker is off the map: ${JSON.stringify({ c, map })}`);
    return c;
  };
  const plow = await centre('plow');
  const home = await centre('home');
  return Math.hypot(plow.x - home.x, plow.y - home.y);
}
const PHOTO = new URL('../../web/public/icons/icon-512.png', import.meta.url);

const base = inject('appUrl');
const api = new Api(base);

describe('the whole story: sign up → request → board → assign → drive → finish → paid → reported', () => {
  const windows = browserWindows(base);
  let admin: Tokens;
  let jobId = '';
  const customerEmail = `story-${Date.now()}@example.test`;
  const customerPassword = 'snow-day-password-1';

  const open = async (name: string, options: BrowserContextOptions = {}) =>
    windows.open(name, await windows.context(options));

  async function signIn(page: Page, email: string, password = DEMO_PASSWORD, totp?: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    if (totp) await page.getByLabel('Authenticator code').fill(totp);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs the dispatcher in with a TOTP code and shows the live board', async () => {
    windows.onFailure('admin-signin');
    const page = await open('admin', { viewport: DESK_VIEWPORT });
    await page.goto('/admin');
    await signIn(page, 'admin@demo.test', DEMO_PASSWORD, totpNow(DEMO_ADMIN_TOTP_SECRET));
    const board = page.getByRole('heading', { name: 'Dispatch board' });
    if (
      (await Promise.race([
        board.waitFor(WAIT).then(() => 'ok'),
        page
          .getByRole('alert')
          .first()
          .waitFor(WAIT)
          .then(() => 'refused'),
      ])) === 'refused'
    ) {
      // This window's code was already used (another test file signed in): take the next one.
      await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 500));
      await page.getByLabel('Authenticator code').fill(totpNow(DEMO_ADMIN_TOTP_SECRET));
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await board.waitFor(WAIT);
    // The tests' own API calls borrow this session's access token (never its refresh token).
    admin = await page.evaluate(() => JSON.parse(localStorage.getItem('plowdispatch.session.admin')!) as Tokens);
    await page.locator('[data-column="pending"] article', { hasText: '45 Loudon Rd' }).waitFor(WAIT); // seeded pending job
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor(WAIT);
  });

  it('signs the driver in, ready to be alerted', async () => {
    windows.onFailure('driver-signin');
    const page = await open('driver', { permissions: ['geolocation', 'notifications'], geolocation: FAR });
    await page.addInitScript(() => {
      const w = window as unknown as { __vibrations: unknown[] };
      w.__vibrations = [];
      Object.defineProperty(navigator, 'vibrate', {
        configurable: true,
        value: (p: unknown) => (w.__vibrations.push(p), true),
      });
    });
    await page.goto('/driver/');
    await signIn(page, 'driver1@demo.test');
    await page.getByRole('heading', { name: 'Your jobs' }).waitFor(WAIT);
    await page.getByRole('status').filter({ hasText: 'Online' }).first().waitFor(WAIT);
    // Background alerts: Web Push when the server has it set up, else a clear note (headless
    // Chromium refuses notification permission, so "blocked" is what it shows here).
    const outcome = page.getByText(/Job alerts are on for this phone|not set up on this server|blocked/);
    const ask = page.getByRole('button', { name: /Turn on job alerts/ });
    await Promise.race([outcome.waitFor(WAIT), ask.waitFor(WAIT)]);
    if (await ask.isVisible()) await ask.click();
    await outcome.waitFor(WAIT);
  });

  it('lets a new customer sign up, add their driveway with a map pin and confirm their email', async () => {
    windows.onFailure('customer-signup');
    const page = await open('customer', { permissions: ['geolocation'], geolocation: HOME });
    await page.goto('/customer?signup=1');
    await page.getByLabel('Full name').fill('Sam Snowfield');
    await page.getByLabel('Email').fill(customerEmail);
    await page.getByLabel('Password (at least 10 characters)').fill(customerPassword);
    await page.getByRole('button', { name: 'Create account' }).click();
    // The same answer whether or not the address has an account: the emailed link finishes.
    await page.getByRole('heading', { name: 'Check your email' }).waitFor(WAIT);

    // No mail server locally: the message lands in the admin's outbox, link and all.
    let link = '';
    for (let i = 0; i < 20 && !link; i++) {
      const res = await api.json<{ notifications: { recipient: string; body: string }[] }>(
        'GET',
        '/admin/notifications?limit=50',
        admin.access_token,
      );
      const mail = res.body.notifications.find(
        (n) => n.recipient === customerEmail && n.body.includes('/auth/verify-email'),
      );
      link = mail?.body.match(/https?:\/\/\S+\/auth\/verify-email#token=\S+/)?.[0] ?? '';
      if (!link) await new Promise((r) => setTimeout(r, 500));
    }
    expect(link).not.toBe('');
    await page.goto(new URL(link).pathname + new URL(link).hash);
    await page.getByText('Your email address is confirmed').waitFor(WAIT);
    await page.getByRole('link', { name: 'Continue to PlowDispatch' }).click();
    await page.getByLabel('Email').fill(customerEmail);
    await page.getByLabel('Password', { exact: true }).fill(customerPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My jobs' }).waitFor(WAIT);
    await page.goto('/customer/locations');

    await page.getByRole('heading', { name: 'Places to plow' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Add a place' }).click();
    const form = page.getByRole('form', { name: 'Add a place' });
    await form.getByLabel('Name (e.g. Home)').fill('Cottage');
    await form.getByLabel('Street address').fill('14 Pleasant St');
    await form.getByLabel('City').fill('Concord');
    await form.getByLabel('State').fill('NH');
    await form.getByLabel('ZIP code').fill('03301');
    await form.getByRole('button', { name: /Use my current location/ }).click();
    await form.getByText(/Pin at 43\.200/).waitFor(WAIT);
    await form.locator('[data-marker="pin"]').first().waitFor(WAIT);
    await form.getByRole('button', { name: 'Save place' }).click();
    await page.getByText('Saved Cottage').waitFor(WAIT);
    await page.locator('article[data-location-id]', { hasText: 'Cottage' }).waitFor(WAIT);
  });

  it('lets the customer pick a tier with its price and request a plow, which reaches the board at once', async () => {
    windows.onFailure('customer-request');
    const page = windows.pages.customer!;
    await page.getByRole('link', { name: 'Request a plow' }).first().click();
    await page.getByRole('radio', { name: /Cottage/ }).check(WAIT);
    await page.getByRole('radio', { name: /2-Car Driveway/ }).check();
    await page.getByText('Price: $85').waitFor(WAIT);
    await page.getByLabel('Notes for the driver (optional)').fill('Mind the mailbox');
    await page.getByRole('button', { name: 'Request plow now' }).click();

    await page.waitForURL(/\/customer\/jobs\/[0-9a-f-]{36}$/, WAIT);
    jobId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByText('Request received: finding you a driver.').waitFor(WAIT);
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor(WAIT);

    const card = windows.pages.admin!.locator(`[data-column="pending"] article[data-job-id="${jobId}"]`);
    await card.waitFor(WAIT);
    await card.getByText('Mind the mailbox').waitFor(WAIT);
    await windows.pages.admin!.getByText('New request: 14 Pleasant St', { exact: false }).first().waitFor(WAIT);
  });

  it('lets the dispatcher assign it to driver1 with the keyboard only; the driver is alerted', async () => {
    windows.onFailure('admin-assign');
    const page = windows.pages.admin!;
    const card = page.locator(`article[data-job-id="${jobId}"]`);
    await card.getByRole('button', { name: 'Move to…' }).focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await menu.waitFor(WAIT);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Assigned');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor(WAIT);
    // The driver list has focus: arrow down to Dave, tab to the button, press Enter.
    const select = dialog.getByRole('combobox');
    for (
      let i = 0;
      i < 6 &&
      !(await select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text ?? '')).includes('Dave Plowman');
      i++
    )
      await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    await page.locator(`[data-column="assigned"] article[data-job-id="${jobId}"]`).waitFor(WAIT);
    await page
      .getByText(/Assigned 14 Pleasant St.* to Dave Plowman/)
      .first()
      .waitFor(WAIT);

    const driver = windows.pages.driver!;
    await driver
      .getByText(/New job: 14 Pleasant St/)
      .first()
      .waitFor(WAIT);
    expect(
      (await driver.evaluate(() => (window as unknown as { __vibrations: unknown[] }).__vibrations)).length,
    ).toBeGreaterThan(0);
    await windows.pages.customer!.getByText('A driver has been assigned to your job.').waitFor(WAIT);
  });

  it('lets the driver accept, start driving and stream GPS while the customer watches the marker move', async () => {
    windows.onFailure('driver-drive');
    const driver = windows.pages.driver!;
    await driver.locator(`article[data-job-id="${jobId}"]`).getByRole('button', { name: 'Accept job' }).click(WAIT);
    await driver.waitForURL(new RegExp(`/driver/jobs/${jobId}$`), WAIT);
    const job = driver.locator(`article[data-job-id="${jobId}"]`);
    // One navigation button: Google Maps directions here (a desktop browser), `geo:` on Android.
    const nav = job.getByRole('link', { name: 'Navigate to the driveway' });
    await nav.waitFor(WAIT);
    expect(await nav.getAttribute('href')).toMatch(/^https:\/\/www\.google\.com\/maps\/dir\/\?api=1&destination=43\.2/);
    expect(
      await job
        .getByRole('link')
        .filter({ hasText: /map app|Directions/ })
        .count(),
    ).toBe(0);
    // A fresh fix as the plow sets out: the emulated phone stamps a position when it is set,
    // and a slow sign-up above must not make the first one the customer sees look stale.
    await windows.pages.driver!.context().setGeolocation(FAR);
    await job.getByRole('button', { name: 'Start driving' }).click();
    await job.getByRole('button', { name: 'I’ve arrived' }).waitFor(WAIT);
    await driver.getByText('Sharing your location').waitFor(WAIT);
    await driver.getByText(/Accuracy ±12 m/).waitFor(WAIT);
    await driver.getByText(/Last sent (just now|\d+ s ago)/).waitFor(WAIT);

    const customer = windows.pages.customer!;
    await customer.getByText('Your plow is on the way.').waitFor(WAIT);
    const plow = customer.locator('[data-marker="plow"]');
    await plow.waitFor(WAIT);
    const distance = async () => Number(await customer.locator('.live__distance').getAttribute('data-meters', WAIT));
    const before = await distance();
    expect(before).toBeGreaterThan(1500);
    expect(before).toBeLessThan(2600);
    await customer.getByText(/Live · position updated (just now|\d+ s ago)/).waitFor(WAIT);
    const from = Number(await plow.getAttribute('data-lat'));
    // The map keeps both in view however far the plow is (it re-fits as the plow moves).
    await expect.poll(() => bothInView(customer).catch(() => -1), { timeout: 10_000 }).toBeGreaterThan(0);

    await windows.pages.driver!.context().setGeolocation(NEAR);
    await customer.waitForFunction(
      () => Number(document.querySelector('.live__distance')?.getAttribute('data-meters') ?? Infinity) < 600,
      undefined,
      { timeout: 25_000 },
    );
    expect(await distance()).toBeGreaterThan(200);
    expect(Number(await plow.getAttribute('data-lat'))).not.toBeCloseTo(from, 4);

    // A tenth of a mile out: still both in view, and the map has zoomed in so they stand apart.
    await windows.pages.driver!.context().setGeolocation(CLOSE);
    await customer.waitForFunction(
      () => Number(document.querySelector('.live__distance')?.getAttribute('data-meters') ?? Infinity) < 250,
      undefined,
      { timeout: 25_000 },
    );
    await expect.poll(() => bothInView(customer).catch(() => -1), { timeout: 10_000 }).toBeGreaterThan(60);
    console.info(`customer map engine: ${await customer.locator('.live-map').first().getAttribute('data-map-engine')}`);
    await customer.locator('[aria-label^="Map: the plow is "]').first().waitFor(WAIT);
    await windows.pages.admin!.locator(`[data-column="en_route"] article[data-job-id="${jobId}"]`).waitFor(WAIT);
  });

  it('lets the driver arrive (the customer is told), work, change the price, photograph and finish', async () => {
    windows.onFailure('driver-finish');
    const driver = windows.pages.driver!;
    const job = driver.locator(`article[data-job-id="${jobId}"]`);
    await windows.pages.driver!.context().setGeolocation(HOME);
    await job.getByRole('button', { name: 'I’ve arrived' }).click();
    await job.getByRole('button', { name: 'Start plowing' }).waitFor(WAIT);
    await windows.pages.customer!.getByText('Your plow has arrived.').first().waitFor(WAIT);
    await job.getByRole('button', { name: 'Start plowing' }).click();
    await job.getByRole('button', { name: 'Finish job' }).waitFor(WAIT);

    await driver.getByText('Change price on site').click();
    await driver.getByLabel('New price in dollars').fill('95');
    await driver.getByRole('button', { name: 'Save price' }).click();
    await driver.getByText('Price changed to $95').waitFor(WAIT);

    await driver
      .locator('input[type="file"][capture][data-photo-kind="after"]')
      .setInputFiles({ name: 'driveway.png', mimeType: 'image/png', buffer: readFileSync(PHOTO) });
    await driver.getByText('Photo attached.').waitFor(WAIT);

    await job.getByRole('button', { name: 'Finish job' }).click();
    await driver.getByRole('heading', { name: 'Get paid' }).waitFor(WAIT);
    await driver.getByTestId('amount-due').getByText('$95').waitFor(WAIT);
    await driver.getByRole('button', { name: 'Cash' }).click();
    await driver.getByText('Recorded: $95 by Cash').first().waitFor(WAIT);
    await driver.getByTestId('amount-due').getByText('$0').waitFor(WAIT);
    // A tap on the wrong method is taken back, and the right one recorded.
    await driver.getByRole('button', { name: 'Undo: wrong payment' }).click();
    await driver.getByText('Payment taken back.').first().waitFor(WAIT);
    await driver.getByTestId('amount-due').getByText('$95').waitFor(WAIT);
    await driver.getByRole('button', { name: 'Card' }).click();
    await driver.getByText('Recorded: $95 by Card').first().waitFor(WAIT);
  });

  it('shows the customer the finished job with its photo and invoice', async () => {
    windows.onFailure('customer-done');
    const customer = windows.pages.customer!;
    await customer.getByText('All done: your driveway is clear.').waitFor(WAIT);
    await customer.locator('[data-step="completed"][aria-current="step"]').waitFor(WAIT);
    await customer.getByTestId('completion-photo').waitFor(WAIT);
    await customer.waitForFunction(
      () =>
        ((document.querySelector('[data-testid="completion-photo"]') as HTMLImageElement | null)?.naturalWidth ?? 0) >
        0,
      undefined,
      WAIT,
    );
    await customer.getByRole('button', { name: 'Open invoice (PDF)' }).waitFor(WAIT);
    await customer.getByRole('link', { name: 'Invoices' }).click();
    await customer.locator('tr[data-invoice-id]').first().waitFor(WAIT);
  });

  it('shows the revenue in the admin report', async () => {
    windows.onFailure('admin-report');
    const page = windows.pages.admin!;
    await openColumn(page, 'completed');
    await page.locator(`[data-column="completed"] article[data-job-id="${jobId}"]`).waitFor(WAIT);
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor(WAIT);
    await page.getByTestId('jobs-completed').waitFor(WAIT);
    expect(Number(await page.getByTestId('jobs-completed').textContent())).toBeGreaterThan(0);
    const total = await page.getByTestId('revenue-total').textContent();
    expect(Number(total!.replace(/[$,]/g, ''))).toBeGreaterThanOrEqual(95);
    await page.getByRole('img', { name: /Revenue by day/ }).waitFor(WAIT);
  });

  it('keeps a driver working offline: two statuses and GPS queued, replayed in order, once', async () => {
    windows.onFailure('driver-offline');
    // A second job for the same driveway, assigned to driver1 through the API.
    const customer = (
      await api.json<Tokens>('POST', '/auth/login', undefined, { email: customerEmail, password: customerPassword })
    ).body;
    const { body: locs } = await api.json<{ locations: { id: string; label: string }[] }>(
      'GET',
      '/customers/me/locations',
      customer.access_token,
    );
    const { body: tiers } = await api.json<{ tiers: { id: number }[] }>('GET', '/pricing/tiers');
    const created = await api.json<{ job: { id: string } }>('POST', '/jobs', customer.access_token, {
      location_id: locs.locations.find((l) => l.label === 'Cottage')!.id,
      driveway_tier_id: tiers.tiers[0]!.id,
    });
    expect(created.status).toBe(201);
    const job2 = created.body.job.id;
    const { body: drivers } = await api.json<{ drivers: { id: string; full_name: string }[] }>(
      'GET',
      '/drivers',
      admin.access_token,
    );
    const dave = drivers.drivers.find((d) => d.full_name === 'Dave Plowman')!;
    expect((await api.json('POST', `/jobs/${job2}/assign`, admin.access_token, { driver_id: dave.id })).status).toBe(
      200,
    );

    const driver = windows.pages.driver!;
    await driver.getByRole('link', { name: 'Jobs', exact: true }).click();
    const card = driver.locator(`article[data-job-id="${job2}"]`);
    await card.getByRole('button', { name: 'Accept job' }).click(WAIT);
    const job = driver.locator(`article.job-page[data-job-id="${job2}"]`);
    await job.getByRole('button', { name: 'Start driving' }).click(WAIT);
    await job.getByRole('button', { name: 'I’ve arrived' }).waitFor(WAIT);
    await windows.pages.driver!.context().setGeolocation(FAR);

    // Signal gone.
    await windows.pages.driver!.context().setOffline(true);
    await driver.getByRole('status').filter({ hasText: 'Offline' }).first().waitFor(WAIT);
    const tappedAt = Date.now();
    await job.getByRole('button', { name: 'I’ve arrived' }).click();
    await job.getByRole('button', { name: 'Start plowing' }).waitFor(WAIT);
    await job.getByText('On site (saved offline)').waitFor(WAIT);
    // Drives on: fixes pile up in the outbox.
    await windows.pages.driver!.context().setGeolocation(NEAR);
    await job.locator('[data-outbox-kind="gps"]').waitFor({ timeout: 25_000 });
    await job.getByRole('button', { name: 'Start plowing' }).click();
    await job.getByRole('button', { name: 'Finish job' }).waitFor(WAIT);
    await job.getByText('Plowing (saved offline)').waitFor(WAIT);
    expect(await job.locator('[data-outbox-kind="status"]').count()).toBe(2);
    // Nothing reached the server meanwhile.
    const during = await api.json<{ events: { new_status: string }[] }>(
      'GET',
      `/jobs/${job2}/status-history`,
      admin.access_token,
    );
    expect(during.body.events.map((e) => e.new_status)).not.toContain('arrived');

    // A reload with no signal still opens the job, queue and all (service worker + IndexedDB).
    if (await driver.evaluate(() => !!navigator.serviceWorker?.controller)) {
      await driver.reload();
      await job.getByText('Plowing (saved offline)').waitFor(WAIT);
    }

    const backOnline = Date.now();
    await windows.pages.driver!.context().setOffline(false);
    await driver
      .getByText(/Back online: \d+ saved changes? sent/)
      .first()
      .waitFor({ timeout: 40_000 });
    await job.locator('[data-outbox-kind]').first().waitFor({ state: 'detached', timeout: 40_000 });

    const { body } = await api.json<{
      events: { previous_status: string; new_status: string; recorded_at?: string | null; created_at: string }[];
    }>('GET', `/jobs/${job2}/status-history`, admin.access_token);
    const moves = body.events
      .filter((e) => e.previous_status !== e.new_status)
      .map((e) => `${e.previous_status}→${e.new_status}`);
    expect(moves).toEqual([
      'null→pending',
      'pending→assigned',
      'assigned→en_route',
      'en_route→arrived',
      'arrived→in_progress',
    ]);
    const arrived = body.events.find((e) => e.new_status === 'arrived')!;
    const working = body.events.find((e) => e.new_status === 'in_progress')!;
    // Stamped with the device time of the taps, not the time of the replay.
    if (arrived.recorded_at) {
      expect(Date.parse(arrived.recorded_at)).toBeGreaterThanOrEqual(tappedAt - 1000);
      expect(Date.parse(arrived.recorded_at)).toBeLessThan(backOnline);
      expect(Date.parse(working.recorded_at!)).toBeGreaterThan(Date.parse(arrived.recorded_at));
    }
    await job.getByRole('button', { name: 'Finish job' }).waitFor(WAIT);
    await driver
      .getByText('Offline — saving on phone')
      .waitFor({ state: 'detached', timeout: 20_000 })
      .catch(() => {});
  });

  it('raised no uncaught errors in any app', () => {
    expect(windows.errors).toEqual([]);
  });
});
