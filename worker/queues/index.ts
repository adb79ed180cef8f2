import { consumeInvoices } from './invoices';
import { consumeLocationLog } from './location-log';
import { consumeDeadNotifications, consumeNotifications } from './notifications';
import { log } from '../lib/log';

type Consumer = (batch: MessageBatch<unknown>, env: Env) => Promise<void>;

/** Queue name (wrangler.toml) → consumer. A per-environment suffix (`…-staging`) still matches. */
export const CONSUMERS: Record<string, Consumer> = {
  'plowdispatch-location-log': consumeLocationLog,
  'plowdispatch-notifications': consumeNotifications,
  'plowdispatch-notifications-dlq': consumeDeadNotifications,
  'plowdispatch-invoices': consumeInvoices,
};

/** The Worker's `queue` handler: routes a batch by queue name (longest matching name wins). */
export async function dispatchQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const name = Object.keys(CONSUMERS)
    .filter((q) => batch.queue === q || batch.queue.startsWith(`${q}-`))
    .sort((a, b) => b.length - a.length)[0];
  if (!name) {
    log.error({ msg: 'message from unknown queue', queue: batch.queue });
    return batch.ackAll();
  }
  return CONSUMERS[name]!(batch, env);
}
