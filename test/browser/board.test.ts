import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { Api, type Tokens } from './support/api';
import { openColumn } from './support/board';
import { browserWindows, WAIT } from './support/windows';

/**
 * The dispatch board in a storm, on a 1440×900 desktop: every column in view, no card
 * wider than its column and no price cut, menus inside the window, totals that follow the
 * filters, the focus kept on the board after an assignment or a cancellation, and picked
 * cards assigned or cancelled together. Boxes are measured, not looked at.
 */

const base = inject('appUrl');

type Box = { left: number; right: number; top: number; bottom: number };

describe('the dispatch board at 1440×900', () => {
  const api = new Api(base);
  const windows = browserWindows(base);
  let page: Page;
  let admin: Tokens;
  /** Pending jobs made for this file (customer1's), cancelled again at the end. */
  const jobIds: string[] = [];

  const jobOf = async (id: string) =>
    (await api.json<{ job: { status: string; driver_id: string | null } }>('GET', `/jobs/${id}`, admin.access_token))
      .body.job;
  const pendingCard = (id: string) => page.locator(`[data-column="pending"] article[data-job-id="${id}"]`);
  /** Where the keyboard focus is: its column and card, or "body". */
  const focusAt = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return 'body';
      return `${el.closest('[data-column]')?.getAttribute('data-column')}/${el.closest('article')?.getAttribute('data-job-id') ?? '-'}`;
    });

  /** Picks the driver whose option starts with `name` (options read "Name (status)"). */
  const chooseDriver = async (select: Locator, name: string) => {
    const value = await select.evaluate(
      (s: HTMLSelectElement, n: string) => Array.from(s.options).find((o) => o.text.startsWith(n))?.value ?? '',
      name,
    );
    expect(value, `no option for ${name}`).not.toBe('');
    await select.selectOption(value);
  };

  const onFailure = (name: string) => windows.onFailure(`board-${name}`);

  beforeAll(async () => {
    admin = await api.login('admin@demo.test', true);
    const customer = await api.login('customer1@demo.test');
    // A storm's worth of requests on every driveway tier (prices up to the widest).
    for (let i = 0; i < 8; i++)
      jobIds.push(await api.requestJob(customer.access_token, i % 6, { special_instructions: `Storm drive ${i + 1}` }));
    page = await windows.openDesk(admin);
    await page.goto('/admin');
    for (const id of jobIds) await pendingCard(id).waitFor(WAIT);
  }, 150_000);

  afterAll(async () => {
    // Leave the demo drivers free for the files after this one.
    for (const id of jobIds) await api.json('DELETE', `/jobs/${id}`, admin.access_token, {});
  });

  /** Every column's box, and each card's and price's box with the price's own scroll width. */
  const measure = () =>
    page.evaluate(() => {
      const box = (el: Element) => {
        const r = el.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      };
      const board = document.querySelector<HTMLElement>('[data-testid="board"]')!;
      return {
        board: { ...box(board), scrollWidth: board.scrollWidth, clientWidth: board.clientWidth },
        viewport: document.documentElement.clientWidth,
        columns: Array.from(board.querySelectorAll<HTMLElement>('[data-column]')).map((col) => ({
          status: col.dataset.column!,
          folded: col.dataset.folded === 'true',
          box: box(col),
          cards: Array.from(col.querySelectorAll<HTMLElement>('article[data-job-id]')).map((card) => {
            const price = card.querySelector<HTMLElement>('[data-testid="card-price"]')!;
            return {
              id: card.dataset.jobId!,
              box: box(card),
              scrollWidth: card.scrollWidth,
              clientWidth: card.clientWidth,
              price: {
                box: box(price),
                scrollWidth: price.scrollWidth,
                clientWidth: price.clientWidth,
                text: price.textContent,
              },
            };
          }),
        })),
      };
    });
  const inside = (inner: Box, outer: Box) =>
    inner.left >= outer.left - 0.5 &&
    inner.right <= outer.right + 0.5 &&
    inner.top >= outer.top - 0.5 &&
    inner.bottom <= outer.bottom + 0.5;

  it('shows every column without scrolling sideways, finished ones folded; no card is wider than its column and no price is cut', async () => {
    onFailure('fit');
    const m = await measure();
    expect(
      m.board.scrollWidth,
      m.columns.map((c) => `${c.status} ${Math.round(c.box.left)}–${Math.round(c.box.right)}`).join(', '),
    ).toBeLessThanOrEqual(m.board.clientWidth + 1);
    expect(m.board.right).toBeLessThanOrEqual(m.viewport);
    expect(m.columns.map((c) => c.status)).toEqual(
      expect.arrayContaining(['pending', 'assigned', 'en_route', 'arrived', 'in_progress', 'completed', 'cancelled']),
    );
    for (const col of m.columns) {
      expect(inside(col.box, m.board), `${col.status} column outside the board`).toBe(true);
      expect(col.folded, col.status).toBe(['completed', 'cancelled', 'disputed'].includes(col.status));
      if (col.folded) expect(col.cards, `${col.status} is folded`).toEqual([]);
      for (const card of col.cards) {
        const label = `${col.status} card ${card.id}`;
        expect(inside(card.box, col.box), `${label} overflows its column`).toBe(true);
        expect(card.scrollWidth, `${label} has content wider than itself`).toBeLessThanOrEqual(card.clientWidth);
        expect(inside(card.price.box, card.box), `${label}: price outside the card`).toBe(true);
        expect(card.price.scrollWidth, `${label}: price cut`).toBeLessThanOrEqual(card.price.clientWidth);
        expect(card.price.text).toMatch(/^\$\d+(\.\d\d)?$/);
      }
    }
    const pending = m.columns.find((c) => c.status === 'pending')!;
    expect(pending.cards.map((c) => c.id)).toEqual(expect.arrayContaining(jobIds));

    // A folded strip opens on a click, its cards fit too, and it folds again.
    await page.locator('[data-column="completed"] button[aria-expanded="false"]').click();
    await page.locator('[data-column="completed"] button[aria-expanded="true"]').waitFor(WAIT);
    const opened = await measure();
    expect(opened.board.scrollWidth).toBeLessThanOrEqual(opened.board.clientWidth + 1);
    const completed = opened.columns.find((c) => c.status === 'completed')!;
    for (const card of completed.cards) expect(inside(card.box, completed.box)).toBe(true);
    await page.locator('[data-column="completed"] button[aria-expanded="true"]').click();
    await page.locator('[data-column="completed"][data-folded="true"]').waitFor(WAIT);
  });

  it('keeps the "Move to…" menu inside the window, even for the lowest card', async () => {
    onFailure('menu');
    const last = page.locator('[data-column="pending"] article').last();
    await last.scrollIntoViewIfNeeded();
    // The card's button at the very bottom of the window: the menu must open upwards.
    await page.evaluate(() => {
      const buttons = document.querySelectorAll<HTMLElement>('[data-column="pending"] article [aria-haspopup="menu"]');
      const button = buttons[buttons.length - 1]!;
      window.scrollBy(0, button.getBoundingClientRect().bottom - window.innerHeight + 4);
    });
    await last.getByRole('button', { name: 'Move to…' }).click();
    const menu = page.getByRole('menu');
    await menu.waitFor(WAIT);
    const seen = await page.evaluate(() => {
      const r = document.querySelector('[role="menu"]')!.getBoundingClientRect();
      return {
        left: r.left,
        right: r.right,
        top: r.top,
        bottom: r.bottom,
        w: window.innerWidth,
        h: window.innerHeight,
      };
    });
    expect(seen.top).toBeGreaterThanOrEqual(0);
    expect(seen.left).toBeGreaterThanOrEqual(0);
    expect(seen.bottom).toBeLessThanOrEqual(seen.h);
    expect(seen.right).toBeLessThanOrEqual(seen.w);
    // Every item can be reached (the menu is not cut by the board's scrolling box).
    const items = menu.getByRole('menuitem');
    const n = await items.count();
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      const at = await items.nth(i).boundingBox();
      const hit = await page.evaluate(
        ([x, y]) => document.elementFromPoint(x!, y!)?.closest('[role="menuitem"]')?.textContent ?? null,
        [at!.x + at!.width / 2, at!.y + at!.height / 2],
      );
      expect(hit).toBe(await items.nth(i).textContent());
    }
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached', ...WAIT });
    await page.evaluate(() => window.scrollTo(0, 0));
  });

  it('makes the column totals follow the search and the driver filter, and counts Cancelled without summing it', async () => {
    onFailure('totals');
    const summaryOf = (status: string) => page.locator(`[data-column="${status}"] .board__summary`);
    const search = page.getByRole('searchbox', { name: 'Search address, customer or driver' });

    await search.fill('no such place anywhere');
    for (const status of ['pending', 'assigned', 'completed', 'cancelled']) {
      await expect.poll(() => summaryOf(status).getAttribute('data-count'), WAIT).toBe('0');
      expect(await summaryOf(status).textContent()).not.toMatch(/[1-9]/);
    }

    // Customer1's name: the storm's new jobs, and any other of theirs.
    await search.fill('Carol Customer');
    await expect
      .poll(async () => Number(await summaryOf('pending').getAttribute('data-count')), WAIT)
      .toBeGreaterThanOrEqual(jobIds.length);
    const shown = await page
      .locator('[data-column="pending"] article')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-job-id')));
    expect(shown).toEqual(expect.arrayContaining(jobIds));
    expect(Number(await summaryOf('pending').getAttribute('data-count'))).toBe(shown.length);
    const prices = await page
      .locator('[data-column="pending"] [data-testid="card-price"]')
      .evaluateAll((els) => els.map((e) => Math.round(Number(e.textContent!.replace(/[$,]/g, '')) * 100)));
    expect(Number(await summaryOf('pending').getAttribute('data-sum'))).toBe(prices.reduce((a, b) => a + b, 0));

    // "Unassigned" keeps the storm's new jobs; a driver with none of them shows none.
    await search.fill('');
    await page.getByLabel('Driver', { exact: true }).selectOption('-');
    await expect
      .poll(async () => Number(await summaryOf('pending').getAttribute('data-count')), WAIT)
      .toBeGreaterThanOrEqual(jobIds.length);
    await expect.poll(() => summaryOf('assigned').getAttribute('data-count'), WAIT).toBe('0');
    await page.getByLabel('Driver', { exact: true }).selectOption('');

    // Cancelled jobs are counted; their prices are not added up.
    const cancelled = summaryOf('cancelled');
    expect(await cancelled.getAttribute('data-sum')).toBeNull();
    expect(await cancelled.textContent()).not.toContain('$');
    expect(await summaryOf('pending').textContent()).toContain('$');
  });

  it('keeps the focus on the board after an assignment and after a cancellation, and says what happened', async () => {
    onFailure('focus');
    const order = async () =>
      page
        .locator('[data-column="pending"] article')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-job-id')));
    // Assign the first of our cards through "Move to… → Assigned" and the driver dialog.
    const before = await order();
    const first = jobIds.find((id) => before.indexOf(id) < before.length - 1)!;
    const expected = before[before.indexOf(first) + 1];
    await pendingCard(first).getByRole('button', { name: 'Move to…' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: /Assigned/ }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    const select = dialog.getByRole('combobox');
    await select.waitFor(WAIT);
    await chooseDriver(select, 'Dave Plowman');
    await dialog.getByRole('button', { name: 'Assign' }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(/Assigned .* to Dave Plowman\./)
      .first()
      .waitFor(WAIT);
    await expect.poll(focusAt, WAIT).toBe(`pending/${expected}`);
    await expect.poll(async () => (await jobOf(first)).status, WAIT).toBe('assigned');

    // Cancel the card that now has the focus: confirm, and the focus moves on again.
    const now = await order();
    const cancelled = expected!;
    const after = now[now.indexOf(cancelled) + 1] ?? now[now.indexOf(cancelled) - 1];
    await page.keyboard.press('Enter'); // the focused "Move to…" opens
    await page.getByRole('menuitem', { name: /Cancelled/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel job' }).waitFor(WAIT);
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(/Moved .* to Cancelled\./)
      .first()
      .waitFor(WAIT);
    await expect.poll(focusAt, WAIT).toBe(after ? `pending/${after}` : 'pending/-');
    await expect.poll(async () => (await jobOf(cancelled)).status, WAIT).toBe('cancelled');
  });

  it('assigns several picked cards to one driver, and cancels several with one reason', async () => {
    onFailure('bulk');
    const open = [];
    for (const id of jobIds) if ((await jobOf(id)).status === 'pending') open.push(id);
    expect(open.length).toBeGreaterThanOrEqual(4);
    const [a, b, c, d] = open as [string, string, string, string];

    for (const id of [a, b]) await pendingCard(id).getByRole('checkbox').check();
    const bar = page.getByRole('region', { name: 'Selected jobs' });
    await bar.getByText('2 jobs selected').waitFor(WAIT);
    await bar.getByRole('button', { name: 'Assign to one driver…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Assign 2 jobs to one driver' });
    const select = dialog.getByRole('combobox');
    await chooseDriver(select, 'Erin Blade');
    await dialog.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('status').getByText('Assigned 2 jobs to Erin Blade.').first().waitFor(WAIT);
    await bar.waitFor({ state: 'detached', ...WAIT });
    for (const id of [a, b]) {
      await expect.poll(async () => (await jobOf(id)).status, WAIT).toBe('assigned');
      await page.locator(`[data-column="assigned"] article[data-job-id="${id}"]`).waitFor(WAIT);
    }
    expect(await focusAt()).not.toBe('body');

    for (const id of [c, d]) await pendingCard(id).getByRole('checkbox').check();
    await bar.getByRole('button', { name: 'Cancel them…' }).click();
    const confirm = page.getByRole('dialog', { name: /Cancel 2 jobs\?/ });
    await confirm.getByLabel('Why they are cancelled').fill('The storm turned to rain');
    await confirm.getByRole('button', { name: 'Cancel these jobs' }).click();
    await page.getByRole('status').getByText('Cancelled 2 jobs.').first().waitFor(WAIT);
    for (const id of [c, d]) await expect.poll(async () => (await jobOf(id)).status, WAIT).toBe('cancelled');
    const { body } = await api.json<{ events: { new_status: string; notes: string | null }[] }>(
      'GET',
      `/jobs/${c}/status-history`,
      admin.access_token,
    );
    expect(body.events.at(-1)?.new_status).toBe('cancelled');
    await openColumn(page, 'cancelled');
    for (const id of [c, d]) await page.locator(`[data-column="cancelled"] article[data-job-id="${id}"]`).waitFor(WAIT);
    expect(await focusAt()).not.toBe('body');
  });

  it('raised no uncaught errors', () => {
    expect(windows.errors).toEqual([]);
  });
});
