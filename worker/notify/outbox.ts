import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { log } from '../lib/log';
import { expectWork, type ScheduleEnv } from '../cron/schedule';

/**
 * The after-commit half of the transactional outbox (docs/decisions/0021-notification-outbox.md).
 *
 * A notification is first a `notification_log` row (status `queued`) written in the same
 * transaction as the change that caused it. Whoever wrote it notes the id here; when the
 * surrounding unit of work ends (a request, a `withDb` block) the ids go onto the
 * NOTIFICATIONS queue — and completed jobs onto the INVOICES queue. If the Worker dies
 * between commit and enqueue, the sweep (worker/cron/outbox-sweep.ts) finds the row and
 * enqueues it, so nothing is lost; the consumer is idempotent, so an id that
 * arrives twice (or for a rolled-back row) is harmless.
 */

/** What the NOTIFICATIONS queue carries: only the id — the row is the source of truth. */
export const NotificationMessage = z.object({ id: z.uuid() });
export type NotificationMessage = z.infer<typeof NotificationMessage>;

/** What the INVOICES queue carries: the completed job whose invoice PDF is due. */
export const InvoiceMessage = z.object({ job_id: z.uuid() });
export type InvoiceMessage = z.infer<typeof InvoiceMessage>;

/** Queues allow at most 12 hours of delay; a later `send_after` is re-delayed on arrival. */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 60 * 60;
const SEND_BATCH_LIMIT = 100;

export interface OutboxEnv extends ScheduleEnv {
  NOTIFICATIONS: Queue;
  INVOICES: Queue;
}

/** A fresh `queued` row the sweep finds if its message never reached the queue: due this long after it was. */
export const SWEEP_GRACE_MINUTES = 2;

interface Pending {
  notifications: Map<string, Date | null>;
  invoices: Set<string>;
}

const scope = new AsyncLocalStorage<Pending>();

/** Notes a freshly written `queued` notification for enqueueing when the unit of work ends. */
export function noteQueued(id: string, sendAfter: Date | null): void {
  scope.getStore()?.notifications.set(id, sendAfter);
}

/** Notes a completed job whose invoice PDF should be rendered after commit. */
export function noteInvoiceDue(jobId: string): void {
  scope.getStore()?.invoices.add(jobId);
}

/**
 * Runs `fn` as one unit of work and, when it ends (success or not — rows committed before
 * a later failure must still go out), enqueues what it noted. `defer` hands the enqueue to
 * `waitUntil` so a response need not wait for it; otherwise it is awaited.
 */
export async function withOutbox<T>(
  env: Partial<OutboxEnv>,
  fn: () => Promise<T>,
  defer?: (work: Promise<void>) => void,
): Promise<T> {
  const pending: Pending = { notifications: new Map(), invoices: new Set() };
  try {
    return await scope.run(pending, fn);
  } finally {
    if (pending.notifications.size > 0 || pending.invoices.size > 0) {
      const work = flushOutbox(env, pending).catch((err: unknown) =>
        log.error({ msg: 'outbox flush failed; the sweep will enqueue', err: String(err) }),
      );
      if (defer) defer(work);
      else await work;
    }
  }
}

/** Seconds until `sendAfter` (0 when due), within the Queues delay limit. */
export function delayFor(sendAfter: Date | null, now = Date.now()): number {
  if (!sendAfter) return 0;
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((sendAfter.getTime() - now) / 1000)));
}

/** Puts notification ids on the queue, each delayed until its `send_after`. */
export async function enqueueNotifications(
  env: Partial<OutboxEnv>,
  items: { id: string; send_after: Date | null }[],
): Promise<void> {
  if (!env.NOTIFICATIONS || items.length === 0) return;
  const now = Date.now();
  for (let i = 0; i < items.length; i += SEND_BATCH_LIMIT) {
    await env.NOTIFICATIONS.sendBatch(
      items.slice(i, i + SEND_BATCH_LIMIT).map((n) => {
        const delaySeconds = delayFor(n.send_after, now);
        return { body: { id: n.id } satisfies NotificationMessage, ...(delaySeconds > 0 ? { delaySeconds } : {}) };
      }),
    );
  }
}

/** Puts completed jobs on the invoice queue. */
export async function enqueueInvoices(env: Partial<OutboxEnv>, jobIds: string[]): Promise<void> {
  if (!env.INVOICES || jobIds.length === 0) return;
  for (let i = 0; i < jobIds.length; i += SEND_BATCH_LIMIT) {
    await env.INVOICES.sendBatch(
      jobIds.slice(i, i + SEND_BATCH_LIMIT).map((job_id) => ({ body: { job_id } satisfies InvoiceMessage })),
    );
  }
}

/** Enqueues a unit of work's rows, and tells the sweep to look for any that never arrive. */
async function flushOutbox(env: Partial<OutboxEnv>, pending: Pending): Promise<void> {
  await Promise.all([
    expectWork(env, 'outbox_sweep', Date.now() + SWEEP_GRACE_MINUTES * 60_000),
    enqueueNotifications(
      env,
      [...pending.notifications].map(([id, send_after]) => ({ id, send_after })),
    ),
    enqueueInvoices(env, [...pending.invoices]),
  ]);
}
