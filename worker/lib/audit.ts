import type { Context } from 'hono';
import type { AuditAction, RouteAction } from '../../contract/audit';
import * as t from '../../db/schema';
import type { AppEnv } from '../types';
import { clientIp, userAgent } from './client';
import type { Db } from './db';

export interface AuditEntry {
  /** A dotted verb from the contract (`user.suspend`), or the route key of a change. */
  action: AuditAction | RouteAction;
  entity_type?: string | null;
  entity_id?: string | null;
  before?: unknown;
  after?: unknown;
  /** Defaults to the signed-in user; set it where there is none yet (sign-in). */
  actor_user_id?: string | null;
}

type Inserter = Pick<Db, 'insert'>;

/**
 * Records an admin action with who, from where (IP, user agent) and the request id, so
 * "who changed this price?" has an answer. Pass the transaction as `db` to make the
 * record part of the change itself.
 *
 * @example await audit(c, { action: 'user.suspend', entity_type: 'user', entity_id: id, before, after }, tx);
 */
export async function audit(c: Context<AppEnv>, entry: AuditEntry, db: Inserter = c.var.db): Promise<void> {
  const user = c.get('user') as AppEnv['Variables']['user'] | undefined;
  await db.insert(t.audit_log).values({
    actor_user_id: entry.actor_user_id ?? user?.sub ?? null,
    action: entry.action,
    entity_type: entry.entity_type ?? null,
    entity_id: entry.entity_id ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: clientIp(c),
    user_agent: userAgent(c),
    request_id: c.get('requestId') ?? null,
  });
  c.set('audited', true);
}
