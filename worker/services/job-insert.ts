import { sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Actor } from '../lib/actor';
import type { Queryable } from '../lib/db';
import type { JobStatus } from '../../contract/enums';

/** "12 Elm St, Apt 2, Concord, NH 03301" — the address snapshot stored on the job. */
export function formatAddress(
  l: Pick<
    typeof t.service_locations.$inferSelect,
    'address_line1' | 'address_line2' | 'city' | 'state_province' | 'postal_code'
  >,
): string {
  return [l.address_line1, l.address_line2, l.city, `${l.state_province} ${l.postal_code}`].filter(Boolean).join(', ');
}

export interface InsertJobsOptions {
  /** The note on each job's first status event. */
  notes?: string | null;
  /**
   * Storm jobs: a row whose (storm_id, contract_id) already has a job is skipped (ON CONFLICT
   * DO NOTHING on `jobs_storm_contract_unique`), so racing declarations and raises make each
   * storm job once; only the jobs actually created come back.
   */
  oncePerStormContract?: boolean;
}

/**
 * Where every job is born: inserts pending jobs and their first status events in one
 * statement — a customer's request, an admin's entry, a storm's contract properties
 * (worker/services/storms.ts). One statement is atomic by itself, so a lone request needs
 * no transaction around it; in a caller's transaction it is one step of that. Announce the
 * jobs after the commit with `announceNewJobs`.
 */
export async function insertPendingJobs(
  q: Queryable,
  actor: Actor,
  values: t.NewJob[],
  opts: InsertJobsOptions = {},
): Promise<t.Job[]> {
  if (values.length === 0) return [];
  const insert = q.insert(t.jobs).values(values);
  const born = q
    .$with('born')
    .as(
      opts.oncePerStormContract
        ? insert.onConflictDoNothing({ target: [t.jobs.storm_id, t.jobs.contract_id] }).returning()
        : insert.returning(),
    );
  // Events carry wall-clock time, as `transitionJob` does: a move made next in the same
  // transaction (a driver taking a waitlisted request) must come after this in the history.
  const e = t.job_status_events;
  const column = (c: { name: string }) => sql.identifier(c.name);
  const firstEvents = q.$with('first_events', {}).as(sql`
    INSERT INTO ${e} (${column(e.job_id)}, ${column(e.previous_status)}, ${column(e.new_status)},
                      ${column(e.changed_by_user_id)}, ${column(e.notes)}, ${column(e.created_at)})
    SELECT ${born.id}, NULL, ${'pending' satisfies JobStatus}, ${actor.system ? null : actor.user_id}::uuid,
           ${opts.notes ?? null}::text, clock_timestamp()
    FROM ${born}`);
  return q.with(born, firstEvents).select().from(born);
}
