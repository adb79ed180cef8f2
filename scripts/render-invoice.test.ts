import { describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '../worker/invoices/pdf';
import { readPdf } from './lib/pdf-text';
import { sampleInvoice } from './lib/sample-invoice';

/**
 * The invoice PDF the Worker renders (same module), opened by a real PDF reader (pdf.js,
 * from npm): its pages, their size and the text a reader extracts.
 */
describe('invoice PDF', () => {
  it('opens in a PDF reader and shows the job, tier, on-site price changes, tax and total', async () => {
    const { pages } = await readPdf(await renderInvoicePdf(sampleInvoice()));
    expect(pages).toHaveLength(1);
    const text = pages[0]!.text;
    for (const expected of [
      'Granite State Plowing',
      'INVOICE',
      'Invoice INV-3F2B8C1E',
      'Carol Customer',
      'Address: 12 Pleasant St, Concord, NH 03301',
      'Job reference: 9D8C7B6A',
      'Snow plowing - 2-Car Driveway (quoted)',
      'Price adjusted on site by Dave Plowman',
      '$85.00 -> $95.00',
      '$95.00 -> $105.00',
      'Tax (6.25%)',
      '$6.56',
      '$111.56',
      'Balance due',
      '$61.56',
      'PayPal: https://paypal.me/demodriver1',
      'Venmo: https://venmo.com/demo-driver1',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toMatch(/Subtotal\s+\$105\.00/);
    expect(text).toMatch(/Total\s+\$111\.56/);
    expect(text).toMatch(/Completed: Dec 3, 2026, 9:47 AM/); // the operator's timezone

    // US Letter: 8.5 × 11 in at 72 points per inch.
    expect([pages[0]!.width, pages[0]!.height]).toEqual([612, 792]);
  });

  it('keeps text the standard fonts cannot encode from breaking the PDF', async () => {
    const view = sampleInvoice();
    view.customer.name = 'Zoë “Snowy” O’Brien 🚜';
    const { pages } = await readPdf(await renderInvoicePdf(view));
    expect(pages[0]!.text).toContain('Zoë "Snowy" O\'Brien ?');
  });
});
