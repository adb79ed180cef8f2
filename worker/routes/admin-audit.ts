import { Hono } from 'hono';
import { and, desc, eq } from 'drizzle-orm';
import { AuditLogQuery } from '../../contract/api';
import * as t from '../../db/schema';
import { afterCursor, cursorAt, page } from '../lib/cursor';
import { readQuery } from '../lib/validate';
import { equalityFilters } from './list-filters';
import type { AppEnv } from '../types';

/** The audit log of admin actions (ApexPlow §6), newest first, cursor-paged. */
export const adminAudit = new Hono<AppEnv>();

adminAudit.get('/audit-log', async (c) => {
  const q = readQuery(c, AuditLogQuery);
  const a = t.audit_log;
  const conds = equalityFilters(a, q, ['action', 'entity_type', 'entity_id', 'actor_user_id']);
  if (q.cursor) conds.push(afterCursor(a.created_at, a.id, q.cursor));
  const rows = await c.var.db
    .select({
      id: a.id,
      created_at: a.created_at,
      action: a.action,
      entity_type: a.entity_type,
      entity_id: a.entity_id,
      actor_user_id: a.actor_user_id,
      actor_email: t.users.email,
      actor_name: t.users.full_name,
      before: a.before,
      after: a.after,
      ip: a.ip,
      user_agent: a.user_agent,
      request_id: a.request_id,
      _cursor_at: cursorAt(a.created_at),
    })
    .from(a)
    .leftJoin(t.users, eq(t.users.id, a.actor_user_id))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(a.created_at), desc(a.id))
    .limit(q.limit + 1);
  const { items, next_cursor } = page(rows, q.limit);
  return c.json({ entries: items, next_cursor });
});
