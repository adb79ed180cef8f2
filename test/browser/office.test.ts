import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Api, type Tokens } from './support/api';
import { seriousViolations } from './support/axe';
import { openColumn } from './support/board';
import { browserWindows, WAIT } from './support/windows';

/**
 * The office at work in the portal: a customer phones in and the dispatcher enters them and
 * a job for them; a job is moved on the board with the keyboard alone; a finished job is
 * disputed, its evidence pack downloaded and checked against its hash, and the dispute
 * settled with a credit.
 */

const base = inject('appUrl');

/** JSON with keys sorted and no whitespace, written here from the pack's own hash note. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

describe('the office: phone-in job, keyboard move, dispute, evidence pack', () => {
  const api = new Api(base);
  const windows = browserWindows(base);
  let admin: Tokens;
  /** Finished by driver2 today: the job to dispute. */
  let doneJobId = '';
  /** Assigned to driver2, not started: the job to move by keyboard. */
  let movingJobId = '';
  const caller = {
    name: `Pat Phonecall ${Date.now().toString(36)}`,
    // Outside the demo data's numbers (+1603555 01xx, 02xx): a number on file would be refused.
    phone: `+1802555${1000 + Math.floor(Math.random() * 9000)}`,
  };

  const jobStatus = async (id: string) =>
    (await api.json<{ job: { status: string } }>('GET', `/jobs/${id}`, admin.access_token)).body.job.status;
  const eventually = async (read: () => Promise<unknown>, want: unknown) => {
    let got: unknown;
    for (let i = 0; i < 40; i++) {
      got = await read();
      if (got === want) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(got).toBe(want);
  };
  const noAxeViolations = async (page: Page, label: string) => expect(await seriousViolations(page, label)).toEqual([]);

  const onFailure = (name: string) => windows.onFailure(`office-${name}`);

  beforeAll(async () => {
    const customer = await api.login('customer2@demo.test');
    const driver = await api.login('driver2@demo.test');
    admin = await api.login('admin@demo.test', true);
    const { body: me } = await api.json<{ driver: { id: string } }>('GET', '/drivers/me', driver.access_token);
    await api.json('PATCH', '/drivers/me/status', driver.access_token, { status: 'available' });

    doneJobId = await api.requestJob(customer.access_token, 0, { special_instructions: 'Clear the walk too' });
    await api.completeJob(doneJobId, admin.access_token, driver.access_token);

    movingJobId = await api.requestJob(customer.access_token, 0);
    expect(
      (await api.json('POST', `/jobs/${movingJobId}/assign`, admin.access_token, { driver_id: me.driver.id })).status,
    ).toBe(200);

    await windows.openDesk(admin, { acceptDownloads: true });
  }, 150_000);

  afterAll(async () => {
    // Leave driver2 free for the files after this one.
    if (movingJobId && admin) await api.json('DELETE', `/jobs/${movingJobId}`, admin.access_token, {});
  });

  it('enters a customer who phoned in, then a job for them from the board', async () => {
    onFailure('phone-in');
    const page = windows.pages.admin!;
    await page.goto('/admin/contracts');
    await page.getByRole('heading', { name: 'Contracts', level: 1 }).waitFor(WAIT);
    await page.getByText('Customer who phoned in').click();
    const form = page.locator('details form');
    await form.getByLabel('Name', { exact: true }).fill(caller.name);
    await form.getByLabel(/^Mobile number/).fill(caller.phone);
    await form.getByLabel('Street address').fill('9 Rumford St');
    await form.getByLabel('ZIP code').fill('03301');
    // No geocoder here: the dispatcher pins the driveway (the map opens on the home base).
    await form.getByRole('img', { name: /Their driveway on the map/ }).click();
    await form.getByText(/Pin at 43\.\d+/).waitFor(WAIT);
    await form.getByRole('button', { name: 'Add customer' }).click();
    await page.getByText(`${caller.name} added.`, { exact: false }).first().waitFor(WAIT);

    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Dispatch board', level: 1 }).waitFor(WAIT);
    await page.getByRole('button', { name: 'New job' }).click();
    const dialog = page.getByRole('dialog', { name: 'New job for a customer' });
    await dialog.waitFor(WAIT);
    // The search box has the focus: the dispatcher types the caller's number.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('search');
    await noAxeViolations(page, 'new job dialog (empty)');
    await page.keyboard.type(caller.phone);
    const customerSelect = dialog.getByLabel('Customer', { exact: true });
    await expect
      .poll(() => customerSelect.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text ?? ''), WAIT)
      .toContain(caller.name);
    const placeSelect = dialog.getByLabel('Their place');
    await expect
      .poll(() => placeSelect.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text ?? ''), WAIT)
      .toContain('9 Rumford St');
    await dialog.getByLabel('Driveway size').selectOption({ index: 1 });
    await dialog.getByLabel('Notes for the driver (optional)').fill('Called in: plow before 7');
    await noAxeViolations(page, 'new job dialog (filled)');
    await dialog.getByRole('button', { name: 'Create job' }).click();
    await page
      .getByText(/New job at 9 Rumford St.* is in Pending\./)
      .first()
      .waitFor(WAIT);
    await page.locator('[data-column="pending"] article', { hasText: caller.name }).waitFor(WAIT);

    const { body } = await api.json<{ customers: { id: string; full_name: string }[] }>(
      'GET',
      `/admin/customers?q=${encodeURIComponent(caller.phone)}`,
      admin.access_token,
    );
    expect(body.customers.map((c) => c.full_name)).toEqual([caller.name]);
    const { body: list } = await api.json<{
      jobs: { status: string; source: string; special_instructions: string | null; job_address: string }[];
    }>('GET', `/jobs?customer_id=${body.customers[0]!.id}`, admin.access_token);
    expect(list.jobs).toHaveLength(1);
    expect(list.jobs[0]).toMatchObject({
      status: 'pending',
      source: 'admin',
      special_instructions: 'Called in: plow before 7',
    });
    expect(list.jobs[0]!.job_address).toContain('9 Rumford St');
  });

  it('moves a job to another column with the keyboard alone; the server has it and the focus follows', async () => {
    onFailure('keyboard-move');
    const page = windows.pages.admin!;
    const card = page.locator(`[data-column="assigned"] article[data-job-id="${movingJobId}"]`);
    await card.waitFor(WAIT);
    await card.getByRole('button', { name: 'Move to…' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor(WAIT);
    const active = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    for (let i = 0; i < 5 && !(await active()).endsWith('Pending'); i++) await page.keyboard.press('ArrowDown');
    expect(await active()).toMatch(/Pending$/);
    await page.keyboard.press('Enter');

    await page.locator(`[data-column="pending"] article[data-job-id="${movingJobId}"]`).waitFor(WAIT);
    await eventually(() => jobStatus(movingJobId), 'pending');
    // The focus is on the moved card's "Move to…" in its new column, not lost to the page.
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const el = document.activeElement as HTMLElement | null;
            return `${el?.closest('[data-column]')?.getAttribute('data-column')}/${el?.closest('article')?.getAttribute('data-job-id')}/${el?.getAttribute('aria-haspopup')}`;
          }),
        WAIT,
      )
      .toBe(`pending/${movingJobId}/menu`);
    // Escape closes a menu opened again and gives the focus back to its button.
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor(WAIT);
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached', ...WAIT });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-haspopup'))).toBe('menu');
  });

  it('marks a finished job disputed from the drawer; the drawer and the board show it', async () => {
    onFailure('dispute');
    const page = windows.pages.admin!;
    // Finished jobs sit in a folded column: open it first.
    await openColumn(page, 'completed');
    const card = page.locator(`[data-column="completed"] article[data-job-id="${doneJobId}"]`);
    await card.waitFor(WAIT);
    // "Move to… → Disputed" on the card opens its drawer, where the complaint is asked for.
    await card.getByRole('button', { name: 'Move to…' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu').waitFor(WAIT);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toMatch(/Disputed$/);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/admin/jobs/${doneJobId}$`), WAIT);
    const drawer = page.getByRole('dialog');
    await drawer.locator(`[data-job-id="${doneJobId}"]`).waitFor(WAIT);
    await drawer.getByRole('button', { name: 'Mark disputed' }).click();
    const reason = drawer.getByLabel('What the customer disputes');
    await reason.waitFor(WAIT);
    await expect.poll(() => reason.evaluate((el) => el === document.activeElement), WAIT).toBe(true);
    await noAxeViolations(page, 'drawer: mark disputed');
    await reason.fill('The end of the driveway was left plowed in');
    await drawer.getByRole('button', { name: 'Mark disputed' }).click();

    await page
      .getByText(/is disputed\./)
      .first()
      .waitFor(WAIT);
    await drawer.locator('.drawer > .status-tag[data-status="disputed"]', { hasText: 'Disputed' }).waitFor(WAIT);
    await drawer.getByRole('button', { name: 'Resolve dispute' }).waitFor(WAIT);
    // Closed, the drawer uncovers the board, where the job now sits among the disputed.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden', ...WAIT });
    await openColumn(page, 'disputed');
    await page.locator(`[data-column="disputed"] article[data-job-id="${doneJobId}"]`).waitFor(WAIT);
    // The job's own address opens its drawer again for the evidence pack.
    await page.goto(`/admin/jobs/${doneJobId}`);
    await drawer.locator(`[data-job-id="${doneJobId}"]`).waitFor(WAIT);
    await eventually(() => jobStatus(doneJobId), 'disputed');
    const { body } = await api.json<{ disputes: { reason: string; outcome: string | null }[] }>(
      'GET',
      `/jobs/${doneJobId}/disputes`,
      admin.access_token,
    );
    expect(body.disputes).toMatchObject([{ reason: 'The end of the driveway was left plowed in', outcome: null }]);
  });

  it('downloads the evidence pack: the file parses and its hash is the one the server states', async () => {
    onFailure('evidence');
    const page = windows.pages.admin!;
    const drawer = page.getByRole('dialog');
    const [download] = await Promise.all([
      page.waitForEvent('download', WAIT),
      drawer.getByRole('button', { name: 'Download evidence pack' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`evidence-${doneJobId}.json`);
    const file = JSON.parse(await readFile((await download.path())!, 'utf8')) as {
      sha256: string;
      pack: { format: string; job: { id: string; status: string }; disputes: { reason: string }[] };
    };
    expect(file.pack.job).toMatchObject({ id: doneJobId, status: 'disputed' });
    expect(file.pack.disputes.map((d) => d.reason)).toEqual(['The end of the driveway was left plowed in']);
    const recomputed = createHash('sha256').update(canonical(file.pack)).digest('hex');
    expect(recomputed).toBe(file.sha256);

    const shown = (await drawer.getByTestId('evidence-sha256').textContent())?.trim();
    const res = await fetch(`${base}/api/v1/jobs/${doneJobId}/evidence`, {
      headers: { authorization: `Bearer ${admin.access_token}` },
    });
    expect(res.status).toBe(200);
    const header = res.headers.get('x-evidence-sha256');
    expect(header).toMatch(/^[0-9a-f]{64}$/);
    expect(shown).toBe(header);
    expect(recomputed).toBe(header);
  });

  it('resolves the dispute with a credit; the job is completed again', async () => {
    onFailure('resolve');
    const page = windows.pages.admin!;
    const drawer = page.getByRole('dialog');
    await drawer.getByRole('button', { name: 'Resolve dispute' }).click();
    const outcome = drawer.getByLabel('Outcome');
    await outcome.waitFor(WAIT);
    await outcome.selectOption('credited');
    await drawer.getByLabel('Credit (dollars)').fill('10');
    await drawer.getByLabel('Notes (optional)').fill('Credited for the plowed-in end');
    await noAxeViolations(page, 'drawer: resolve dispute');
    await drawer.getByRole('button', { name: 'Resolve dispute' }).click();

    await page
      .getByText(/Dispute at .* resolved\./)
      .first()
      .waitFor(WAIT);
    await drawer.getByRole('button', { name: 'Mark disputed' }).waitFor(WAIT);
    await eventually(() => jobStatus(doneJobId), 'completed');
    const { body } = await api.json<{ disputes: { outcome: string | null; credit_cents: number | null }[] }>(
      'GET',
      `/jobs/${doneJobId}/disputes`,
      admin.access_token,
    );
    expect(body.disputes).toMatchObject([{ outcome: 'credited', credit_cents: 1000 }]);
  });

  it('reads the audit log in words: what was done and to what, never a route key', async () => {
    onFailure('audit');
    const page = windows.pages.admin!;
    await page.goto(`${base}/admin/audit`);
    const table = page.getByRole('table');
    await table.getByText('Settled a dispute').first().waitFor(WAIT);
    await table.getByText('Marked a job disputed').first().waitFor(WAIT);
    const cells = await table.locator('td').allInnerTexts();
    expect(cells.filter((t) => /\/api\/|^(POST|PATCH|PUT|DELETE) /.test(t))).toEqual([]);
    await noAxeViolations(page, 'audit log');
  });

  it('raised no uncaught errors', () => {
    expect(windows.errors).toEqual([]);
  });
});
