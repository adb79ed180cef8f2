import type { BrowserContext } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { browserWindows, WAIT } from './support/windows';

/**
 * Account basics every sign-in screen owes its people: a way back in when the password is
 * forgotten, answered the same whether or not the address has an account.
 */

const base = inject('appUrl');

describe('forgot password', () => {
  const windows = browserWindows(base);
  let context: BrowserContext;

  beforeAll(async () => {
    context = await windows.context({ viewport: { width: 390, height: 844 } });
  });

  for (const [app, path, heading] of [
    ['customer', '/customer', 'Sign in'],
    ['driver', '/driver/', 'Driver sign in'],
    ['admin', '/admin', 'Dispatcher sign in'],
  ] as const) {
    it(`is linked from the ${app} sign-in screen and carries the typed email over`, async () => {
      windows.onFailure(`forgot-${app}`);
      const page = await windows.open(app, context);
      await page.goto(path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor(WAIT);
      await page.getByLabel('Email').fill(`${app}1@demo.test`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByRole('heading', { name: 'Forgot your password?', level: 1 }).waitFor(WAIT);
      expect(await page.getByLabel('Email').inputValue()).toBe(`${app}1@demo.test`);
    });
  }

  it('says the same thing for an address with an account and one without', async () => {
    const page = windows.pages.customer!;
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
    expect(windows.errors).toEqual([]);
  });
});
