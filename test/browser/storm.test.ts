import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { DEMO_USERS } from '../../scripts/lib/seed';
import { Api, signIn, type Tokens } from './support/api';
import { browserWindows, DESK_VIEWPORT, PHONE_VIEWPORT, WAIT } from './support/windows';

/**
 * A storm in real pages, on the demo data: the dispatcher declares a 1-inch storm on the
 * Storms screen (the demo's commercial lots that open at 1 inch get jobs), plans the routes,
 * reads each driver's stops and moves one to another driver; a driver follows "next stop"
 * through two stops; a contract customer third on that route watches their place in line
 * count down, then the live map once their driver sets out for them.
 */

const PHOTO = new URL('../../web/public/icons/icon-512.png', import.meta.url);
/** The demo base in Concord: where the drivers' phones say they are. */
const BASE = { latitude: 43.2073, longitude: -71.5376, accuracy: 10 };

const base = inject('appUrl');
const api = new Api(base);

interface Stop {
  job_id: string;
  position: number;
  eta: string;
  address: string;
  status: string;
  locked: boolean;
}
interface Routes {
  routes: { driver_id: string; stops: Stop[] }[];
  unassigned: { job_id: string }[];
}

describe('a storm: declare → plan → move a stop → next stop → place in line → live map', () => {
  const windows = browserWindows(base);
  let admin: Tokens;
  let stormId = '';
  /** The driver whose route the story follows, their first three stops in order. */
  let driverId = '';
  let driverEmail = '';
  let stops: Stop[] = [];
  let driverContext: BrowserContext;

  async function open(
    name: string,
    app: 'admin' | 'driver' | 'customer',
    tokens: Tokens,
    options: BrowserContextOptions = {},
  ): Promise<Page> {
    const context = await windows.context({ viewport: app === 'admin' ? DESK_VIEWPORT : PHONE_VIEWPORT, ...options });
    await signIn(context, app, tokens, { once: true });
    return windows.open(name, context);
  }
  const onFailure = (name: string) => windows.onFailure(`storm-${name}`);

  const routes = async (): Promise<Routes> => {
    const res = await api.json<Routes>('GET', `/admin/storms/${stormId}/routes`, admin.access_token);
    expect(res.status).toBe(200);
    return res.body;
  };
  const routeOf = (r: Routes, driver: string) => r.routes.find((x) => x.driver_id === driver)?.stops ?? [];
  const moveStop = async (jobId: string, driver: string, position?: number) => {
    const res = await api.json('POST', `/admin/route-stops/${jobId}/move`, admin.access_token, {
      driver_id: driver,
      ...(position ? { position, locked: true } : {}),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  /** A demo account's sign-in, found by the name the admin screens show. */
  const demoEmail = (fullName: string) => DEMO_USERS.find((u) => u.full_name === fullName)?.email;

  beforeAll(async () => {
    admin = await api.login('admin@demo.test', true);
    // One storm may be open at a time: close one left open on this app (a re-run against BROWSER_APP_URL).
    const { body } = await api.json<{ storms: { id: string; status: string }[] }>(
      'GET',
      '/admin/storms',
      admin.access_token,
    );
    for (const s of body.storms.filter((x) => x.status === 'active'))
      await api.json('POST', `/admin/storms/${s.id}/close`, admin.access_token);
  }, 120_000);

  afterAll(async () => {
    // Leave no open storm (and no driver with a storm job under way) to the files after this one.
    if (driverEmail && stops[2]) {
      const token = (await api.login(driverEmail)).access_token;
      for (const status of ['arrived', 'in_progress', 'completed'])
        await api.json('PATCH', `/drivers/me/jobs/${stops[2].job_id}/status`, token, { status });
    }
    if (stormId) await api.json('POST', `/admin/storms/${stormId}/close`, admin.access_token);
  });

  it('lets the dispatcher declare a storm on the Storms screen and plan routes, one column of stops per driver', async () => {
    onFailure('declare');
    const page = await open('admin', 'admin', admin);
    await page.goto('/admin/storms');
    await page.getByRole('heading', { name: 'Storms', level: 1 }).waitFor(WAIT);
    const name = `Storm ${Date.now()}`;
    const form = page.getByRole('form', { name: 'Declare a storm' });
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Expected depth (inches)').fill('1');
    await form.getByRole('button', { name: 'Declare storm' }).click();
    const declared = page.getByText(/Storm declared: \d+ jobs? on the board\./).first();
    await declared.waitFor(WAIT);
    const created = Number((await declared.textContent())!.match(/(\d+) jobs?/)![1]);
    expect(created).toBeGreaterThanOrEqual(4);
    await page.getByRole('heading', { name: `Open storm: ${name}` }).waitFor(WAIT);

    const { body } = await api.json<{ storms: { id: string; name: string; status: string }[] }>(
      'GET',
      '/admin/storms',
      admin.access_token,
    );
    stormId = body.storms.find((s) => s.name === name && s.status === 'active')!.id;

    const panel = page.getByRole('region', { name: 'Driver routes' });
    await panel.getByText('No routes yet.', { exact: false }).waitFor(WAIT);
    await panel.getByRole('button', { name: 'Plan routes' }).click();
    await page.getByText('Routes planned; each driver has their first stop.').first().waitFor(WAIT);
    await panel.getByRole('button', { name: 'Re-plan routes' }).waitFor(WAIT);

    // Each driver's column lists their stops in the server's order, the first one assigned.
    const planned = await routes();
    expect(planned.routes.flatMap((r) => r.stops)).toHaveLength(created);
    for (const route of planned.routes) {
      const column = panel.locator(`section[data-driver-id="${route.driver_id}"]`);
      await column.locator('li[data-job-id]').first().waitFor(WAIT);
      expect(await column.locator('li[data-job-id]').evaluateAll((els) => els.map((e) => e.dataset.jobId))).toEqual(
        route.stops.map((s) => s.job_id),
      );
      expect(await column.getByRole('heading', { level: 3 }).textContent()).toContain(
        `${route.stops.length} stop${route.stops.length === 1 ? '' : 's'}`,
      );
      expect(route.stops[0]!.status).toBe('assigned');
    }
  });

  it('moves a stop to another driver by dragging it onto their column, and one with its "Move to driver…" list; the server has each there', async () => {
    onFailure('move');
    const page = windows.pages.admin!;
    const panel = page.getByRole('region', { name: 'Driver routes' });
    const { body: roster } = await api.json<{ drivers: { id: string; full_name: string }[] }>(
      'GET',
      '/drivers',
      admin.access_token,
    );
    for (const how of ['drag', 'list'] as const) {
      const before = await routes();
      // The longest route takes the last stop of another one (or, with one route, gives one away).
      const longest = [...before.routes].sort((a, b) => b.stops.length - a.stops.length)[0]!;
      const other = before.routes.find((r) => r.driver_id !== longest.driver_id);
      const columns = await panel
        .locator('section[data-driver-id]')
        .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.driverId!));
      const moving = other ? other.stops[other.stops.length - 1]! : longest.stops[longest.stops.length - 1]!;
      const to = other ? longest.driver_id : columns.find((d) => d !== longest.driver_id)!;
      expect(to, 'a second driver on shift').toBeTruthy();
      const toName = roster.drivers.find((d) => d.id === to)!.full_name;

      if (how === 'drag') {
        await panel.locator(`li[data-job-id="${moving.job_id}"][draggable="true"]`).waitFor(WAIT);
        await dragOnto(
          page,
          panel.locator(`li[data-job-id="${moving.job_id}"] strong`),
          panel.locator(`section[data-driver-id="${to}"] h3`),
        );
      } else await panel.getByLabel(`Move ${moving.address} to another driver`).selectOption(to);
      await page.getByText(`${moving.address} moved to ${toName}.`).first().waitFor(WAIT);
      await panel.locator(`section[data-driver-id="${to}"] li[data-job-id="${moving.job_id}"]`).waitFor(WAIT);

      const after = await routes();
      expect(
        routeOf(after, to).map((s) => s.job_id),
        how,
      ).toContain(moving.job_id);
      for (const r of after.routes.filter((x) => x.driver_id !== to))
        expect(
          r.stops.map((s) => s.job_id),
          how,
        ).not.toContain(moving.job_id);
      expect(after.routes.flatMap((r) => r.stops)).toHaveLength(before.routes.flatMap((r) => r.stops).length);
    }
  });

  it('shows a contract customer third on a route their place in line and estimate', async () => {
    onFailure('place');
    // The story follows the demo driver with the longest route; three stops at least.
    let now = await routes();
    const { body: roster } = await api.json<{ drivers: { id: string; full_name: string }[] }>(
      'GET',
      '/drivers',
      admin.access_token,
    );
    const demoDrivers = now.routes
      .filter((r) => demoEmail(roster.drivers.find((d) => d.id === r.driver_id)?.full_name ?? ''))
      .sort((a, b) => b.stops.length - a.stops.length);
    driverId = demoDrivers[0]!.driver_id;
    driverEmail = demoEmail(roster.drivers.find((d) => d.id === driverId)!.full_name)!;
    for (let i = 0; routeOf(now, driverId).length < 3 && i < 5; i++) {
      const spare = now.routes.find((r) => r.driver_id !== driverId && r.stops.some((s) => s.status === 'pending'));
      const stop = spare!.stops.find((s) => s.status === 'pending')!;
      await moveStop(stop.job_id, driverId, routeOf(now, driverId).length + 1);
      now = await routes();
    }
    stops = routeOf(now, driverId).slice(0, 3);
    expect(stops.map((s) => s.position)).toEqual([1, 2, 3]);
    expect(stops.map((s) => s.status)).toEqual(['assigned', 'pending', 'pending']);

    // Whose property is third: a demo contract customer, signed in with the demo password.
    const { body: job } = await api.json<{ job: { customer_id: string } }>(
      'GET',
      `/jobs/${stops[2]!.job_id}`,
      admin.access_token,
    );
    const { body: people } = await api.json<{ customers: { id: string; email: string | null }[] }>(
      'GET',
      `/admin/customers?q=${encodeURIComponent('contract')}&limit=50`,
      admin.access_token,
    );
    const email = people.customers.find((c) => c.id === job.job.customer_id)?.email;
    expect(email).toMatch(/^contract\d+@demo\.test$/);
    const customer = await api.login(email!);
    const eta = await api.json<{ stops_before: number; position: number }>(
      'GET',
      `/customers/me/jobs/${stops[2]!.job_id}/route-eta`,
      customer.access_token,
    );
    expect(eta.body).toMatchObject({ position: 3, stops_before: 2 });

    const page = await open('customer', 'customer', customer);
    await page.goto(`/customer/jobs/${stops[2]!.job_id}`);
    await page.getByRole('heading', { name: 'Your plow', level: 1 }).waitFor(WAIT);
    const place = page.getByRole('region', { name: 'Your place in line' });
    await place.getByText('2 stops before you on your driver’s route.').waitFor(WAIT);
    expect(await place.getAttribute('data-stops-before')).toBe('2');
    expect(await place.getByTestId('place-eta').textContent()).toMatch(
      /^(About \d+ min · expected around|Expected any minute now)/,
    );
    // No map until the driver sets out for them.
    expect(await page.locator('.live__map-card').count()).toBe(0);
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor(WAIT);
  });

  it('lets the driver work their first stop; the next stop is offered and the customer moves up one', async () => {
    onFailure('first-stop');
    const driver = await open('driver', 'driver', await api.login(driverEmail), {
      permissions: ['geolocation'],
      geolocation: BASE,
    });
    driverContext = driver.context();
    await driver.goto('/driver/');
    await driver.getByRole('heading', { name: 'Your jobs' }).waitFor(WAIT);
    await driver
      .locator(`article[data-job-id="${stops[0]!.job_id}"]`)
      .getByRole('button', { name: 'Accept job' })
      .click(WAIT);
    await driver.waitForURL(new RegExp(`/driver/jobs/${stops[0]!.job_id}$`), WAIT);
    await workThrough(driver, stops[0]!.job_id);

    const next = driver.locator(`section.next-stop[data-job-id="${stops[1]!.job_id}"]`);
    await next.getByRole('heading', { name: 'Next stop' }).waitFor(WAIT);
    await next.getByText(stops[1]!.address).waitFor(WAIT);
    await next.getByText(/more stops? after this|Last stop on your route/).waitFor(WAIT);

    const place = windows.pages.customer!.getByRole('region', { name: 'Your place in line' });
    await place.getByText('1 stop before you on your driver’s route.').waitFor(WAIT);
    expect(await place.getAttribute('data-stops-before')).toBe('1');
  });

  it('takes the driver to the next stop and through it; the customer is next, then sees the live map as the driver sets out', async () => {
    onFailure('second-stop');
    const driver = windows.pages.driver!;
    await driver.getByRole('button', { name: 'Go to next stop' }).click();
    await driver.waitForURL(new RegExp(`/driver/jobs/${stops[1]!.job_id}$`), WAIT);
    const job = driver.locator(`article.job-page[data-job-id="${stops[1]!.job_id}"]`);
    await job.getByRole('button', { name: 'Accept job' }).click(WAIT);
    await workThrough(driver, stops[1]!.job_id);

    const customer = windows.pages.customer!;
    const place = customer.getByRole('region', { name: 'Your place in line' });
    await place.getByText('You are next on your driver’s route.').waitFor(WAIT);
    await customer.locator('[data-status="assigned"]').first().waitFor(WAIT);

    const next = driver.locator(`section.next-stop[data-job-id="${stops[2]!.job_id}"]`);
    await next.getByRole('button', { name: 'Go to next stop' }).click(WAIT);
    await driver.waitForURL(new RegExp(`/driver/jobs/${stops[2]!.job_id}$`), WAIT);
    const third = driver.locator(`article.job-page[data-job-id="${stops[2]!.job_id}"]`);
    await third.getByRole('button', { name: 'Accept job' }).click(WAIT);
    await third.getByRole('button', { name: 'Start driving' }).click(WAIT);
    await third.getByRole('button', { name: 'I’ve arrived' }).waitFor(WAIT);
    // On the road: the phone's position moves to ~1 km south of the customer's place.
    const { body } = await api.json<{ job: { lat: number; lng: number } }>(
      'GET',
      `/jobs/${stops[2]!.job_id}`,
      admin.access_token,
    );
    await driverContext.setGeolocation({ latitude: body.job.lat - 0.009, longitude: body.job.lng, accuracy: 12 });
    await driver.getByText(/Last sent (just now|\d+ s ago)/).waitFor(WAIT);

    await customer.getByText('Your plow is on the way.').waitFor(WAIT);
    await place.waitFor({ state: 'detached', ...WAIT });
    await customer.locator('.live__map-card').waitFor(WAIT);
    await customer.locator('[data-marker="plow"]').waitFor(WAIT);
    const meters = Number(await customer.locator('.live__distance').getAttribute('data-meters', WAIT));
    expect(meters).toBeGreaterThan(700);
    expect(meters).toBeLessThan(1300);
  });

  it('lets the dispatcher change the promise to new requests on the Storms screen', async () => {
    onFailure('promise');
    const page = windows.pages.admin!;
    const form = page.getByRole('form', { name: 'Promise to new requests' });
    const minutes = form.getByLabel('Minutes (15–1440)');
    expect(await minutes.inputValue()).toBe('120');
    try {
      await minutes.fill('90');
      await form.getByRole('button', { name: 'Save promise' }).click();
      await page.getByText('New requests are now promised within 90 minutes.').first().waitFor(WAIT);
      const { body } = await api.json<{ settings: { storm_intake_promise_minutes: number } }>(
        'GET',
        '/admin/settings',
        admin.access_token,
      );
      expect(body.settings.storm_intake_promise_minutes).toBe(90);
      expect(await minutes.inputValue()).toBe('90');
    } finally {
      await api.json('PATCH', '/admin/settings', admin.access_token, { storm_intake_promise_minutes: 120 });
    }
  });

  it('raised no uncaught errors in any app', () => {
    expect(windows.errors).toEqual([]);
  });
});

/**
 * A person's drag: press on `source`, move in small steps (Chromium starts an HTML drag only
 * after the pointer has moved while pressed), release over `target`.
 */
async function dragOnto(page: Page, source: Locator, target: Locator): Promise<void> {
  // Both ends on screen at once: a press outside the viewport starts no drag, only a text selection.
  const [a, b] = [(await source.boundingBox())!, (await target.boundingBox())!];
  await page.evaluate((dy) => window.scrollBy(0, dy), (a.y + b.y) / 2 - (page.viewportSize()?.height ?? 0) / 2);
  const from = (await source.boundingBox())!;
  const to = (await target.boundingBox())!;
  const [x0, y0] = [from.x + 8, from.y + from.height / 2];
  const [x1, y1] = [to.x + to.width / 2, to.y + to.height / 2];
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(x0 + ((x1 - x0) * i) / 12, y0 + ((y1 - y0) * i) / 12);
  await page.mouse.up();
}

/** Start driving, arrive, plow and finish the job open on the driver's screen. */
async function workThrough(driver: Page, jobId: string): Promise<void> {
  const job = driver.locator(`article.job-page[data-job-id="${jobId}"]`);
  await job.getByRole('button', { name: 'Start driving' }).click(WAIT);
  await job.getByRole('button', { name: 'I’ve arrived' }).click(WAIT);
  await job.getByRole('button', { name: 'Start plowing' }).click(WAIT);
  // Proof of service: the "After" photo a driver takes before finishing.
  await driver
    .locator('input[type="file"][capture][data-photo-kind="after"]')
    .setInputFiles({ name: 'lot.png', mimeType: 'image/png', buffer: readFileSync(PHOTO) });
  await driver.getByText('Photo attached.').waitFor(WAIT);
  await job.getByRole('button', { name: 'Finish job' }).click(WAIT);
  await job.locator('[data-status="completed"]').first().waitFor(WAIT);
}
