import { beforeAll, describe, expect, inject, it } from 'vitest';
import { distanceMeters, METERS_PER_MILE } from '../../web/src/lib/geo';
import { Api, type Tokens } from './support/api';
import { browserWindows, WAIT } from './support/windows';

/**
 * Tracking people trust: the customer's live page says who is coming (first name, truck,
 * plate) and when, and the finished job's invoice turns paid the moment the driver records
 * the payment; on the way, the driver's job screen maps the truck and the driveway with how
 * far and about how long; it has one navigation button and its photos above "Finish job".
 */

const base = inject('appUrl');
/** Where the driver's phone says it is. */
const PHONE = { latitude: 43.21, longitude: -71.53, accuracy: 10 };
const TRUCK = { vehicle_type: 'Pickup', vehicle_make: 'Ford', vehicle_model: 'F-250', vehicle_year: 2019 };

describe('tracking: who is coming, when, and what is owed', () => {
  const api = new Api(base);
  const windows = browserWindows(base);
  let customer: Tokens;
  let driver: Tokens;
  let admin: Tokens;
  let jobId: string;

  const open = (app: 'customer' | 'driver', tokens: Tokens) =>
    windows.openSignedIn(app, tokens, { geolocation: PHONE, permissions: ['geolocation'] });

  beforeAll(async () => {
    customer = await api.login('customer3@demo.test');
    driver = await api.login('driver3@demo.test');
    admin = await api.login('admin@demo.test', true);
    const profile = await api.json('PATCH', '/drivers/me', driver.access_token, { ...TRUCK, license_plate: 'NH 4471' });
    expect(profile.status).toBe(200);
    await api.json('PATCH', '/drivers/me/status', driver.access_token, { status: 'available' });
    jobId = await api.requestJob(customer.access_token, 0);
    const { body: me } = await api.json<{ driver: { id: string } }>('GET', '/drivers/me', driver.access_token);
    for (const [method, path, token, body] of [
      ['PATCH', `/jobs/${jobId}`, admin.access_token, { after_photo_required: false }],
      ['POST', `/jobs/${jobId}/assign`, admin.access_token, { driver_id: me.driver.id }],
      ['POST', `/drivers/me/jobs/${jobId}/accept`, driver.access_token, undefined],
      ['PATCH', `/drivers/me/jobs/${jobId}/status`, driver.access_token, { status: 'en_route' }],
    ] as const) {
      const res = await api.json(method, path, token, body);
      if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }, 120_000);

  it('shows the customer the driver’s first name, truck and plate, and an arrival estimate in minutes', async () => {
    windows.onFailure('tracking-who');
    const page = await open('customer', customer);
    await page.goto(`/customer/jobs/${jobId}`);
    const card = page.getByTestId('who-is-coming');
    await card.waitFor(WAIT);
    await api.sendFix(driver.access_token, `track-${jobId}-1`);
    expect(await page.getByTestId('driver-name').textContent()).toMatch(/^\S+ · /);
    expect(await page.getByTestId('driver-name').textContent()).not.toMatch(/\S+ \S+ ·/); // first name only
    expect(await page.getByTestId('driver-vehicle').textContent()).toBe('2019 Ford F-250 pickup, plate NH 4471');
    const estimate = page.getByTestId('arrival-estimate');
    await estimate.waitFor(WAIT);
    expect(await estimate.textContent()).toMatch(/About \d+ minutes? away/);
    expect(Number(await estimate.getAttribute('data-minutes'))).toBeGreaterThan(0);
  });

  it('shows the driver on the way their truck and the driveway on one map, how far and about how long', async () => {
    windows.onFailure('tracking-driver-map');
    const page = await open('driver', driver);
    await page.goto(`/driver/jobs/${jobId}`);
    const job = page.locator(`article.job-page[data-job-id="${jobId}"]`);
    const card = job.getByRole('region', { name: 'Map to the driveway' });
    // Visible ones only: while the tile engine loads, its hidden markers stand beside the plane's.
    const truck = card.locator('[data-marker="plow"][data-marker-id="truck"]').filter({ visible: true });
    const driveway = card.locator('[data-marker="home"][data-marker-id="driveway"]').filter({ visible: true });
    await truck.waitFor(WAIT);
    await driveway.waitFor(WAIT);
    expect(Number(await truck.getAttribute('data-lat'))).toBeCloseTo(PHONE.latitude, 4);
    expect(Number(await truck.getAttribute('data-lng'))).toBeCloseTo(PHONE.longitude, 4);

    const away = card.getByTestId('job-map-away');
    await away.waitFor(WAIT);
    const meters = distanceMeters(
      { lat: PHONE.latitude, lng: PHONE.longitude },
      { lat: Number(await driveway.getAttribute('data-lat')), lng: Number(await driveway.getAttribute('data-lng')) },
    );
    expect(Math.abs(Number(await away.getAttribute('data-meters')) - meters)).toBeLessThan(5);
    const minutes = Number(await away.getAttribute('data-minutes'));
    expect(minutes).toBeGreaterThan(0);
    expect(await away.textContent()).toBe(`${(meters / METERS_PER_MILE).toFixed(1)} mi · about ${minutes} min`);
    await card.locator('[aria-label^="Map: you are "][aria-label$=" mi from the driveway"]').first().waitFor(WAIT);
    expect(await job.getByRole('link', { name: 'Navigate to the driveway' }).count()).toBe(1);
    await page.context().close();
    delete windows.pages.driver;
  });

  it('gives the driver one navigation button and the photos above “Finish job”', async () => {
    windows.onFailure('tracking-driver');
    const page = await open('driver', driver);
    await page.goto(`/driver/jobs/${jobId}`);
    const job = page.locator(`article.job-page[data-job-id="${jobId}"]`);
    await job.getByRole('button', { name: 'I’ve arrived' }).click(WAIT);
    await job.getByRole('button', { name: 'Start plowing' }).waitFor(WAIT);
    expect(await job.getByRole('region', { name: 'Map to the driveway' }).count()).toBe(0);
    await job.getByRole('button', { name: 'Start plowing' }).click(WAIT);
    const finish = job.getByRole('button', { name: 'Finish job' });
    await finish.waitFor(WAIT);
    expect(await job.getByRole('link', { name: 'Navigate to the driveway' }).count()).toBe(1);
    expect(await job.getByRole('link', { name: /Directions|map app/ }).count()).toBe(0);
    const [photoBox, finishBox] = await Promise.all([job.locator('section.photo').boundingBox(), finish.boundingBox()]);
    expect(photoBox!.y).toBeLessThan(finishBox!.y);
  });

  it('gives the driver the office number, and the customer’s own where the operator allows it', async () => {
    windows.onFailure('tracking-contact');
    const page = windows.pages.driver!;
    const office = '+16035550199';
    type Settings = { public_phone: string | null; drivers_call_customers?: boolean };
    const { body } = await api.json<{ settings: Settings }>('GET', '/admin/settings', admin.access_token);
    try {
      await api.json('PATCH', '/admin/settings', admin.access_token, {
        public_phone: office,
        drivers_call_customers: false,
      });
      await page.reload();
      const card = page.locator('section.job-contact');
      await card.getByRole('heading', { name: 'Reach the office' }).waitFor(WAIT);
      expect(await card.getByRole('link', { name: 'Call' }).getAttribute('href')).toBe(`tel:${office}`);
      expect(await card.getByRole('link', { name: 'Text' }).getAttribute('href')).toBe(`sms:${office}`);

      await api.json('PATCH', '/admin/settings', admin.access_token, { drivers_call_customers: true });
      await page.reload();
      await page.locator('section.job-contact[data-contact="customer"]').waitFor(WAIT);
      expect(await card.getByRole('heading').textContent()).toMatch(/^Reach \S+$/);
      const call = await card.getByRole('link', { name: 'Call' }).getAttribute('href');
      expect(call).toMatch(/^tel:\+\d{10,15}$/);
      expect(call).not.toBe(`tel:${office}`);
    } finally {
      await api.json('PATCH', '/admin/settings', admin.access_token, {
        public_phone: body.settings.public_phone,
        drivers_call_customers: body.settings.drivers_call_customers ?? false,
      });
    }
    // Back on the job screen, "Finish job" is tapped at once: before the photo rules load,
    // the job is finished, not held for an "After" photo it does not need.
    await page.reload();
    await page.getByRole('button', { name: 'Finish job' }).waitFor(WAIT);
  });

  it('turns the customer’s invoice paid the moment the driver records the payment, without a reload', async () => {
    windows.onFailure('tracking-invoice');
    const customerPage = windows.pages.customer!;
    const job = windows.pages.driver!.locator(`article.job-page[data-job-id="${jobId}"]`);
    await job.getByRole('button', { name: 'Finish job' }).click();
    await windows.pages.driver!.getByRole('heading', { name: 'Get paid' }).waitFor(WAIT);
    const invoiceLine = customerPage.locator('[data-invoice-id]');
    await invoiceLine.waitFor(WAIT);
    expect(await invoiceLine.textContent()).not.toContain('Paid');
    // The socket stays while the bill is open: waiting here would not see a poll (15 s) in time.
    await customerPage.getByRole('status').filter({ hasText: 'Live' }).first().waitFor(WAIT);
    await windows.pages.driver!.getByRole('button', { name: 'Cash' }).click();
    await customerPage.locator('[data-invoice-id]', { hasText: 'Paid' }).waitFor({ timeout: 8_000 });
  });

  it('raised no uncaught errors', () => {
    expect(windows.errors).toEqual([]);
  });
});
