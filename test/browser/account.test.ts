import { afterAll, beforeAll, describe, expect, inject, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, screenshotAll } from './support/browser';

/**
 * Account basics every sign-in screen owes its people: a way back in when the password is
 * forgotten, answered the same whether or not the address has an account.
 */

const WAIT = { timeout: 20_000 };
const base = inject('appUrl');

describe('forgot password', () => {
  let browser: Browser;
  let context: BrowserContext;
  const pages: Record<string, Page> = {};
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 } });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  for (const [app, path, heading] of [
    ['customer', '/customer', 'Sign in'],
    ['driver', '/driver/', 'Driver sign in'],
    ['admin', '/admin', 'Dispatcher sign in'],
  ] as const) {
    it(`is linked from the ${app} sign-in screen and carries the typed email over`, async () => {
      onTestFailed(() => screenshotAll(pages, `forgot-${app}`));
      const page = await context.newPage();
      pages[app] = page;
      errors.push(...collectPageErrors(page, app));
      await page.goto(path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor(WAIT);
      await page.getByLabel('Email').fill(`${app}1@demo.test`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByRole('heading', { name: 'Forgot your password?', level: 1 }).waitFor(WAIT);
      expect(await page.getByLabel('Email').inputValue()).toBe(`${app}1@demo.test`);
    });
  }

  it('says the same thing for an address with an account and one without', async () => {
    const page = pages.customer!;
    const answers: string[] = [];
    for (const email of ['customer1@demo.test', `nobody-${Date.now()}@example.test`]) {
      await page.goto('/auth/forgot-password');
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Email me a link' }).click();
      const status = page.getByRole('status').filter({ hasText: 'a link to choose a new password is on its way' });
      await status.waitFor(WAIT);
      answers.push((await status.textContent())!.replace(email, '<email>'));
    }
    expect(answers[0]).toBe(answers[1]);
  });

  it('raised no uncaught errors', () => {
    expect(errors).toEqual([]);
  });
});
