import { generateInvoice } from '../invoices/generate';
import { withDb } from '../lib/db';
import { InvoiceMessage } from '../notify/outbox';
import { log } from '../lib/log';
import { readMessage } from './message';

const RETRY_BASE_SECONDS = 30;

/**
 * The invoice queue consumer: one completed job per message → PDF in R2 + email. Every step
 * is idempotent, so a redelivered or swept message only repeats what is missing. Failures
 * retry with backoff and land in plowdispatch-dlq after max_retries; the outbox sweep
 * re-enqueues completed jobs still without a PDF.
 */
export async function consumeInvoices(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const invoice = readMessage(msg, InvoiceMessage, 'dropping malformed invoice message');
    if (!invoice) continue;
    try {
      await withDb(env, (db) => generateInvoice(env, db, invoice.job_id));
      msg.ack();
    } catch (err) {
      log.error({
        msg: 'invoice generation failed; retrying',
        job_id: invoice.job_id,
        attempt: msg.attempts,
        err: String(err),
      });
      msg.retry({ delaySeconds: Math.min(600, RETRY_BASE_SECONDS * 2 ** (msg.attempts - 1)) });
    }
  }
}
