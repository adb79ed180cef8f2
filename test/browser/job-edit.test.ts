import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, type Tokens } from './support/api';
import { browserWindows, WAIT } from './support/windows';

/**
 * A customer changes a waiting request from its page: the dialog shows the new price before
 * anything is saved, refuses a place outside the area, and the page shows the re-quote.
 */

const base = inject('appUrl');

describe('editing a waiting request', () => {
  const api = new Api(base);
  const windows = browserWindows(base);
  let customer: Tokens;
  let jobId = '';

  beforeAll(async () => {
    // customer1 has a home in the area and a camp outside it (scripts/lib/seed.ts).
    customer = await api.login('customer1@demo.test');
    jobId = await api.requestJob(customer.access_token, 0);
  });

  afterAll(async () => {
    if (jobId) await api.json('DELETE', `/jobs/${jobId}`, customer.access_token, { reason: 'test done' });
  });

  it('shows the new price before saving, refuses the camp, and saves the re-quote', async () => {
    windows.onFailure('job-edit');
    const page = await windows.openSignedIn('customer', customer);
    await page.goto(`/customer/jobs/${jobId}`);
    await page.getByTestId('price').filter({ hasText: '$65' }).waitFor(WAIT);

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Change this request' });
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Driveway size').selectOption({ label: '3-Car Driveway · $105' });
    await dialog.getByText('New price: $105 (was $65)').waitFor(WAIT);

    await dialog.getByLabel('Where').selectOption({ label: 'Camp: 900 Elm St, Manchester' });
    await dialog.getByText(/outside the area we plow/).waitFor(WAIT);
    expect(await dialog.getByRole('button', { name: 'Save changes' }).isDisabled()).toBe(true);

    await dialog.getByLabel('Where').selectOption({ label: 'Home: 12 Pleasant St, Concord' });
    await dialog.getByText('New price: $105 (was $65)').waitFor(WAIT);
    await dialog.getByLabel('Instructions for the driver').fill('Plow the turnaround too');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await page.getByTestId('price').filter({ hasText: '$105' }).waitFor(WAIT);
    expect(await page.getByTestId('instructions').textContent()).toBe('Plow the turnaround too');

    const { body } = await api.json<{ job: Record<string, unknown>; price_changes: Record<string, unknown>[] }>(
      'GET',
      `/customers/me/jobs/${jobId}`,
      customer.access_token,
    );
    expect(body.job).toMatchObject({ quoted_price_cents: 10500, special_instructions: 'Plow the turnaround too' });
    expect(body.price_changes).toEqual([
      expect.objectContaining({ old_price_cents: 6500, new_price_cents: 10500, reason: 're-quoted: tier changed' }),
    ]);
  });

  it('raised no uncaught errors', () => {
    expect(windows.errors).toEqual([]);
  });
});
