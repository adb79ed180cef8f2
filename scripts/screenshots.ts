/**
 * `npm run screenshots`: every screen of the three apps (and the states the tour opens) at
 * phone (390×844) and desktop (1440×900) size, in light and dark mode, into screenshots/
 * (git-ignored), and fails naming any screen wider than its viewport. Starts the app with
 * demo data on a fresh embedded database (like the browser tests), or uses a running one
 * when APP_URL is set:   APP_URL=http://127.0.0.1:8787 npm run screenshots
 * The browser test test/browser/layout.test.ts walks the same tour (and runs axe on it).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startApp, type RunningApp } from './lib/app';
import { Api } from '../test/browser/support/api';
import { launchBrowser } from '../test/browser/support/browser';
import { overflowAt, prepareTour, SCREENSHOT_DIR, screenshot, walkTour } from '../test/browser/support/tour';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, SCREENSHOT_DIR);

let app: RunningApp | null = null;
const base =
  process.env.APP_URL ??
  // The tour signs in to each app and tries a sign-up at every size: loosen the auth rate limit as the tests do.
  (app = await startApp({
    root: ROOT,
    mode: 'test',
    port: 8797,
    build: true,
    log: () => {},
    vars: { RATE_LIMIT_AUTH: '1000/60' },
  })).url;
const started = Date.now();
const browser = await launchBrowser();
const problems: string[] = [];
let count = 0;
try {
  await mkdir(OUT, { recursive: true });
  const data = await prepareTour(new Api(base));
  problems.push(
    ...(await walkTour(browser, base, data, async (stop, loaded) => {
      if (loaded) for (const o of await overflowAt(stop.page)) problems.push(`${stop.label}: ${o}`);
      await screenshot(stop, OUT);
      count++;
      console.log(`${loaded ? '✓' : '✗'} ${path.relative(ROOT, OUT)}/${stop.slug}.png`);
    })),
  );
} finally {
  await browser.close();
  await app?.stop();
}
for (const p of problems) console.error(`✗ ${p}`);
console.log(
  `${count} screenshots, ${problems.length === 0 ? 'all fit' : `${problems.length} problem(s)`} in ${((Date.now() - started) / 1000).toFixed(0)} s → ${path.relative(ROOT, OUT)}/`,
);
process.exit(problems.length === 0 ? 0 : 1);
