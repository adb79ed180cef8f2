import * as t from '../../db/schema';
import type { Actor } from '../lib/actor';
import type { Queryable } from '../lib/db';
import { historyOf } from './job-history';

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
  const history = historyOf(q, born, {
    previous_status: null,
    new_status: 'pending',
    changed_by_user_id: actor.system ? null : actor.user_id,
    notes: opts.notes ?? null,
  });
  return q.with(born, history).select().from(born);
}
