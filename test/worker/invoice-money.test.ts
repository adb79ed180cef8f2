import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { readPdf } from '../../scripts/lib/pdf-text';
import { remindOverdueInvoices } from '../../worker/cron/invoice-reminders';
import { admin, newCustomer, newDriver, newJob, rows, walkJob } from './fixtures';
import { api, call, db } from './helpers';

/**
 * One invoice, one amount: what the customer's page, the PDF, the reports and the CSV
 * export say about an invoice agree, and the PDF follows payments, voids and refunds.
 * Report checks use February 2025, a month no other test writes into.
 */

/** The invoice PDF as a reader sees it: one string of text lines. */
async function pdfText(invoiceId: string, token: string): Promise<string> {
  const res = await api(`/api/v1/invoices/${invoiceId}/pdf`, { token });
  expect(res.status).toBe(200);
  const { pages } = await readPdf(new Uint8Array(await res.arrayBuffer()));
  return pages.map((p) => p.text).join('\n');
}

/** One CSV line's cells (RFC 4180 quoting). */
function csvCells(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) =>
    m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'),
  );
}

/** A completed job for a fresh customer, with its invoice id. */
async function completedJob(discountCents = 0) {
  const customer = await newCustomer();
  const driver = await newDriver({ status: 'available' });
  const job = await newJob(customer);
  await walkJob(job.id, driver, 'in_progress');
  if (discountCents) await rows(sql`UPDATE jobs SET discount_cents = ${discountCents} WHERE id = ${job.id}`);
  const done = await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, { status: 'completed' });
  expect(done.status).toBe(200);
  const [invoice] = await rows<{ id: string }>(
    sql`SELECT id FROM invoices WHERE job_id = ${job.id} AND status <> 'void'`,
  );
  return { customer, driver, job, invoiceId: invoice!.id };
}

describe('an invoice with a discount', () => {
  it('has the same amount on the customer’s job page, in the PDF, in the reports and in the CSV export', async () => {
    const token = await admin();
    // $85 driveway, $10 off, no tax: $75 everywhere.
    const { customer, job, invoiceId } = await completedJob(1000);

    const page = await call('GET', `/api/v1/customers/me/jobs/${job.id}`, customer.token);
    expect(page.body.invoice).toMatchObject({ id: invoiceId, subtotal_cents: 7500, total_cents: 7500 });
    const detail = await call('GET', `/api/v1/invoices/${invoiceId}`, customer.token);
    expect(detail.body.invoice).toMatchObject({ total_cents: 7500, balance_due_cents: 7500 });

    const text = await pdfText(invoiceId, customer.token);
    expect(text).toMatch(/Discount\s+-\$10\.00/);
    expect(text).toMatch(/Subtotal\s+\$75\.00/);
    expect(text).toMatch(/Total\s+\$75\.00/);
    expect(text).toMatch(/Balance due\s+\$75\.00/);

    await rows(sql`UPDATE jobs SET requested_at = '2025-02-11T14:00:00Z', completed_at = '2025-02-11T15:00:00Z'
      WHERE id = ${job.id}`);
    await rows(sql`UPDATE invoices SET created_at = '2025-02-11T15:00:00Z', issued_at = '2025-02-11T15:00:00Z'
      WHERE id = ${invoiceId}`);
    const revenue = await call('GET', '/api/v1/admin/reports/revenue?from=2025-02-11&to=2025-02-11', token);
    expect(revenue.body.totals.invoiced_cents).toBe(7500);
    const jobs = await call('GET', '/api/v1/admin/reports/jobs?from=2025-02-11&to=2025-02-11', token);
    expect(jobs.body.totals.completed_value_cents).toBe(7500);

    const csv = await (
      await api('/api/v1/admin/exports?kind=invoices&from=2025-02-11&to=2025-02-11', { token })
    ).text();
    const [header, ...lines] = csv
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean)
      .map(csvCells);
    const line = lines.find((cells) => cells[0] === `INV-${invoiceId.slice(0, 8).toUpperCase()}`);
    const cell = (title: string) => line![header!.indexOf(title)];
    expect(cell('Subtotal')).toBe('75');
    expect(cell('Total')).toBe('75');
    expect(cell('Balance due')).toBe('75');
  });
});

describe('the invoice PDF follows the invoice', () => {
  it('shows paid and nothing due after a payment, even when an unpaid copy was stored before', async () => {
    const { customer, driver, job, invoiceId } = await completedJob();
    // The PDF as first rendered: not paid, the full amount due.
    expect(await pdfText(invoiceId, customer.token)).toMatch(/Balance due\s+\$85\.00/);

    const paid = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'card' });
    expect(paid.status).toBe(201);
    const text = await pdfText(invoiceId, customer.token);
    expect(text).toContain('Status: paid');
    expect(text).toMatch(/card - .+-\$85\.00/);
    expect(text).toMatch(/Balance due\s+\$0\.00/);
    expect(text).not.toMatch(/Status: (draft|sent)/);
  });
});

describe('refunds, voids and office payments (admin)', () => {
  it('leaves a partly refunded invoice partially_refunded with nothing due, and the PDF says so', async () => {
    const token = await admin();
    const { customer, driver, job, invoiceId } = await completedJob();
    await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'cash' });
    const part = await call('POST', `/api/v1/invoices/${invoiceId}/refund`, token, { amount_cents: 1500 });
    expect(part.status).toBe(200);
    expect(part.body.invoice).toMatchObject({
      status: 'partially_refunded',
      paid_cents: 8500,
      refund_cents: 1500,
      balance_due_cents: 0,
    });
    const text = await pdfText(invoiceId, customer.token);
    expect(text).toContain('Status: paid, partly refunded');
    expect(text).toMatch(/Refunded to you\s+\$15\.00/);
    expect(text).toMatch(/Balance due\s+\$0\.00/);
    const rest = await call('POST', `/api/v1/invoices/${invoiceId}/refund`, token, { amount_cents: 7000 });
    expect(rest.body.invoice).toMatchObject({ status: 'refunded', refund_cents: 8500, balance_due_cents: 0 });
    expect(await pdfText(invoiceId, customer.token)).toContain('Status: refunded');
    const more = await api(`/api/v1/invoices/${invoiceId}/refund`, {
      method: 'POST',
      token,
      json: { amount_cents: 1 },
    });
    expect(more.status).toBe(409);
  });

  it('records an office payment up to the balance (audited), refuses more with 422 and changes nothing', async () => {
    const token = await admin();
    const { customer, job, invoiceId } = await completedJob();
    const pay = (json: unknown) => api(`/api/v1/invoices/${invoiceId}/payments`, { method: 'POST', token, json });
    const tooMuch = await pay({ method: 'card', amount_cents: 8501 });
    expect(tooMuch.status).toBe(422);
    expect(((await tooMuch.json()) as { error: { code: string } }).error.code).toBe('amount_exceeds_balance');
    expect((await pay({ method: 'bitcoin' })).status).toBe(400);
    expect(
      (
        await api(`/api/v1/invoices/${invoiceId}/payments`, {
          method: 'POST',
          token: customer.token,
          json: { method: 'cash' },
        })
      ).status,
    ).toBe(403);
    const none = await rows(sql`SELECT count(*)::int AS n FROM payments WHERE invoice_id = ${invoiceId}`);
    expect(none[0]!.n).toBe(0);

    const first = await call('POST', `/api/v1/invoices/${invoiceId}/payments`, token, {
      method: 'card',
      amount_cents: 3000,
    });
    expect(first.status).toBe(201);
    expect(first.body.invoice).toMatchObject({ paid_cents: 3000, balance_due_cents: 5500 });
    expect(['draft', 'sent']).toContain(first.body.invoice.status);
    const board = await call('GET', '/api/v1/admin/board', token);
    const card = board.body.columns
      .flatMap((col: { cards: { id: string }[] }) => col.cards)
      .find((c: { id: string }) => c.id === job.id);
    expect(card).toMatchObject({ status: 'completed', balance_due_cents: 5500 });
    expect(['draft', 'sent']).toContain(card.invoice_status);
    const open = await call('GET', `/api/v1/invoices?status=draft,sent&customer_id=${customer.profile_id}`, token);
    expect(open.body.invoices).toEqual([expect.objectContaining({ id: invoiceId, balance_due_cents: 5500 })]);
    const second = await call('POST', `/api/v1/invoices/${invoiceId}/payments`, token, { method: 'other' });
    expect(second.body.payment.amount_cents).toBe(5500);
    expect(second.body.invoice).toMatchObject({ status: 'paid', balance_due_cents: 0 });
    const audit = await rows(
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'invoice.payment' AND entity_id = ${invoiceId}`,
    );
    expect(audit[0]!.n).toBe(2);
    const byJob = await call('GET', `/api/v1/invoices?job_id=${job.id}`, token);
    expect(byJob.body.invoices).toEqual([expect.objectContaining({ id: invoiceId, status: 'paid' })]);
    const paidNow = await call('GET', `/api/v1/invoices?status=draft,sent&customer_id=${customer.profile_id}`, token);
    expect(paidNow.body.invoices).toEqual([]);
  });

  it('voids an unpaid invoice: nothing due, and the PDF says void', async () => {
    const token = await admin();
    const { customer, invoiceId } = await completedJob();
    const voided = await call('POST', `/api/v1/invoices/${invoiceId}/void`, token, { reason: 'Goodwill' });
    expect(voided.body.invoice).toMatchObject({ status: 'void', balance_due_cents: 0 });
    const text = await pdfText(invoiceId, customer.token);
    expect(text).toContain('Status: void');
    expect(text).toMatch(/Balance due\s+\$0\.00/);
  });

  it('filters by age: a fresh invoice is not among those older than a week until it is', async () => {
    const token = await admin();
    const { customer, invoiceId } = await completedJob();
    const week = `/api/v1/invoices?older_than_days=7&customer_id=${customer.profile_id}`;
    expect((await call('GET', week, token)).body.invoices).toEqual([]);
    await rows(sql`UPDATE invoices SET issued_at = now() - interval '8 days' WHERE id = ${invoiceId}`);
    expect((await call('GET', week, token)).body.invoices).toEqual([expect.objectContaining({ id: invoiceId })]);
    expect((await api('/api/v1/invoices?older_than_days=-1', { token })).status).toBe(400);
  });

  it('resends the invoice email with a fresh link, and refuses a void invoice', async () => {
    const token = await admin();
    const { job, invoiceId } = await completedJob();
    const resends = async () =>
      (
        await rows<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM notification_log WHERE job_id = ${job.id} AND idempotency_key LIKE ${`invoice:${invoiceId}:resend:%`}`,
        )
      )[0]!.n;
    expect(await resends()).toBe(0);
    const sent = await call('POST', `/api/v1/invoices/${invoiceId}/resend`, token);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ emailed: true, invoice: { id: invoiceId, status: 'sent' } });
    expect(await resends()).toBe(1);
    await call('POST', `/api/v1/invoices/${invoiceId}/void`, token, {});
    expect((await api(`/api/v1/invoices/${invoiceId}/resend`, { method: 'POST', token })).status).toBe(409);
  });
});

describe('overdue reminders (hourly cron)', () => {
  it('reminds the customer once when a balance is 7 days past due, and not a paid invoice', async () => {
    const { job, invoiceId } = await completedJob();
    const paid = await completedJob();
    await call('POST', `/api/v1/invoices/${paid.invoiceId}/payments`, await admin(), { method: 'cash' });
    await rows(
      sql`UPDATE invoices SET due_at = now() - interval '8 days' WHERE id IN (${invoiceId}, ${paid.invoiceId})`,
    );
    const reminders = async (jobId: string) =>
      rows<{ subject: string }>(
        sql`SELECT subject FROM notification_log WHERE job_id = ${jobId} AND kind = 'invoice_overdue'`,
      );
    await db((d) => remindOverdueInvoices(d, new Date()));
    await db((d) => remindOverdueInvoices(d, new Date()));
    expect(await reminders(job.id)).toEqual([
      { subject: `Invoice INV-${invoiceId.slice(0, 8).toUpperCase()} is 7 days overdue` },
    ]);
    expect(await reminders(paid.job.id)).toEqual([]);
  });
});
