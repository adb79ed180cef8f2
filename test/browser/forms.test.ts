import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { FIELD_MAX, FIELD_MESSAGES } from '../../contract/field-messages';
import { Api } from './support/api';
import { launchBrowser, screenshotAll } from './support/browser';
import { contextFor, prepareTour, type TourData } from './support/tour';

/**
 * Forms in people's words: inputs hold no more than the API takes, a refused field says why
 * beside it, and adding a place never dead-ends when its address cannot be found.
 */

const WAIT = { timeout: 20_000 };
const base = inject('appUrl');
const PHONE = { viewport: { width: 390, height: 844 } };

describe('forms', () => {
  let browser: Browser;
  let data: TourData;
  const pages: Record<string, Page> = {};

  beforeAll(async () => {
    browser = await launchBrowser();
    data = await prepareTour(new Api(base));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('stops typing at the API’s limits and tells a refused field why, beside it', async () => {
    onTestFailed(() => screenshotAll(pages, 'forms-sign-up'));
    const context = await contextFor(browser, base, 'public', data, PHONE);
    const page = (pages.signUp = await context.newPage());
    await page.goto('/customer?signup=1');
    const name = page.getByLabel('Full name');
    await name.waitFor(WAIT);

    expect(await name.getAttribute('maxlength')).toBe(String(FIELD_MAX.name));
    expect(await page.getByLabel('Email').getAttribute('maxlength')).toBe(String(FIELD_MAX.email));
    const phone = page.getByLabel(/^Mobile phone/);
    expect(await phone.getAttribute('maxlength')).toBe(String(FIELD_MAX.phone));
    await name.pressSequentially('n'.repeat(FIELD_MAX.name + 5));
    expect((await name.inputValue()).length).toBe(FIELD_MAX.name);

    await name.fill('Form Tester');
    await page.getByLabel('Email').fill(`forms-${Date.now()}@demo.test`);
    await page.getByLabel('Password (at least 10 characters)').fill('long enough passphrase');
    await phone.fill('603 555');
    await page.getByRole('button', { name: 'Create account' }).click();

    const message = page.locator(`#${await phone.getAttribute('id')}-err`);
    await message.waitFor(WAIT);
    expect(await message.textContent()).toBe(FIELD_MESSAGES.phone);
    expect(await phone.getAttribute('aria-invalid')).toBe('true');
    expect(await phone.getAttribute('aria-describedby')).toBe(await message.getAttribute('id'));
    await expect
      .poll(() => page.locator('.notice--error').textContent())
      .toBe('Enter a mobile number like +1 603 555 0100.');
    await context.close();
  }, 60_000);

  it('opens the pin map when a new place’s address cannot be found, and saves it by the pin', async () => {
    onTestFailed(() => screenshotAll(pages, 'forms-place'));
    const context = await contextFor(browser, base, 'customer', data, PHONE);
    const page = (pages.place = await context.newPage());
    await page.goto('/customer/locations');
    await page.getByRole('button', { name: 'Add a place' }).click();
    const form = page.getByRole('form', { name: 'Add a place' });

    // The hint names a button that is there.
    await form.getByText('Choose "Set the pin on a map" to place it exactly.', { exact: false }).waitFor(WAIT);
    await form.getByRole('button', { name: 'Set the pin on a map' }).waitFor(WAIT);

    await form.getByLabel('Street address').fill('1 Nowhere Lane Zzyzx');
    await form.getByLabel('City').fill('Nowhere');
    await form.getByLabel('State').fill('NH');
    await form.getByLabel('ZIP code').fill('03999');
    await form.getByLabel('Use this place by default').uncheck(); // the other tests' requests stay at the shop
    expect(await form.locator('.map-view.location__map').count()).toBe(0);
    await form.getByRole('button', { name: 'Save place' }).click();

    await form.getByText(/could not find that address/).waitFor(WAIT);
    const map = form.locator('.map-view.location__map');
    await map.waitFor(WAIT);
    await form.getByText('Tap the map where the driveway is.').waitFor(WAIT);
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await form.getByText(/^Pin at /).waitFor(WAIT);
    await form.getByRole('button', { name: 'Save place' }).click();
    await page.locator('article[data-location-id]').filter({ hasText: '1 Nowhere Lane Zzyzx' }).waitFor(WAIT);
    await context.close();
  }, 90_000);
});
