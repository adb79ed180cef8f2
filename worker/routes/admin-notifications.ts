import { Hono } from 'hono';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { NotificationListQuery } from '../../contract/background';
import * as t from '../../db/schema';
import { afterCursor, cursorAt, page } from '../lib/cursor';
import { notFound } from '../lib/errors';
import { readQuery, uuidParam } from '../lib/validate';
import { enqueueNotifications } from '../notify/outbox';
import type { AppEnv } from '../types';
import { equalityFilters } from './list-filters';

/** The admin's outbox: every notification, its status, provider and errors. */
export const adminNotifications = new Hono<AppEnv>();

adminNotifications.get('/', async (c) => {
  const q = readQuery(c, NotificationListQuery);
  const n = t.notification_log;
  const conds = equalityFilters(n, q, ['status', 'channel', 'kind', 'job_id', 'user_id']);
  if (q.cursor) conds.push(afterCursor(n.created_at, n.id, q.cursor));
  const rows = await c.var.db
    .select({
      id: n.id,
      kind: n.kind,
      channel: n.channel,
      status: n.status,
      user_id: n.user_id,
      job_id: n.job_id,
      recipient: n.recipient,
      subject: n.subject,
      body: n.body,
      provider: n.provider,
      provider_message_id: n.provider_message_id,
      attempts: n.attempts,
      last_error: n.last_error,
      send_after: n.send_after,
      created_at: n.created_at,
      sent_at: n.sent_at,
      delivered_at: n.delivered_at,
      _cursor_at: cursorAt(n.created_at),
    })
    .from(n)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(n.created_at), desc(n.id))
    .limit(q.limit + 1);
  const { items, next_cursor } = page(rows, q.limit);
  return c.json({ notifications: items, next_cursor });
});

/** Sends a failed or dead notification again (after fixing a number, a provider outage…). */
adminNotifications.post('/:id/retry', async (c) => {
  const id = uuidParam(c);
  const [row] = await c.var.db
    .update(t.notification_log)
    .set({ status: 'queued', send_after: null })
    .where(and(eq(t.notification_log.id, id), inArray(t.notification_log.status, ['failed', 'dead'])))
    .returning({ id: t.notification_log.id, status: t.notification_log.status });
  if (!row) throw notFound('Failed notification');
  await enqueueNotifications(c.env, [{ id: row.id, send_after: null }]);
  return c.json({ notification: row }, 202);
});
