import { sql } from 'drizzle-orm';
import { type InvoiceStatus, JOB_STATUSES, type JobStatus } from '../../contract/enums';
import { TERMINAL_JOB } from '../../contract/job-status';
import { allowedNext, STATUS_TIMESTAMP } from '../../contract/state-machine';
import { sqlList, sqlStatus } from '../../db/sql-list';
import type { BoardCard, BoardColumn } from '../../contract/responses';
import type { Queryable } from './jobs';
import type { DayRange } from './reports';

const TERMINAL = sqlList(TERMINAL_JOB);
/** When a finished job finished: the time its status stamps, else its last change. */
const finishedAt = (s: JobStatus) => sql.raw(`j.${STATUS_TIMESTAMP[s] ?? 'updated_at'}`);
const FINISHED_AT = sql`CASE ${sql.join(
  TERMINAL_JOB.map((s) => sql`WHEN j.status = ${sqlStatus(s)} THEN ${finishedAt(s)}`),
  sql` `,
)} ELSE j.updated_at END`;
/** Spelled out per status (not through FINISHED_AT) so each arm can use that column's index. */
const FINISHED_IN_DAY = sql.join(
  TERMINAL_JOB.map((s) => sql`(j.status = ${sqlStatus(s)} AND ${finishedAt(s)} >= b.lo AND ${finishedAt(s)} < b.hi)`),
  sql` OR `,
);

export type { BoardCard, BoardColumn };

/**
 * The dispatch board (after Edgar's "Status Board": columns with summaries and ordered
 * cards, in one query). Open columns hold every live job, most urgent first (ASAP and
 * earliest scheduled first); finished columns hold the chosen local day, newest first.
 * Counts and sums cover the whole column even when the cards are capped.
 */
export async function loadBoard(q: Queryable, tz: string, day: DayRange, perColumn: number): Promise<BoardColumn[]> {
  const result = await q.execute<Record<string, unknown>>(sql`
    WITH bounds AS (
      SELECT (${day.from}::date)::timestamp AT TIME ZONE ${tz} AS lo, ((${day.to}::date) + 1)::timestamp AT TIME ZONE ${tz} AS hi
    ), board AS (
      SELECT j.*,
             coalesce(j.final_price_cents, j.quoted_price_cents, 0) AS price_cents,
             ${FINISHED_AT} AS finished_at
      FROM jobs j, bounds b
      WHERE j.status NOT IN (${TERMINAL}) OR ${FINISHED_IN_DAY}
    ), ranked AS (
      SELECT board.*,
             count(*) OVER w_all AS col_count,
             sum(price_cents) OVER w_all AS col_sum,
             row_number() OVER (
               PARTITION BY status
               ORDER BY CASE WHEN status IN (${TERMINAL}) THEN NULL ELSE coalesce(scheduled_for, requested_at) END ASC,
                        CASE WHEN status IN (${TERMINAL}) THEN finished_at END DESC,
                        requested_at, id
             ) AS rn
      FROM board
      WINDOW w_all AS (PARTITION BY status)
    )
    SELECT inv.status AS invoice_status, inv.balance_due_cents, r.id, r.status, r.version, r.customer_id, cu.full_name AS customer_name, r.driver_id, du.full_name AS driver_name,
           r.job_address, ST_Y(r.job_coordinates::geometry) AS lat, ST_X(r.job_coordinates::geometry) AS lng, r.price_cents,
           r.special_instructions, r.requested_at, r.scheduled_for, r.assigned_at, r.completed_at, r.cancelled_at,
           r.col_count, r.col_sum, r.rn
    FROM ranked r
    JOIN customer_profiles cp ON cp.id = r.customer_id
    JOIN users cu ON cu.id = cp.user_id
    LEFT JOIN driver_profiles dp ON dp.id = r.driver_id
    LEFT JOIN users du ON du.id = dp.user_id
    LEFT JOIN LATERAL (
      SELECT i.status, CASE WHEN i.status = 'void' THEN 0 ELSE greatest(i.total_cents
        - coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id), 0), 0) END AS balance_due_cents
      FROM invoices i WHERE i.job_id = r.id AND i.status <> 'void' LIMIT 1
    ) inv ON true
    WHERE r.rn <= ${perColumn}
    ORDER BY r.status, r.rn`);

  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  const columns = new Map<JobStatus, BoardColumn>(
    JOB_STATUSES.map((s) => [s, { status: s, count: 0, total_price_cents: 0, cards: [], truncated: false }]),
  );
  for (const row of result.rows) {
    const status = row.status as JobStatus;
    const col = columns.get(status)!;
    col.count = Number(row.col_count);
    col.total_price_cents = Number(row.col_sum);
    col.cards.push({
      id: String(row.id),
      status,
      version: Number(row.version),
      customer_id: String(row.customer_id),
      customer_name: String(row.customer_name),
      driver_id: (row.driver_id as string | null) ?? null,
      driver_name: (row.driver_name as string | null) ?? null,
      job_address: String(row.job_address),
      lat: Number(row.lat),
      lng: Number(row.lng),
      price_cents: Number(row.price_cents),
      special_instructions: (row.special_instructions as string | null) ?? null,
      requested_at: iso(row.requested_at)!,
      scheduled_for: iso(row.scheduled_for),
      assigned_at: iso(row.assigned_at),
      completed_at: iso(row.completed_at),
      cancelled_at: iso(row.cancelled_at),
      allowed_next: allowedNext(status, 'admin'),
      invoice_status: (row.invoice_status as InvoiceStatus | null) ?? null,
      balance_due_cents: row.balance_due_cents === null ? null : Number(row.balance_due_cents),
    });
  }
  for (const col of columns.values()) col.truncated = col.count > col.cards.length;
  return [...columns.values()];
}
