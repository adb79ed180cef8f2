import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, screenshotAll } from './support/browser';

/**
 * The driver app is an installable PWA: a manifest with the fields and icons Chrome asks
 * for, a service worker that controls the page, Chrome's own installability check passes,
 * and the start page opens with no network at all. The customer app and the admin portal
 * install as themselves, each with its own manifest and scope, outside the driver's worker.
 */

const WAIT = { timeout: 20_000 };
const base = inject('appUrl');

interface Manifest {
  id: string;
  name: string;
  short_name: string;
  start_url: string;
  scope: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
}

describe('the driver app as an installable PWA', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: base, viewport: { width: 412, height: 915 } });
    page = await context.newPage();
    errors = collectPageErrors(page, 'pwa');
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('links a manifest with name, scope, start URL, standalone display and 192/512/maskable icons', async () => {
    onTestFailed(() => screenshotAll({ page }, 'pwa-manifest'));
    await page.goto('/driver/');
    await page.getByRole('heading', { name: 'Driver sign in' }).waitFor(WAIT);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBe('/driver.webmanifest');
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    const m = (await res.json()) as Manifest;
    expect(m).toMatchObject({
      id: '/driver/',
      name: 'PlowDispatch Driver',
      short_name: 'Plow Driver',
      start_url: '/driver/',
      scope: '/driver/',
      display: 'standalone',
    });
    expect(m.theme_color).toMatch(/^#/);
    expect(m.background_color).toMatch(/^#/);
    const sizes = m.icons.map((i) => `${i.sizes}:${i.purpose ?? 'any'}`);
    expect(sizes).toEqual(expect.arrayContaining(['192x192:any', '512x512:any', '512x512:maskable']));
    for (const icon of m.icons) {
      const img = await page.request.get(icon.src);
      expect(img.status(), icon.src).toBe(200);
      expect(img.headers()['content-type']).toBe('image/png');
    }
  });

  it('registers a service worker that controls the driver app and passes Chrome’s installability check', async () => {
    onTestFailed(() => screenshotAll({ page }, 'pwa-sw'));
    const sw = await page.request.get('/sw.js');
    expect(sw.status()).toBe(200);
    expect(await sw.text()).toContain('precache');
    await page.waitForFunction(
      () => navigator.serviceWorker?.controller?.scriptURL.endsWith('/sw.js') ?? false,
      undefined,
      WAIT,
    );
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
  });

  it('opens the driver app with no network at all (precached start page and app)', async () => {
    onTestFailed(() => screenshotAll({ page }, 'pwa-offline'));
    await context.setOffline(true);
    await page.goto('/driver/');
    await page.getByRole('heading', { name: 'Driver sign in' }).waitFor(WAIT);
    // Deep links into the driver app work offline too (the app shell for any /driver path).
    await page.goto('/driver/jobs/00000000-0000-4000-8000-000000000000');
    await page.getByRole('heading', { name: 'Driver sign in' }).waitFor(WAIT);
    await context.setOffline(false);
  });

  it('controls only the driver app: the customer app and the admin portal are not served by its worker', async () => {
    onTestFailed(() => screenshotAll({ page }, 'pwa-scope'));
    const reg = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.scope ?? null);
    expect(reg).toBe(`${new URL(base).origin}/driver/`);
    const other = await context.newPage();
    await other.goto('/customer');
    await other.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
    expect(await other.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null)).toBeNull();
    await other.close();
  });

  for (const app of [
    {
      path: '/customer',
      heading: 'Sign in',
      manifest: '/customer.webmanifest',
      name: 'PlowDispatch',
      scope: '/customer',
    },
    {
      path: '/admin',
      heading: 'Dispatcher sign in',
      manifest: '/admin.webmanifest',
      name: 'PlowDispatch Dispatch',
      scope: '/admin',
    },
  ]) {
    it(`installs ${app.path} as itself: its own manifest, name and scope, and Chrome finds it installable`, async () => {
      onTestFailed(() => screenshotAll({ page }, `pwa-${app.scope.slice(1)}`));
      const p = await context.newPage();
      await p.goto(app.path);
      await p.getByRole('heading', { name: app.heading, level: 1 }).waitFor(WAIT);
      expect(await p.locator('link[rel="manifest"]').getAttribute('href')).toBe(app.manifest);
      const m = (await (await p.request.get(app.manifest)).json()) as Manifest;
      expect(m).toMatchObject({ name: app.name, start_url: app.scope, scope: app.scope, display: 'standalone' });
      const cdp = await context.newCDPSession(p);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: { errorId: string }[];
      };
      expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
      await p.close();
    });
  }

  it('raised no uncaught errors', () => {
    expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e))).toEqual([]);
  });
});
