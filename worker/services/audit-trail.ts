import type { Context } from 'hono';
import { audit, type AuditEntry } from '../lib/audit';
import type { AppEnv } from '../types';
import type { Queryable } from '../lib/db';

/**
 * Services that write an admin change inside their own transaction take a `RecordAudit`
 * rather than the request: the route binds the request (who, IP, user agent, request id)
 * to `lib/audit`'s `audit`, and the service passes its transaction, so the audit row
 * commits or rolls back with the change it describes.
 */
export type RecordAudit = (q: Queryable, entry: AuditEntry) => Promise<void>;

export function auditor(c: Context<AppEnv>): RecordAudit {
  return (q, entry) => audit(c, entry, q);
}
