import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Api, type Tokens } from './support/api';
import { seriousViolations } from './support/axe';
import { browserWindows, WAIT } from './support/windows';

/**
 * The live map in a storm: a driver whose phone went quiet is never offered as available,
 * a driver or job picked in the list is picked on the map and the other way round, and a
 * pending job picked on the map is assigned from there, nearest free driver first.
 */

const base = inject('appUrl');
/**
 * customer2's driveway is 45 Loudon Rd, Concord (43.2105, -71.5101). Around it: a truck a
 * few hundred metres north (nearer than any other test leaves one), one 7 km south, and one
 * whose phone went quiet to the west.
 */
const NEAR = { lat: 43.2135, lng: -71.5101 };
const FAR = { lat: 43.1475, lng: -71.5101 };
const QUIET = { lat: 43.22, lng: -71.6 };

describe('the live map', () => {
  const api = new Api(base);
  const windows = browserWindows(base);
  let page: Page;
  let admin: Tokens;
  let jobId = '';
  const tokens: Record<'near' | 'far' | 'quiet', string> = { near: '', far: '', quiet: '' };
  const ids: Record<'near' | 'far' | 'quiet', string> = { near: '', far: '', quiet: '' };

  const onFailure = (name: string) =>
    windows.onFailure(
      `live-map-${name}`,
      async () => `beside the map:\n${await page.locator('.map-page__facts').innerText().catch(String)}`,
    );

  beforeAll(async () => {
    admin = await api.login('admin@demo.test', true);
    const customer = await api.login('customer2@demo.test');
    jobId = await api.requestJob(customer.access_token, 0);
    // Drivers of this file's own: no other test's jobs or fixes can make them busy or fresher.
    const where = { near: NEAR, far: FAR, quiet: QUIET } as const;
    for (const [key, name] of [
      ['near', 'Nora Near'],
      ['far', 'Felix Far'],
      ['quiet', 'Quinn Quiet'],
    ] as const) {
      const { tokens: t, driverId } = await api.inviteDriver(admin.access_token, name);
      ids[key] = driverId;
      tokens[key] = t.access_token;
      const shift = await api.json('PATCH', '/drivers/me/status', t.access_token, { status: 'available' });
      expect(shift.status, `${name} goes on shift`).toBe(200);
      const quiet = key === 'quiet';
      await api.sendFix(
        t.access_token,
        `map-${key}-${Date.now()}`,
        where[key],
        quiet ? new Date(Date.now() - 20 * 60_000) : new Date(),
      );
    }
    page = await windows.openDesk(admin);
    await page.goto('/admin/map');
    await page.locator(`li[data-job-id="${jobId}"]`).waitFor(WAIT);
  }, 150_000);

  afterAll(async () => {
    await api.json('DELETE', `/jobs/${jobId}`, admin.access_token, {});
    // The invited drivers go off shift: no later test should find them free.
    for (const token of Object.values(tokens))
      if (token) await api.json('PATCH', '/drivers/me/status', token, { status: 'offline' });
  });

  it('never shows a driver whose phone went quiet as available', async () => {
    onFailure('quiet');
    const row = page.locator(`li[data-driver-id="${ids.quiet}"]`);
    await page.locator(`li[data-driver-id="${ids.quiet}"][data-freshness="lost"]`).waitFor(WAIT);
    await expect(row.innerText()).resolves.toMatch(/Out of touch/);
    await expect(row.innerText()).resolves.not.toMatch(/Available/);
    await page.locator(`li[data-driver-id="${ids.near}"][data-freshness="live"]`).waitFor(WAIT);
  });

  it('picks a driver on the map from the list, and a job in the list from the map', async () => {
    onFailure('pick');
    await page.locator(`li[data-driver-id="${ids.near}"] button`).click();
    await page.locator(`[data-marker-id="driver-${ids.near}"].is-selected`).waitFor(WAIT);

    // Other tests' trucks may stand over the driveway on a whole-area map: the click is
    // given to the job's square itself, as a tap on it would be.
    await page.locator(`[data-marker-id="job-${jobId}"] rect`).dispatchEvent('click');
    const item = page.locator(`li[data-job-id="${jobId}"]`);
    await page.locator(`li[data-job-id="${jobId}"].is-selected`).waitFor(WAIT);
    await expect(item.getByRole('button').getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.locator(`[data-marker-id="driver-${ids.near}"].is-selected`).count()).resolves.toBe(0);
  });

  it('assigns the picked pending job from the map, nearest free driver first', async () => {
    onFailure('assign');
    const before = await api.json<{ job: { status: string } }>('GET', `/jobs/${jobId}`, admin.access_token);
    expect(before.body.job.status).toBe('pending');
    const card = page.getByTestId('map-assign');
    await card.locator('li[data-driver-id]').first().waitFor(WAIT);
    const offered = await card
      .locator('li[data-driver-id]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-driver-id')));
    expect(offered[0]).toBe(ids.near);
    expect(offered.indexOf(ids.far)).toBeGreaterThan(0);
    expect(offered).not.toContain(ids.quiet);
    expect(await seriousViolations(page, 'live map: assign')).toEqual([]);

    await card.locator(`li[data-driver-id="${ids.near}"]`).getByRole('button').click();
    await page
      .getByText(/^Assigned .+ to Nora Near\.$/)
      .first()
      .waitFor(WAIT);
    const { body } = await api.json<{ job: { status: string; driver_id: string | null } }>(
      'GET',
      `/jobs/${jobId}`,
      admin.access_token,
    );
    expect(body.job).toMatchObject({ status: 'assigned', driver_id: ids.near });
    await page.locator(`[data-marker-id="driver-${ids.near}"].is-selected`).waitFor(WAIT);
  });

  it('raised no uncaught errors', () => {
    expect(windows.errors).toEqual([]);
  });
});
