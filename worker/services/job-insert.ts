import { sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Actor } from '../lib/actor';
import type { Tx } from '../lib/db';

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
 * Where every job is born: inserts pending jobs and their first status event in the
 * caller's transaction — a customer's request, an admin's entry, a storm's contract
 * properties (worker/services/storms.ts). Announce them after the commit with
 * `announceNewJobs`.
 */
export async function insertPendingJobs(
  tx: Tx,
  actor: Actor,
  values: t.NewJob[],
  opts: InsertJobsOptions = {},
): Promise<t.Job[]> {
  if (values.length === 0) return [];
  const insert = tx.insert(t.jobs).values(values);
  const rows = opts.oncePerStormContract
    ? await insert.onConflictDoNothing({ target: [t.jobs.storm_id, t.jobs.contract_id] }).returning()
    : await insert.returning();
  if (rows.length > 0) {
    await tx.insert(t.job_status_events).values(
      rows.map((row) => ({
        job_id: row.id,
        previous_status: null,
        new_status: 'pending' as const,
        changed_by_user_id: actor.system ? null : actor.user_id,
        notes: opts.notes ?? null,
        // Wall-clock time, as `transitionJob` does: a move made next in the same transaction
        // (a driver taking a waitlisted request) must come after this in the history.
        created_at: sql`clock_timestamp()`,
      })),
    );
  }
  return rows;
}
