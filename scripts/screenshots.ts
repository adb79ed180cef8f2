/**
 * `npm run screenshots`: every main screen of the three apps at phone (412×915) and desktop
 * (1440×900) size, in light and dark mode, into screenshots/ (git-ignored). Starts the app
 * with demo data on a fresh embedded database (like the browser tests), or uses a running
 * one when APP_URL is set:   APP_URL=http://127.0.0.1:8787 npm run screenshots
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { startApp, type RunningApp } from './lib/app';
import { Api } from '../test/browser/support/api';
import { launchBrowser } from '../test/browser/support/browser';
import { contextFor, prepareTour, screens, visit, type App } from '../test/browser/support/tour';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'screenshots');
const VIEWPORTS = [
  { width: 412, height: 915 },
  { width: 1440, height: 900 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

let app: RunningApp | null = null;
const base =
  process.env.APP_URL ??
  (app = await startApp({ root: ROOT, mode: 'test', port: 8797, build: true, log: () => {} })).url;
const started = Date.now();
const browser = await launchBrowser();
let failures = 0;
try {
  await mkdir(OUT, { recursive: true });
  const data = await prepareTour(new Api(base));
  const tour = screens(data);
  for (const viewport of VIEWPORTS) {
    for (const colorScheme of SCHEMES) {
      const contexts = new Map<App, BrowserContext>();
      for (const screen of tour) {
        let context = contexts.get(screen.app);
        if (!context) {
          context = await contextFor(browser, base, screen.app, data, {
            viewport,
            colorScheme,
            reducedMotion: 'reduce',
            permissions: ['geolocation'],
            geolocation: { latitude: 43.14, longitude: -71.55, accuracy: 15 },
          });
          contexts.set(screen.app, context);
        }
        const page = context.pages()[0] ?? (await context.newPage());
        const file = path.join(OUT, `${screen.name}-${viewport.width}x${viewport.height}-${colorScheme}.png`);
        try {
          await visit(page, screen.path);
          await screen.ready(page);
          await page.waitForTimeout(300); // fonts, map tiles settle
          await page.screenshot({ path: file, fullPage: true });
          console.log(`✓ ${path.relative(ROOT, file)}`);
        } catch (err) {
          failures++;
          console.error(
            `✗ ${screen.name} ${viewport.width}x${viewport.height} ${colorScheme}: ${String(err).split('\n')[0]}`,
          );
          await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        }
      }
      for (const c of contexts.values()) await c.close();
    }
  }
} finally {
  await browser.close();
  await app?.stop();
}
console.log(
  `${failures === 0 ? 'done' : `${failures} screen(s) did not load`} in ${((Date.now() - started) / 1000).toFixed(0)} s → ${path.relative(ROOT, OUT)}/`,
);
process.exit(failures === 0 ? 0 : 1);
