import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { namedFlavor } from '@protomaps/basemaps';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import { fixtureArchive } from '../support/pmtiles';
import { Api, type Tokens, signIn } from './support/api';
import { collectPageErrors, launchBrowser, screenshotAll } from './support/browser';

/**
 * The basemap as people see it: the operator's own archive from R2 (light or dark after
 * the page), and without one the scaled backdrop instead of a blank grey square.
 */

const WAIT = { timeout: 30_000 };
const base = inject('appUrl');
const persistTo = inject('appPersistTo');
const ROOT = path.resolve(import.meta.dirname, '../..');
const ARCHIVE = 'plowdispatch-files/tiles/basemap.pmtiles';

const wrangler = (...args: string[]) =>
  execFileSync(path.join(ROOT, 'node_modules/.bin/wrangler'), args, { cwd: ROOT, stdio: 'pipe' });
const removeArchive = () => wrangler('r2', 'object', 'delete', ARCHIVE, '--local', '--persist-to', persistTo);

type Rgb = [number, number, number];
const hex = (h: string): Rgb => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as Rgb;
const near = (a: Rgb, b: Rgb) => a.every((v, i) => Math.abs(v - b[i]!) <= 8);

/** The colour most of the map shows, from a screenshot of it (markers and lines are a few pixels). */
async function mainColour(page: Page): Promise<Rgb> {
  const canvas = page.locator('.location__map .maplibregl-canvas').first();
  const png = (await canvas.screenshot()).toString('base64');
  // Decoded on a blank page: the app's Content-Security-Policy rightly refuses data: URLs.
  const scratch = await page.context().newPage();
  const colour = await scratch.evaluate(async (data) => {
    const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${data}`)).blob());
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const g = c.getContext('2d')!;
    g.drawImage(bitmap, 0, 0);
    const counts = new Map<string, number>();
    for (let x = 5; x < bitmap.width; x += 17) {
      for (let y = 5; y < bitmap.height; y += 17) {
        const [r, gg, b] = g.getImageData(x, y, 1, 1).data;
        const key = `${r},${gg},${b}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const top = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    return top.split(',').map(Number) as [number, number, number];
  }, png);
  await scratch.close();
  return colour;
}

describe('the basemap', () => {
  let browser: Browser;
  let customer: Tokens;
  let dir: string;
  const pages: Record<string, Page> = {};
  /** Each page's error list, filled as errors happen. */
  const errors: string[][] = [];

  /** The customer's places page (one map per saved place) in a fresh context of `scheme`. */
  async function placesPage(scheme: 'light' | 'dark', tileAnswers: Response[] = []): Promise<Page> {
    const context = await browser.newContext({
      baseURL: base,
      viewport: { width: 390, height: 844 },
      colorScheme: scheme,
    });
    await signIn(context, 'customer', customer);
    const page = await context.newPage();
    pages[scheme] = page;
    errors.push(collectPageErrors(page, scheme));
    page.on('response', (res) => {
      if (new URL(res.url()).pathname.startsWith('/tiles/')) tileAnswers.push(res);
    });
    await page.goto('/customer/locations');
    await page.locator('.location__map[data-map-engine="maplibre"]').first().waitFor(WAIT);
    await page.locator('.location__map .maplibregl-canvas').first().waitFor(WAIT);
    // Let the style and its tiles paint.
    await page.waitForFunction(() => document.querySelector('.maplibregl-ctrl-scale')?.textContent?.trim(), WAIT);
    await page.waitForTimeout(1500);
    return page;
  }

  beforeAll(async () => {
    customer = await new Api(base).login('customer1@demo.test');
    dir = mkdtempSync(path.join(tmpdir(), 'basemap-'));
    removeArchive(); // a clean slate, also against an app left running with BROWSER_APP_URL
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    // Other files' maps expect the backdrop of a fresh install.
    removeArchive();
    rmSync(dir, { recursive: true, force: true });
    await browser?.close();
  });

  it('draws a scaled backdrop with the map colours of the page when no archive is loaded', async () => {
    onTestFailed(() => screenshotAll(pages, 'maps-backdrop'));
    const tileAnswers: Response[] = [];
    const light = await placesPage('light', tileAnswers);
    expect(await light.locator('.location__map [data-basemap]').first().getAttribute('data-basemap')).toBe('backdrop');
    expect(tileAnswers.map((r) => r.status())).toContain(404);
    expect(await light.locator('.maplibregl-ctrl-scale').first().textContent()).toMatch(/\d+\s*(ft|mi)/);
    expect(near(await mainColour(light), hex('#e8eef6'))).toBe(true);
    const dark = await placesPage('dark');
    expect(near(await mainColour(dark), hex('#101a2b'))).toBe(true);
    expect(errors.flat()).toEqual([]);
    await light.context().close();
    await dark.context().close();
  }, 120_000);

  it('draws the archive put in R2 with `npm run tiles:load`, read by range requests, light and dark', async () => {
    onTestFailed(() => screenshotAll(pages, 'maps-archive'));
    const file = path.join(dir, 'region.pmtiles');
    writeFileSync(file, fixtureArchive());
    execFileSync('npm', ['run', 'tiles:load', '--', file, '--persist-to', persistTo], { cwd: ROOT, stdio: 'pipe' });

    const colours: Record<'light' | 'dark', [number, number, number]> = { light: [0, 0, 0], dark: [0, 0, 0] };
    for (const scheme of ['light', 'dark'] as const) {
      const tileAnswers: Response[] = [];
      const page = await placesPage(scheme, tileAnswers);
      expect(await page.locator('.location__map [data-basemap]').first().getAttribute('data-basemap')).toBe('archive');
      const statuses = tileAnswers.map((r) => r.status());
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 206)).toBe(true);
      expect(tileAnswers[0]!.headers()['content-range']).toMatch(/^bytes 0-\d+\/\d+$/);
      colours[scheme] = await mainColour(page);
      // The demo places are in New Hampshire: the test tile's water quarter, in the style's colours.
      expect(near(colours[scheme], hex(namedFlavor(scheme).water)), `${scheme}: ${colours[scheme]}`).toBe(true);
      await page.context().close();
    }
    expect(near(colours.light, colours.dark)).toBe(false);
    expect(errors.flat()).toEqual([]);
  }, 180_000);

  it('repaints the map when the phone turns dark (and back) with the page open', async () => {
    onTestFailed(() => screenshotAll(pages, 'maps-scheme-switch'));
    const page = await placesPage('light');
    const shows = (scheme: 'light' | 'dark') => async () =>
      near(await mainColour(page), hex(namedFlavor(scheme).water));
    expect(await shows('light')()).toBe(true);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(shows('dark'), { timeout: 20_000, interval: 1000 }).toBe(true);
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(shows('light'), { timeout: 20_000, interval: 1000 }).toBe(true);
    expect(errors.flat()).toEqual([]);
    await page.context().close();
  }, 120_000);
});
