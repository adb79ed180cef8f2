import type { Context } from 'hono';
import * as t from '../../db/schema';
import type { AppEnv } from '../types';
import type { Queryable } from './jobs';

/**
 * Audit rows for admin actions (ApexPlow §6), written inside the transaction of the change
 * they describe so the log cannot disagree with the data. A small local stand-in for the
 * auth work's `worker/lib/audit.ts` helper (same fields), which writes outside transactions.
 */

export interface AuditContext {
  actor_user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

export interface AuditEntry {
  action: string;
  entity_type: string;
  entity_id: string;
  before?: unknown;
  after?: unknown;
}

/** Who did it and from where, from the request. */
export function auditContext(c: Context<AppEnv>): AuditContext {
  return {
    actor_user_id: c.var.user?.sub ?? null,
    ip: c.req.header('cf-connecting-ip') ?? null,
    user_agent: c.req.header('user-agent')?.slice(0, 300) ?? null,
    request_id: c.var.requestId ?? null,
  };
}

export async function recordAudit(q: Queryable, ctx: AuditContext, entry: AuditEntry): Promise<void> {
  await q.insert(t.audit_log).values({
    actor_user_id: ctx.actor_user_id,
    action: entry.action,
    entity_type: entry.entity_type,
    entity_id: entry.entity_id,
    before: entry.before === undefined ? null : JSON.parse(JSON.stringify(entry.before)),
    after: entry.after === undefined ? null : JSON.parse(JSON.stringify(entry.after)),
    ip: ctx.ip,
    user_agent: ctx.user_agent,
    request_id: ctx.request_id,
  });
}
