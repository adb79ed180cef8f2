import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api } from './support/api';
import { openColumn } from './support/board';
import { collectPageErrors, launchBrowser, screenshotAll } from './support/browser';
import { contextFor, prepareTour, type App, type TourData } from './support/tour';

/**
 * Accessibility by keyboard: the dispatch board must be fully usable without a mouse.
 * (axe-core on every screen and state, phone and desktop, light and dark, runs in the
 * layout tour: test/browser/layout.test.ts.)
 */

const WAIT = { timeout: 20_000 };
const base = inject('appUrl');
const api = new Api(base);

describe('the dispatch board by keyboard', () => {
  let browser: Browser;
  let data: TourData;
  const contexts: BrowserContext[] = [];
  const pages: Record<string, Page> = {};
  /** Each page's error list, filled as errors happen. */
  const errors: string[][] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    data = await prepareTour(api);
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
  });

  async function pageFor(app: App, scheme: 'light' | 'dark'): Promise<Page> {
    const key = `${app}-${scheme}`;
    if (pages[key]) return pages[key];
    const context = await contextFor(browser, base, app, data, {
      colorScheme: scheme,
      reducedMotion: 'reduce',
      permissions: ['geolocation'],
      geolocation: { latitude: 43.14, longitude: -71.55, accuracy: 15 },
    });
    contexts.push(context);
    const page = await context.newPage();
    errors.push(collectPageErrors(page, key));
    pages[key] = page;
    return page;
  }

  it('lets a dispatcher work the board with the keyboard alone', async () => {
    onTestFailed(() => screenshotAll(pages, 'a11y-keyboard'));
    const page = await pageFor('admin', 'light');
    await page.goto('/admin');
    const card = page.locator(`article[data-job-id="${data.jobId}"]`);
    await card.waitFor(WAIT);

    // The first Tab reaches the skip link, which takes focus into the page.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');

    // "Move to…" is a menu button: Enter opens it on the first item, arrows move, Escape closes.
    const move = card.getByRole('button', { name: 'Move to…' });
    await move.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await menu.waitFor(WAIT);
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    const first = await focused();
    expect(first).toMatch(/En route|Pending|Cancelled/);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).not.toBe(first);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached', ...WAIT });
    expect(await move.evaluate((el) => el === document.activeElement)).toBe(true);

    // Details opens the job in a dialog that keeps focus inside and gives it back on Escape.
    const details = card.getByRole('link', { name: /^Details/ });
    await details.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Timeline').waitFor(WAIT);
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      const inside = await dialog.evaluate((d) => d.contains(document.activeElement));
      expect(
        inside,
        `Tab ${i + 1} left the dialog for ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))}`,
      ).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await page.waitForURL(/\/admin$/, WAIT);
    await page.waitForFunction(() => document.activeElement?.textContent === 'Details', undefined, WAIT);

    // A refused move (here: no network) is undone, and the dispatcher is told why.
    await page.context().setOffline(true);
    await move.focus();
    await page.keyboard.press('Enter');
    await menu.waitFor(WAIT);
    await page.getByRole('menuitem', { name: /Cancelled/ }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog');
    await confirm.getByRole('button', { name: 'Cancel job' }).waitFor(WAIT);
    await page.keyboard.press('Enter'); // the confirm button has focus
    await page
      .getByText(/Could not move .*It is back in Assigned\./)
      .first()
      .waitFor(WAIT);
    await page.locator(`[data-column="assigned"] article[data-job-id="${data.jobId}"]`).waitFor(WAIT);
    await page.context().setOffline(false);

    // The same move for real: the card lands in Cancelled and stays there.
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor(WAIT);
    await move.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: /Cancelled/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel job' }).waitFor(WAIT);
    await page.keyboard.press('Enter');
    await page
      .getByText(/Moved .* to Cancelled\./)
      .first()
      .waitFor(WAIT);
    // The keyboard stays on the board (the next card, or the column it left), not on the page.
    expect(
      await page.evaluate(() => document.activeElement?.closest('[data-column]')?.getAttribute('data-column')),
    ).toBe('assigned');
    await openColumn(page, 'cancelled');
    await page.locator(`[data-column="cancelled"] article[data-job-id="${data.jobId}"]`).waitFor(WAIT);
    const { body } = await api.json<{ job: { status: string } }>(
      'GET',
      `/jobs/${data.jobId}`,
      data.sessions.admin.access_token,
    );
    expect(body.job.status).toBe('cancelled');
  }, 180_000);

  it('raised no uncaught errors', () => {
    expect(errors.flat()).toEqual([]);
  });
});
