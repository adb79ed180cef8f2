import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readPdf } from '../../scripts/lib/pdf-text';
import { Api, type Tokens } from './support/api';
import { browserWindows, DESK_VIEWPORT, WAIT } from './support/windows';

/**
 * The office side of the money loop: the admin finds an unpaid invoice on the Invoices
 * screen, records the customer's phoned-in payment, and the invoice PDF then says paid.
 */

const base = inject('appUrl');

describe('admin invoices', () => {
  const api = new Api(base);
  const windows = browserWindows(base);
  let admin: Tokens;
  let invoiceId: string;

  beforeAll(async () => {
    const customer = await api.login('customer2@demo.test');
    const driver = await api.login('driver2@demo.test');
    admin = await api.login('admin@demo.test', true);
    const jobId = await api.requestJob(customer.access_token, 1);
    await api.completeJob(jobId, admin.access_token, driver.access_token);
    const { body } = await api.json<{ invoices: { id: string }[] }>(
      'GET',
      `/invoices?job_id=${jobId}`,
      admin.access_token,
    );
    invoiceId = body.invoices[0]!.id;
  });

  it('shows the unpaid invoice, records an office payment, and the PDF then shows paid', async () => {
    windows.onFailure('admin-invoices');
    const page = await windows.openSignedIn('admin', admin, { viewport: DESK_VIEWPORT });
    await page.goto('/admin/invoices');
    await page.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor(WAIT);
    const row = page.locator(`tr[data-invoice-id="${invoiceId}"]`);
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain('Unpaid');
    await row.getByRole('button').click();
    const panel = page.getByTestId('invoice-panel');
    await panel.waitFor(WAIT);
    await panel.getByLabel('Method').selectOption('card');
    await panel.getByRole('button', { name: 'Record payment' }).click();
    await page.getByText('Payment recorded.').first().waitFor(WAIT);
    await panel.getByTestId('invoice-status').getByText('Paid').waitFor(WAIT);
    expect(await panel.getByTestId('invoice-balance').textContent()).toBe('$0');

    const res = await fetch(`${base}/api/v1/invoices/${invoiceId}/pdf`, {
      headers: { authorization: `Bearer ${admin.access_token}` },
    });
    expect(res.status).toBe(200);
    const { pages: pdf } = await readPdf(new Uint8Array(await res.arrayBuffer()));
    const text = pdf.map((p) => p.text).join('\n');
    expect(text).toContain('Status: paid');
    expect(text).toMatch(/Balance due\s+\$0\.00/);
  });

  it('raised no uncaught errors', () => {
    expect(windows.errors).toEqual([]);
  });
});
