import { sql } from 'drizzle-orm';
import { SERVED_JOB, TERMINAL_JOB } from '../../contract/job-status';
import { sqlList } from '../../db/sql-list';
import { jobSubtotalSql } from '../invoices/invoices';
import { decodeCursor, encodeCursor } from '../lib/cursor';
import type { Queryable } from '../lib/db';
import type { DayRange } from './reports';

/**
 * A driver's own finished jobs (newest first) and their totals by the operator's local
 * day. Time on site is the driver's own taps, arrived to completed; the amount is what
 * the job bills before tax (the invoices' subtotal), for visits made only.
 */

/** When a finished job finished: completed, else cancelled, else its last change. */
const FINISHED_AT = sql.raw('coalesce(j.completed_at, j.cancelled_at, j.updated_at)');
const MINUTES_ON_SITE = sql.raw(
  `CASE WHEN j.arrived_at IS NOT NULL AND j.completed_at >= j.arrived_at
     THEN round(extract(epoch FROM j.completed_at - j.arrived_at) / 60)::int END`,
);

export interface HistoryJob {
  id: string;
  status: string;
  job_address: string;
  service_type: string;
  finished_at: string;
  arrived_at: string | null;
  completed_at: string | null;
  minutes_on_site: number | null;
  amount_cents: number;
}

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export async function driverHistoryJobs(
  q: Queryable,
  driverId: string,
  opts: { cursor?: string | undefined; limit: number },
): Promise<{ jobs: HistoryJob[]; next_cursor: string | null }> {
  const after = opts.cursor ? decodeCursor(opts.cursor) : null;
  const result = await q.execute<Record<string, unknown>>(sql`
    SELECT j.id, j.status, j.job_address, j.service_type, j.arrived_at, j.completed_at,
           ${FINISHED_AT} AS finished_at,
           to_char(${FINISHED_AT} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
           ${MINUTES_ON_SITE} AS minutes_on_site,
           CASE WHEN j.status IN (${sqlList(SERVED_JOB)}) THEN ${jobSubtotalSql('j')} ELSE 0 END AS amount_cents
      FROM jobs j
     WHERE j.driver_id = ${driverId}::uuid AND j.status IN (${sqlList(TERMINAL_JOB)})
       ${after ? sql`AND (${FINISHED_AT}, j.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
     ORDER BY ${FINISHED_AT} DESC, j.id DESC
     LIMIT ${opts.limit + 1}`);
  const rows = result.rows;
  const slice = rows.slice(0, opts.limit);
  const last = slice.at(-1);
  return {
    jobs: slice.map((r) => ({
      id: String(r.id),
      status: String(r.status),
      job_address: String(r.job_address),
      service_type: String(r.service_type),
      finished_at: iso(r.finished_at)!,
      arrived_at: iso(r.arrived_at),
      completed_at: iso(r.completed_at),
      minutes_on_site: r.minutes_on_site == null ? null : Number(r.minutes_on_site),
      amount_cents: Number(r.amount_cents ?? 0),
    })),
    next_cursor: rows.length > opts.limit && last ? encodeCursor(String(last.cursor_at), String(last.id)) : null,
  };
}

export interface HistoryDay {
  day: string;
  jobs: number;
  minutes_on_site: number;
  amount_cents: number;
}

/** Visits made per local day of `r` (days without any come back as zeros), and their totals. */
export async function driverHistoryDays(q: Queryable, driverId: string, tz: string, r: DayRange) {
  const result = await q.execute<Record<string, unknown>>(sql`
    WITH bounds AS (
      SELECT (${r.from}::date)::timestamp AT TIME ZONE ${tz} AS lo, ((${r.to}::date) + 1)::timestamp AT TIME ZONE ${tz} AS hi
    ), days AS (
      SELECT d::date AS day FROM generate_series(${r.from}::date, ${r.to}::date, interval '1 day') d
    ), done AS (
      SELECT (j.completed_at AT TIME ZONE ${tz})::date AS day, count(*) AS jobs,
             sum(coalesce(${MINUTES_ON_SITE}, 0)) AS minutes, sum(${jobSubtotalSql('j')}) AS amount
        FROM jobs j, bounds b
       WHERE j.driver_id = ${driverId}::uuid AND j.completed_at >= b.lo AND j.completed_at < b.hi
         AND j.status IN (${sqlList(SERVED_JOB)})
       GROUP BY 1
    )
    SELECT to_char(days.day, 'YYYY-MM-DD') AS day, done.jobs, done.minutes, done.amount
      FROM days LEFT JOIN done USING (day)
     ORDER BY days.day DESC`);
  const days: HistoryDay[] = result.rows.map((row) => ({
    day: String(row.day),
    jobs: Number(row.jobs ?? 0),
    minutes_on_site: Number(row.minutes ?? 0),
    amount_cents: Number(row.amount ?? 0),
  }));
  const totals = days.reduce(
    (acc, d) => ({
      jobs: acc.jobs + d.jobs,
      minutes_on_site: acc.minutes_on_site + d.minutes_on_site,
      amount_cents: acc.amount_cents + d.amount_cents,
    }),
    { jobs: 0, minutes_on_site: 0, amount_cents: 0 },
  );
  return { timezone: tz, from: r.from, to: r.to, days, totals };
}
