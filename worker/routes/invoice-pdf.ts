import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import { storeInvoicePdf } from '../invoices/generate';
import { invoiceNumber } from '../invoices/invoices';
import { actorOf } from '../lib/actor';
import { ApiError, notFound } from '../lib/errors';
import { uuidParam } from '../lib/validate';
import type { AppEnv } from '../types';

/** Invoice PDFs (the rest of /api/v1/invoices belongs to the billing routes). */
export const invoicePdf = new Hono<AppEnv>();

/**
 * Streams the invoice PDF to its customer or an admin (others: 404). Rendered on demand
 * when the invoice queue has not got to it yet.
 */
invoicePdf.get('/:id/pdf', async (c) => {
  const id = uuidParam(c);
  const actor = actorOf(c);
  const [invoice] = await c.var.db.select().from(t.invoices).where(eq(t.invoices.id, id)).limit(1);
  if (!invoice || (actor.role !== 'admin' && invoice.customer_id !== actor.customer_id)) throw notFound('Invoice');
  // A seasonal installment's invoice has no job to lay out (docs/decisions/0067).
  if (!invoice.job_id)
    throw new ApiError(404, 'no_pdf', 'This installment invoice has no PDF; its amount and due date are in the app.');
  const object = invoice.pdf_key ? await c.env.FILES.get(invoice.pdf_key) : null;
  const headers = {
    'content-type': 'application/pdf',
    'content-disposition': `inline; filename="${invoiceNumber(id)}.pdf"`,
    'cache-control': 'private, no-store',
  };
  if (object) return new Response(object.body, { headers: { ...headers, 'content-length': String(object.size) } });
  const { bytes } = await storeInvoicePdf(c.env, c.var.db, id);
  return new Response(bytes, { headers: { ...headers, 'content-length': String(bytes.length) } });
});
