import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import { currentInvoicePdf } from '../invoices/generate';
import { invoiceNumber } from '../invoices/invoices';
import { actorOf } from '../lib/actor';
import { ApiError, notFound } from '../lib/errors';
import { uuidParam } from '../lib/validate';
import type { AppEnv } from '../types';

/** Invoice PDFs (the rest of /api/v1/invoices belongs to the billing routes). */
export const invoicePdf = new Hono<AppEnv>();

/**
 * Streams the invoice PDF to its customer or an admin (others: 404), as the invoice stands
 * now: drawn again when a payment, void or refund changed what it shows.
 */
invoicePdf.get('/:id/pdf', async (c) => {
  const id = uuidParam(c);
  const actor = actorOf(c);
  const [invoice] = await c.var.db.select().from(t.invoices).where(eq(t.invoices.id, id)).limit(1);
  if (!invoice || (actor.role !== 'admin' && invoice.customer_id !== actor.customer_id)) throw notFound('Invoice');
  // A seasonal installment's invoice has no job to lay out (docs/decisions/0067).
  if (!invoice.job_id)
    throw new ApiError(404, 'no_pdf', 'This installment invoice has no PDF; its amount and due date are in the app.');
  const pdf = await currentInvoicePdf(c.env, c.var.db, id);
  if (!pdf) throw notFound('Invoice');
  return new Response(pdf.body, {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${invoiceNumber(id)}.pdf"`,
      'cache-control': 'private, no-store',
      'content-length': String(pdf.size),
    },
  });
});
