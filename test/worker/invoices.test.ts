import { describe, expect, it } from 'vitest';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { and, eq, ne } from 'drizzle-orm';
import * as t from '../../db/schema';
import { loadInvoiceView } from '../../worker/invoices/invoices';
import { consumeInvoices } from '../../worker/queues/invoices';
import { admin, driverStep, jobAt, newCustomer } from './fixtures';
import { api, expectRefusal } from './helpers';
import { db, notificationsFor, waitFor } from './background-fixtures';
import { emailsTo } from './stand-in';

const liveInvoice = (jobId: string) => async () => {
  const [row] = await db((d) =>
    d
      .select()
      .from(t.invoices)
      .where(and(eq(t.invoices.job_id, jobId), ne(t.invoices.status, 'void'))),
  );
  return row?.pdf_key && row.status === 'sent' ? row : undefined;
};

const isPdf = (bytes: Uint8Array) => new TextDecoder().decode(bytes.subarray(0, 5)) === '%PDF-';

describe('invoice PDFs on completion (invoice queue)', () => {
  it('renders the PDF into R2, marks the invoice sent and emails the customer a signed link', async () => {
    const { customer, driver, job } = await jobAt('in_progress', {
      customer: { preferred_contact: 'sms' },
      driver: { full_name: 'Robin Plowright', paypal_link: 'https://paypal.me/robinplows' },
    });
    // An on-site override, as the price-change flow records it.
    await db(async (d) => {
      await d
        .insert(t.job_price_changes)
        .values({ job_id: job.id, changed_by_user_id: driver.user_id, old_price_cents: 8500, new_price_cents: 9500 });
      await d.update(t.jobs).set({ final_price_cents: 9500 }).where(eq(t.jobs.id, job.id));
    });
    expect((await driverStep(job.id, driver, 'completed')).status).toBe(200);

    const invoice = await waitFor(liveInvoice(job.id), { what: 'the invoice PDF' });
    expect(invoice).toMatchObject({
      status: 'sent',
      subtotal_cents: 9500,
      total_cents: 9500 + invoice.tax_cents,
      pdf_key: `invoices/${invoice.id}.pdf`,
    });
    expect(invoice.issued_at).toBeInstanceOf(Date);
    const object = await env.FILES.get(invoice.pdf_key!);
    expect(object?.httpMetadata?.contentType).toBe('application/pdf');
    expect(isPdf(new Uint8Array(await object!.arrayBuffer()))).toBe(true);

    const view = await db((d) => loadInvoiceView(d, invoice.id));
    expect(view).toMatchObject({
      business: { name: 'Granite State Plowing' },
      customer: { email: customer.email },
      job: {
        address: job.job_address,
        tier_label: '2-Car Driveway',
        quoted_price_cents: 8500,
        final_price_cents: 9500,
      },
      driver: { name: 'Robin Plowright', paypal_link: 'https://paypal.me/robinplows' },
      price_changes: [{ old_price_cents: 8500, new_price_cents: 9500, changed_by: 'Robin Plowright' }],
    });

    // The customer prefers SMS for alerts, but the invoice is a receipt: it comes by email.
    const mail = await waitFor(
      async () => (await emailsTo(customer.email)).find((m) => m.subject.includes('invoice')),
      { what: 'the invoice email' },
    );
    expect(mail.subject).toBe(`Granite State Plowing: your invoice for ${job.job_address}`);
    const link = /(https?:\/\/[^/\s]+\/files\/invoices\/[^\s]+)/.exec(mail.text)?.[1];
    expect(link).toBeDefined();
    const pdf = await exports.default.fetch(new Request(link!));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(isPdf(new Uint8Array(await pdf.arrayBuffer()))).toBe(true);
  });

  it('does the work once however often the job is delivered', async () => {
    const { job } = await jobAt('completed', { customer: { preferred_contact: 'email' } });
    const invoice = await waitFor(liveInvoice(job.id), { what: 'the invoice' });
    await waitFor(
      async () => (await notificationsFor({ job_id: job.id, kind: 'invoice_ready' })).find((r) => r.status === 'sent'),
      { what: 'the invoice email' },
    );

    const batch = createMessageBatch('plowdispatch-invoices', [
      { id: 'again-1', timestamp: new Date(), attempts: 1, body: { job_id: job.id } },
      { id: 'again-2', timestamp: new Date(), attempts: 2, body: { job_id: job.id } },
      { id: 'junk', timestamp: new Date(), attempts: 1, body: { nope: true } },
    ]);
    const ctx = createExecutionContext();
    await consumeInvoices(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(['again-1', 'again-2', 'junk']);
    expect(result.retryMessages).toEqual([]);
    const invoices = await db((d) => d.select().from(t.invoices).where(eq(t.invoices.job_id, job.id)));
    expect(invoices.map((i) => i.id)).toEqual([invoice.id]);
    expect(await notificationsFor({ job_id: job.id, kind: 'invoice_ready' })).toHaveLength(1);
  });
});

describe('GET /api/v1/invoices/:id/pdf', () => {
  it('streams the PDF to its customer and admins, and is not found for anyone else', async () => {
    const { customer, driver, job } = await jobAt('completed', { customer: { preferred_contact: 'none' } });
    const invoice = await waitFor(liveInvoice(job.id), { what: 'the invoice' });
    for (const token of [customer.token, await admin()]) {
      const res = await api(`/api/v1/invoices/${invoice.id}/pdf`, { token });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain(`INV-${invoice.id.slice(0, 8).toUpperCase()}.pdf`);
      expect(isPdf(new Uint8Array(await res.arrayBuffer()))).toBe(true);
    }
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/invoices/${invoice.id}/pdf`, (await newCustomer()).token);
    await expectRefusal(403, 'forbidden', 'GET', `/api/v1/invoices/${invoice.id}/pdf`, driver.token);
    await expectRefusal(404, 'not_found', 'GET', `/api/v1/invoices/${crypto.randomUUID()}/pdf`, customer.token);
    // A customer who opted out of notifications still gets the invoice in the app, not by email.
    expect(await notificationsFor({ job_id: job.id, kind: 'invoice_ready' })).toEqual([]);
  });
});
