import { eq, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import { EMAIL_LINK_TTL_SECONDS, signDownloadUrl } from '../files/signing';
import { invoicePdfKey } from '../files/keys';
import type { Db } from '../lib/db';
import { notifyContact } from '../notify/intents';
import { publicBaseUrl } from '../notify/public-url';
import { customerUserId, loadContact, loadOperator } from '../notify/recipients';
import { ensureInvoice, invoiceNumber, loadInvoiceView } from './invoices';
import { renderInvoicePdf } from './pdf';
import { SERVED_JOB } from '../../contract/job-status';

/** Renders an invoice's PDF and stores it in R2 under `invoices/{id}.pdf`. */
export async function storeInvoicePdf(
  env: Env,
  db: Db,
  invoiceId: string,
): Promise<{ key: string; bytes: Uint8Array }> {
  const view = await loadInvoiceView(db, invoiceId);
  if (!view) throw new Error(`invoice ${invoiceId} not found`);
  const bytes = await renderInvoicePdf(view);
  const key = invoicePdfKey(invoiceId);
  await env.FILES.put(key, bytes, {
    httpMetadata: {
      contentType: 'application/pdf',
      contentDisposition: `inline; filename="${invoiceNumber(invoiceId)}.pdf"`,
    },
  });
  await db
    .update(t.invoices)
    .set({
      pdf_key: key,
      pdf_url: `/api/v1/invoices/${invoiceId}/pdf`,
      issued_at: sql`coalesce(${t.invoices.issued_at}, now())`,
    })
    .where(eq(t.invoices.id, invoiceId));
  return { key, bytes };
}

/**
 * ApexPlow GenerateInvoicePDF, run by the invoice queue after a job completes: makes sure
 * the invoice exists, renders and stores the PDF, marks a draft `sent`, and emails the
 * customer a 7-day signed link (the email is an outbox row like any notification, keyed
 * on the invoice, so a re-run never sends it twice). Safe to run any number of times.
 */
export async function generateInvoice(env: Env, db: Db, jobId: string): Promise<{ invoice_id: string } | null> {
  const [job] = await db.select().from(t.jobs).where(eq(t.jobs.id, jobId)).limit(1);
  if (!job || !SERVED_JOB.includes(job.status)) return null;
  const invoice = await ensureInvoice(db, job);
  const stored = invoice.pdf_key ? await env.FILES.head(invoice.pdf_key) : null;
  if (!stored) await storeInvoicePdf(env, db, invoice.id);

  const userId = await customerUserId(db, job.customer_id);
  const contact = userId ? await loadContact(db, userId) : null;
  await db.transaction(async (tx) => {
    await tx
      .update(t.invoices)
      .set({ status: 'sent' })
      .where(sql`${t.invoices.id} = ${invoice.id} AND ${t.invoices.status} = 'draft'`);
    const base = publicBaseUrl(env);
    if (!contact || contact.preferred === 'none' || !base) return;
    const link = await signDownloadUrl(env, base, invoicePdfKey(invoice.id), EMAIL_LINK_TTL_SECONDS);
    // The invoice is a receipt: it goes by email whatever channel the customer prefers for alerts.
    await notifyContact(
      tx,
      await loadOperator(tx),
      { ...contact, preferred: 'email' },
      {
        kind: 'invoice_ready',
        key: `invoice:${invoice.id}`,
        job_id: job.id,
        context: { address: job.job_address, price_cents: invoice.total_cents, link: link.url },
      },
    );
  });
  return { invoice_id: invoice.id };
}
