import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '../worker/invoices/pdf';
import { sampleInvoice } from './lib/sample-invoice';

/**
 * The invoice PDF the Worker renders (same module), opened by real PDF tools: poppler's
 * pdftotext reads its text and pdftoppm rasterises it. Needs Debian's poppler-utils.
 */
describe('invoice PDF', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'plow-invoice-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens in poppler and shows the job, tier, on-site price changes, tax and total', async () => {
    const pdf = path.join(dir, 'invoice.pdf');
    writeFileSync(pdf, await renderInvoicePdf(sampleInvoice()));
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const expected of [
      'Granite State Plowing',
      'INVOICE',
      'Invoice INV-3F2B8C1E',
      'Carol Customer',
      'Address: 12 Pleasant St, Concord, NH 03301',
      'Job: 9d8c7b6a-5f4e-4d3c-9b2a-1f0e9d8c7b6a',
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

    execFileSync('pdftoppm', ['-png', '-r', '50', '-singlefile', pdf, path.join(dir, 'page')]);
    const png = readFileSync(path.join(dir, 'page.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // Letter at 50 dpi: 425 × 550 pixels (IHDR width and height).
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([425, 550]);
  });

  it('keeps text the standard fonts cannot encode from breaking the PDF', async () => {
    const view = sampleInvoice();
    view.customer.name = 'Zoë “Snowy” O’Brien 🚜';
    const pdf = path.join(dir, 'unicode.pdf');
    writeFileSync(pdf, await renderInvoicePdf(view));
    expect(execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' })).toContain('Zoë "Snowy" O\'Brien ?');
  });
});
