import { eq, sql } from 'drizzle-orm';
import { SERVED_JOB } from '../../contract/job-status';
import * as t from '../../db/schema';
import { EMAIL_LINK_TTL_SECONDS, signDownloadUrl } from '../files/signing';
import { invoicePdfKey } from '../files/keys';
import type { Db, Queryable } from '../lib/db';
import { notifyContact } from '../notify/intents';
import { publicBaseUrl } from '../notify/public-url';
import { customerUserId, loadContact } from '../notify/recipients';
import { draftInvoice, invoiceNumber, loadInvoiceView } from './invoices';
import { pdfFingerprint, renderInvoicePdf } from './pdf';
import { ensureSettings } from '../services/operator-setup';

export interface InvoicePdf {
  key: string;
  body: ReadableStream | Uint8Array;
  size: number;
}

/**
 * The invoice's PDF as the invoice stands now: the stored copy in R2 (`invoices/{id}.pdf`)
 * when it still shows the current status and balance, otherwise drawn again and stored. A
 * payment, void or refund therefore never leaves an old "due" PDF behind, whichever way the
 * PDF is fetched (the app, or the signed link in the invoice email). Null: no such invoice
 * or one without a job (a seasonal installment).
 */
export async function currentInvoicePdf(env: Env, db: Queryable, invoiceId: string): Promise<InvoicePdf | null> {
  const view = await loadInvoiceView(db, invoiceId);
  if (!view) return null;
  const key = invoicePdfKey(invoiceId);
  const fingerprint = pdfFingerprint(view);
  const stored = await env.FILES.get(key);
  if (stored && stored.customMetadata?.fingerprint === fingerprint)
    return { key, body: stored.body, size: stored.size };
  if (stored) await stored.body.cancel();
  const bytes = await renderInvoicePdf(view);
  await env.FILES.put(key, bytes, {
    httpMetadata: {
      contentType: 'application/pdf',
      contentDisposition: `inline; filename="${invoiceNumber(invoiceId)}.pdf"`,
    },
    customMetadata: { fingerprint },
  });
  await db
    .update(t.invoices)
    .set({
      pdf_key: key,
      pdf_url: `/api/v1/invoices/${invoiceId}/pdf`,
      issued_at: sql`coalesce(${t.invoices.issued_at}, now())`,
    })
    .where(eq(t.invoices.id, invoiceId));
  return { key, body: bytes, size: bytes.length };
}

/**
 * Emails the customer a 7-day signed link to the invoice PDF (an outbox row like any
 * notification; `key` makes a re-run send it once). The invoice is a receipt: it goes by
 * email whatever channel the customer prefers for alerts; nothing goes to one who wants none.
 */
export async function emailInvoice(env: Env, db: Db, invoiceId: string, key: string): Promise<boolean> {
  const [row] = await db
    .select({ invoice: t.invoices, job: t.jobs })
    .from(t.invoices)
    .innerJoin(t.jobs, eq(t.jobs.id, t.invoices.job_id))
    .where(eq(t.invoices.id, invoiceId))
    .limit(1);
  if (!row) return false;
  const userId = await customerUserId(db, row.invoice.customer_id);
  const contact = userId ? await loadContact(db, userId) : null;
  const base = publicBaseUrl(env);
  if (!contact || contact.preferred === 'none' || !base) return false;
  const link = await signDownloadUrl(env, base, invoicePdfKey(invoiceId), EMAIL_LINK_TTL_SECONDS);
  await db.transaction(async (tx) => {
    await notifyContact(
      tx,
      await ensureSettings(tx),
      { ...contact, preferred: 'email' },
      {
        kind: 'invoice_ready',
        key,
        job_id: row.job.id,
        context: { address: row.job.job_address, price_cents: row.invoice.total_cents, link: link.url },
      },
    );
  });
  return true;
}

/**
 * ApexPlow GenerateInvoicePDF, run by the invoice queue after a job completes: makes sure
 * the invoice exists, renders and stores the PDF, marks a draft `sent`, and emails the
 * customer (keyed on the invoice, so a re-run never sends it twice). Safe to run any
 * number of times.
 */
export async function generateInvoice(env: Env, db: Db, jobId: string): Promise<{ invoice_id: string } | null> {
  const [job] = await db.select().from(t.jobs).where(eq(t.jobs.id, jobId)).limit(1);
  if (!job || !SERVED_JOB.includes(job.status)) return null;
  const invoice = await draftInvoice(db, job);
  await db
    .update(t.invoices)
    .set({ status: 'sent' })
    .where(sql`${t.invoices.id} = ${invoice.id} AND ${t.invoices.status} = 'draft'`);
  await currentInvoicePdf(env, db, invoice.id);
  await emailInvoice(env, db, invoice.id, `invoice:${invoice.id}`);
  return { invoice_id: invoice.id };
}
