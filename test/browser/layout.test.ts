import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api } from './support/api';
import { seriousViolations } from './support/axe';
import { collectPageErrors, launchBrowser } from './support/browser';
import { overflowAt, prepareTour, SCREENSHOT_DIR, screenshot, type TourData, walkTour } from './support/tour';

/**
 * Every screen of the three apps, and the states the tour opens on them, on a 390 px phone
 * and a 1440 px desktop, light and dark: nothing wider than the viewport, nothing axe calls
 * serious or critical. Each stop's picture lands in screenshots/ (CI keeps the folder), the
 * same pictures `npm run screenshots` takes.
 */

const base = inject('appUrl');
const OUT = path.resolve(SCREENSHOT_DIR);

describe('layout and accessibility of every screen', () => {
  let browser: Browser;
  let data: TourData;

  beforeAll(async () => {
    browser = await launchBrowser();
    data = await prepareTour(new Api(base));
    await mkdir(OUT, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('fits every screen in its viewport and keeps axe clean, phone and desktop, light and dark', async () => {
    const overflow: string[] = [];
    const axe: string[] = [];
    const errors: string[][] = [];
    const watched = new WeakSet<object>();
    const failures = await walkTour(browser, base, data, async (stop, loaded) => {
      if (!watched.has(stop.page)) {
        watched.add(stop.page);
        errors.push(collectPageErrors(stop.page, `${stop.screen.app} ${stop.viewport.width}px ${stop.scheme}`));
      }
      if (loaded) {
        for (const o of await overflowAt(stop.page)) overflow.push(`${stop.label}: ${o}`);
        axe.push(...(await seriousViolations(stop.page, stop.label)));
      }
      await screenshot(stop, OUT);
    });
    expect(failures, failures.join('\n')).toEqual([]);
    expect(overflow, overflow.join('\n')).toEqual([]);
    expect(axe, axe.join('\n')).toEqual([]);
    expect(errors.flat(), errors.flat().join('\n')).toEqual([]);
  }, 900_000);
});
