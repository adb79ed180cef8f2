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
  const executablePath = process.env.CHROMIUM_PATH || (await (await import('@sparticuz/chromium')).default.executablePath());
  return chromium.launch({ executablePath, args: ARGS, headless: true });
}

/** Uncaught page errors, collected so a test can insist there were none. */
export function collectPageErrors(page: Page, label: string): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${label}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource|WebSocket connection/.test(msg.text())) errors.push(`${label} console: ${msg.text()}`);
  });
  return errors;
}

/** Saves a full-page screenshot of each page to test-results/browser/ (for failures). */
export async function screenshotAll(pages: Record<string, Page | undefined>, testName: string): Promise<void> {
  const dir = path.resolve('test-results/browser');
  await mkdir(dir, { recursive: true });
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  for (const [name, page] of Object.entries(pages)) {
    if (page && !page.isClosed()) await page.screenshot({ path: path.join(dir, `${slug}-${name}.png`), fullPage: true }).catch(() => {});
  }
}
