import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Chromium for tests without apt: the binary inside @sparticuz/chromium, launched with
 * our own flags. Its default flag set turns off web security (CORS, mixed content),
 * which would hide exactly the bugs a browser test is for.
 */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--mute-audio',
];

export async function launchBrowser(): Promise<Browser> {
  const executablePath =
    process.env.CHROMIUM_PATH || (await (await import('@sparticuz/chromium')).default.executablePath());
  return chromium.launch({ executablePath, args: ARGS, headless: true });
}

/** Uncaught page errors, collected so a test can insist there were none. */
export function collectPageErrors(page: Page, label: string): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${label}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(msg.text()))
      errors.push(`${label} console: ${msg.text()}`);
  });
  return errors;
}

/**
 * Records the page's API traffic for failure reports: the refused calls (status ≥ 400,
 * with the error body) and how many calls went to each route.
 */
export function collectApiFailures(page: Page, label: string): string[] {
  const failures: string[] = [];
  const counts = new Map<string, number>();
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith('/api/')) return;
    const route = `${res.request().method()} ${url.pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
    if (res.status() < 400) return;
    void res
      .text()
      .catch(() => '')
      .then((body) =>
        failures.push(`${label}: ${res.request().method()} ${url.pathname} → ${res.status()} ${body.slice(0, 300)}`),
      );
  });
  page.once('close', () => counts.clear());
  Object.defineProperty(failures, 'summary', {
    value: () =>
      [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([r, n]) => `${label}: ${n}× ${r}`),
  });
  return failures;
}

/** The busiest routes a page called (from collectApiFailures' list). */
export const apiTrafficSummary = (failures: string[]): string[] =>
  (failures as string[] & { summary?: () => string[] }).summary?.() ?? [];

/** Saves a full-page screenshot of each page to test-results/browser/ (for failures). */
export async function screenshotAll(pages: Record<string, Page | undefined>, testName: string): Promise<void> {
  const dir = path.resolve('test-results/browser');
  await mkdir(dir, { recursive: true });
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  for (const [name, page] of Object.entries(pages)) {
    if (page && !page.isClosed())
      await page.screenshot({ path: path.join(dir, `${slug}-${name}.png`), fullPage: true }).catch(() => {});
  }
}
