/**
 * `npm run invoice:render [-- out-dir]`: renders a sample invoice with the Worker's own PDF
 * code and, when Debian's poppler-utils is installed, turns page 1 into a PNG to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderInvoicePdf } from '../worker/invoices/pdf';
import { sampleInvoice } from './lib/sample-invoice';

const out = path.resolve(process.argv[2] ?? 'dist/invoice');
mkdirSync(out, { recursive: true });
const pdf = path.join(out, 'invoice-sample.pdf');
writeFileSync(pdf, await renderInvoicePdf(sampleInvoice()));
console.log(`PDF  ${pdf}`);
try {
  execFileSync('pdftoppm', ['-png', '-r', '110', '-singlefile', pdf, path.join(out, 'invoice-sample')]);
  console.log(`PNG  ${path.join(out, 'invoice-sample.png')}`);
} catch {
  console.log('pdftoppm not found (apt-get install poppler-utils) — PDF only.');
}
