import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { formatMoney } from '../../contract/money';

const money = (cents: number) => formatMoney(cents, { exact: true });

/**
 * The invoice PDF, drawn with pdf-lib (pure JavaScript: runs in workerd and in Node, where
 * scripts/render-invoice.ts renders it to PNG for a look). This module does no I/O; the
 * data comes from `loadInvoiceView`.
 */

export interface InvoiceView {
  invoice: {
    id: string;
    number: string;
    status: string;
    issued_at: Date;
    /** When payment is due (the operator's terms); null: on receipt. */
    due_at: Date | null;
    subtotal_cents: number;
    tax_cents: number;
    total_cents: number;
    tax_rate_bps: number;
    paid_cents: number;
    refund_cents: number;
    balance_due_cents: number;
  };
  business: { name: string; address: string | null; timezone: string; terms?: string | null };
  customer: { name: string; email: string; phone: string | null };
  job: {
    id: string;
    address: string;
    tier_label: string | null;
    quoted_price_cents: number | null;
    final_price_cents: number | null;
    discount_cents: number;
    requested_at: Date;
    completed_at: Date | null;
  };
  driver: { name: string; paypal_link: string | null; venmo_link: string | null } | null;
  /** On-site price overrides (job_price_changes), oldest first. */
  price_changes: { old_price_cents: number; new_price_cents: number; changed_at: Date; changed_by: string }[];
  payments: { method: string; amount_cents: number; recorded_at: Date }[];
}

/** The status as the customer reads it on the PDF. */
const STATUS_LABEL: Record<string, string> = {
  draft: 'due',
  sent: 'due',
  paid: 'paid',
  partially_refunded: 'paid, partly refunded',
  refunded: 'refunded',
  void: 'void',
};

/**
 * What of an invoice's PDF can change after it is first drawn (status, amounts, payments,
 * due date): a stored PDF whose fingerprint differs from the invoice's is stale.
 */
export function pdfFingerprint(v: InvoiceView): string {
  const i = v.invoice;
  return [
    STATUS_LABEL[i.status] ?? i.status,
    i.total_cents,
    i.paid_cents,
    i.refund_cents,
    i.balance_due_cents,
    v.payments.length,
    v.price_changes.length,
    i.due_at?.toISOString() ?? '',
    v.business.terms ?? '',
  ].join('|');
}

const PAGE = { width: 612, height: 792, margin: 56 };
/** The palette the invoice and the evidence pack share. */
export const INK = rgb(0.1, 0.12, 0.16);
export const MUTED = rgb(0.38, 0.42, 0.48);
export const RULE = rgb(0.82, 0.85, 0.88);

/** A hairline across the page between its margins, at height y. */
export function drawRule(page: PDFPage, y: number, margin: number): void {
  page.drawLine({ start: { x: margin, y }, end: { x: page.getWidth() - margin, y }, thickness: 0.75, color: RULE });
}

/** The standard PDF fonts only encode WinAnsi: map the usual typography, drop the rest. */
export function winAnsi(text: string): string {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2192/g, '->')
    .replace(/\u2026/g, '...')
    .replace(/[^\x20-\x7E\xA0-\xFF]/gu, '?');
}

function dateIn(tz: string, d: Date, withTime = false): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    ...(withTime ? { hour: 'numeric', minute: '2-digit' } : {}),
  }).format(d);
}

class Writer {
  y = PAGE.height - PAGE.margin;
  constructor(
    readonly page: PDFPage,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {}

  text(
    s: string,
    opts: { x?: number; size?: number; bold?: boolean; color?: ReturnType<typeof rgb>; right?: number } = {},
  ): void {
    const font = opts.bold ? this.bold : this.regular;
    const size = opts.size ?? 10;
    const str = winAnsi(s);
    const x = opts.right !== undefined ? opts.right - font.widthOfTextAtSize(str, size) : (opts.x ?? PAGE.margin);
    this.page.drawText(str, { x, y: this.y, size, font, color: opts.color ?? INK });
  }

  line(s: string, opts: Parameters<Writer['text']>[1] & { gap?: number } = {}): void {
    this.text(s, opts);
    this.y -= opts.gap ?? (opts.size ?? 10) + 5;
  }

  /** A label on the left and an amount on the right edge. */
  row(
    label: string,
    amount: string,
    opts: { bold?: boolean; size?: number; color?: ReturnType<typeof rgb> } = {},
  ): void {
    this.text(label, opts);
    this.text(amount, { ...opts, right: PAGE.width - PAGE.margin });
    this.y -= (opts.size ?? 10) + 7;
  }

  rule(): void {
    drawRule(this.page, this.y + 4, PAGE.margin);
    this.y -= 10;
  }

  space(n = 8): void {
    this.y -= n;
  }
}

/** Renders one invoice as a single-page Letter PDF. */
export async function renderInvoicePdf(v: InvoiceView): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(winAnsi(`Invoice ${v.invoice.number} - ${v.business.name}`));
  doc.setAuthor(winAnsi(v.business.name));
  doc.setCreator('PlowDispatch');
  doc.setCreationDate(v.invoice.issued_at);
  const page = doc.addPage([PAGE.width, PAGE.height]);
  const w = new Writer(
    page,
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.HelveticaBold),
  );
  const tz = v.business.timezone;
  const right = PAGE.width - PAGE.margin;

  w.text(v.business.name, { size: 20, bold: true });
  w.text('INVOICE', { size: 20, bold: true, right, color: MUTED });
  w.space(18);
  if (v.business.address) w.line(v.business.address, { color: MUTED });
  w.text(`Invoice ${v.invoice.number}`, { right, bold: true });
  w.space(15);
  w.text(`Issued ${dateIn(tz, v.invoice.issued_at)}`, { right, color: MUTED });
  w.space(15);
  w.text(`Status: ${STATUS_LABEL[v.invoice.status] ?? v.invoice.status}`, { right, bold: true });
  w.space(15);
  if (v.invoice.due_at && v.invoice.balance_due_cents > 0) {
    w.text(`Due ${dateIn(tz, v.invoice.due_at)}`, { right, color: MUTED });
    w.space(15);
  }
  w.space(13);

  w.line('BILL TO', { bold: true, size: 9, color: MUTED });
  w.line(v.customer.name, { bold: true });
  w.line(v.customer.email);
  if (v.customer.phone) w.line(v.customer.phone);
  w.space(10);

  w.line('SERVICE', { bold: true, size: 9, color: MUTED });
  w.line(`Address: ${v.job.address}`);
  // A reference a person can read out on the phone; the office finds the job by it (its id starts so).
  w.line(`Job reference: ${v.job.id.slice(0, 8).toUpperCase()}`, { color: MUTED, size: 9 });
  w.line(
    `Requested: ${dateIn(tz, v.job.requested_at, true)}${v.job.completed_at ? `   Completed: ${dateIn(tz, v.job.completed_at, true)}` : ''}`,
  );
  if (v.driver) w.line(`Driver: ${v.driver.name}`);
  w.space(14);

  w.row('DESCRIPTION', 'AMOUNT', { bold: true, size: 9, color: MUTED });
  w.rule();
  w.row(
    `Snow plowing - ${v.job.tier_label ?? 'driveway'} (quoted)`,
    money(v.job.quoted_price_cents ?? v.job.final_price_cents ?? 0),
  );
  for (const change of v.price_changes) {
    const delta = change.new_price_cents - change.old_price_cents;
    w.row(
      `Price adjusted on site by ${change.changed_by}, ${dateIn(tz, change.changed_at, true)}: ${money(change.old_price_cents)} -> ${money(change.new_price_cents)}`,
      `${delta < 0 ? '-' : '+'}${money(Math.abs(delta))}`,
    );
  }
  if (v.job.discount_cents > 0) w.row('Discount', `-${money(v.job.discount_cents)}`);
  w.rule();
  w.row('Subtotal', money(v.invoice.subtotal_cents));
  w.row(`Tax (${(v.invoice.tax_rate_bps / 100).toFixed(2)}%)`, money(v.invoice.tax_cents));
  w.row('Total', money(v.invoice.total_cents), { bold: true, size: 13 });
  w.space(6);

  if (v.payments.length > 0) {
    w.line('PAYMENTS RECEIVED', { bold: true, size: 9, color: MUTED });
    for (const p of v.payments) w.row(`${p.method} - ${dateIn(tz, p.recorded_at)}`, `-${money(p.amount_cents)}`);
  }
  if (v.invoice.refund_cents > 0) w.row('Refunded to you', money(v.invoice.refund_cents));
  w.row('Balance due', money(v.invoice.balance_due_cents), { bold: true });
  w.space(14);
  if (v.business.terms) {
    w.line('TERMS', { bold: true, size: 9, color: MUTED });
    w.line(v.business.terms, { color: MUTED });
    w.space(6);
  }

  if (v.driver && (v.driver.paypal_link || v.driver.venmo_link)) {
    w.line('PAY YOUR DRIVER', { bold: true, size: 9, color: MUTED });
    if (v.driver.paypal_link) w.line(`PayPal: ${v.driver.paypal_link}`);
    if (v.driver.venmo_link) w.line(`Venmo: ${v.driver.venmo_link}`);
    w.line('Cash and card are also accepted in person.', { color: MUTED });
  }

  page.drawText(winAnsi(`Thank you for choosing ${v.business.name}.`), {
    x: PAGE.margin,
    y: PAGE.margin - 10,
    size: 9,
    font: w.regular,
    color: MUTED,
  });
  return doc.save();
}
