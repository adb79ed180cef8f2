import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import type { WithSubquery } from 'drizzle-orm/subquery';
import * as t from '../../db/schema';
import type { Queryable } from '../lib/db';

/** What a history event says; the job it belongs to and its time come from the statement. */
export type HistoryEvent = Omit<
  typeof t.job_status_events.$inferInsert,
  'id' | 'organization_id' | 'job_id' | 'created_at'
>;

/**
 * A job change and its history in one statement: `changed` is a `WITH` of the jobs an
 * INSERT or UPDATE returned, and this is the `WITH` beside it that adds `event` to the
 * history of each. Run `q.with(changed, historyOf(…)).select().from(changed)`: a change
 * that matches no job records nothing, and a failed event undoes the change. Events carry
 * wall-clock time: two moves in one transaction (reassignment, a waitlisted request taken)
 * must still come out of the history in order.
 */
export function historyOf(
  q: Queryable,
  changed: WithSubquery & { id: AnyColumn },
  event: HistoryEvent,
): WithSubquery<'history', Record<string, never>> {
  const e = t.job_status_events;
  const given = (Object.keys(event) as (keyof HistoryEvent)[]).filter((k) => event[k] !== undefined);
  const columns = [e.job_id, ...given.map((k) => e[k]), e.created_at].map((c) => sql.identifier(c.name));
  // Each value typed as its column: an INSERT … SELECT does not type its parameters from the target.
  const values: SQL[] = given.map((k) => sql`${sql.param(event[k], e[k])}::${sql.raw(e[k].getSQLType())}`);
  return q.$with('history', {}).as(sql`
    INSERT INTO ${e} (${sql.join(columns, sql`, `)})
    SELECT ${sql.join([sql`${changed.id}`, ...values, sql`clock_timestamp()`], sql`, `)} FROM ${changed}`);
}
