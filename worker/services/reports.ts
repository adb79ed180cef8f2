import { sql } from 'drizzle-orm';
import { DRIVER_STATUSES, JOB_STATUSES, type JobStatus } from '../../contract/enums';
import { CALLED_OFF_JOB, SERVED_JOB } from '../../contract/job-status';
import { sqlList } from '../../db/sql-list';
import { jobSubtotalSql, standingPaymentSql } from '../invoices/invoices';
import type { Queryable } from '../lib/db';

/**
 * Dashboard counts and the by-day reports. Days are the operator's local days
 * (operator_settings.timezone): a job finished at 11 pm in Concord belongs to that day,
 * not to tomorrow in UTC. Ranges are converted to UTC bounds once, so the row filters
 * stay index-friendly; days without activity come back as zeros.
 */

export interface DayRange {
  from: string;
  to: string;
}

export const DEFAULT_REPORT_DAYS = 30;

/** Today's date (YYYY-MM-DD) in `timeZone`. */
export function localToday(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Fills in a missing end (today) and start (29 days before the end, or the end when only from is given). */
export function resolveRange(timeZone: string, from?: string, to?: string, now = new Date()): DayRange {
  const end = to ?? (from && from > localToday(timeZone, now) ? from : localToday(timeZone, now));
  const start = from ?? addDays(end, -(DEFAULT_REPORT_DAYS - 1));
  return { from: start, to: end };
}

const n = (v: unknown) => Number(v ?? 0);

/** `lo`/`hi`: the UTC instants of local midnight at the start of `from` and after `to`. */
const bounds = (tz: string, r: DayRange) => sql`bounds AS (
  SELECT (${r.from}::date)::timestamp AT TIME ZONE ${tz} AS lo, ((${r.to}::date) + 1)::timestamp AT TIME ZONE ${tz} AS hi
), days AS (
  SELECT d::date AS day FROM generate_series(${r.from}::date, ${r.to}::date, interval '1 day') d
)`;

export async function jobsReport(q: Queryable, tz: string, r: DayRange) {
  const result = await q.execute<Record<string, unknown>>(sql`
    WITH ${bounds(tz, r)},
    req AS (
      SELECT (j.requested_at AT TIME ZONE ${tz})::date AS day, count(*) AS n
      FROM jobs j, bounds b WHERE j.requested_at >= b.lo AND j.requested_at < b.hi GROUP BY 1
    ), done AS (
      SELECT (j.completed_at AT TIME ZONE ${tz})::date AS day, count(*) AS n, sum(${jobSubtotalSql('j')}) AS value
      FROM jobs j, bounds b WHERE j.completed_at >= b.lo AND j.completed_at < b.hi AND j.status IN (${sqlList(SERVED_JOB)}) GROUP BY 1
    ), canc AS (
      SELECT (j.cancelled_at AT TIME ZONE ${tz})::date AS day, count(*) AS n
      FROM jobs j, bounds b WHERE j.cancelled_at >= b.lo AND j.cancelled_at < b.hi AND j.status IN (${sqlList(CALLED_OFF_JOB)}) GROUP BY 1
    )
    SELECT to_char(days.day, 'YYYY-MM-DD') AS day, req.n AS requested, done.n AS completed, canc.n AS cancelled, done.value AS completed_value_cents
    FROM days LEFT JOIN req USING (day) LEFT JOIN done USING (day) LEFT JOIN canc USING (day)
    ORDER BY days.day`);
  const days = result.rows.map((row) => ({
    day: String(row.day),
    requested: n(row.requested),
    completed: n(row.completed),
    cancelled: n(row.cancelled),
    completed_value_cents: n(row.completed_value_cents),
  }));
  const totals = days.reduce(
    (acc, d) => ({
      requested: acc.requested + d.requested,
      completed: acc.completed + d.completed,
      cancelled: acc.cancelled + d.cancelled,
      completed_value_cents: acc.completed_value_cents + d.completed_value_cents,
    }),
    { requested: 0, completed: 0, cancelled: 0, completed_value_cents: 0 },
  );
  return { timezone: tz, ...r, days, totals };
}

/**
 * Revenue on a cash basis: what drivers recorded as collected (payments), refunds by the
 * day they were recorded, and what was invoiced (non-void invoices by creation day).
 */
export async function revenueReport(q: Queryable, tz: string, r: DayRange) {
  const result = await q.execute<Record<string, unknown>>(sql`
    WITH ${bounds(tz, r)},
    paid AS (
      SELECT (p.recorded_at AT TIME ZONE ${tz})::date AS day, sum(p.amount_cents) AS cents, count(*) AS n
      FROM payments p, bounds b WHERE p.recorded_at >= b.lo AND p.recorded_at < b.hi GROUP BY 1
    ), refunded AS (
      SELECT (i.refunded_at AT TIME ZONE ${tz})::date AS day, sum(i.refund_cents) AS cents
      FROM invoices i, bounds b WHERE i.refunded_at >= b.lo AND i.refunded_at < b.hi GROUP BY 1
    ), invoiced AS (
      SELECT (i.created_at AT TIME ZONE ${tz})::date AS day, sum(i.total_cents) AS cents, sum(i.tax_cents) AS tax
      FROM invoices i, bounds b WHERE i.created_at >= b.lo AND i.created_at < b.hi AND i.status <> 'void' GROUP BY 1
    )
    SELECT to_char(days.day, 'YYYY-MM-DD') AS day, paid.cents AS collected_cents, paid.n AS payments, refunded.cents AS refunds_cents,
           invoiced.cents AS invoiced_cents, invoiced.tax AS tax_cents
    FROM days LEFT JOIN paid USING (day) LEFT JOIN refunded USING (day) LEFT JOIN invoiced USING (day)
    ORDER BY days.day`);
  const days = result.rows.map((row) => {
    const collected = n(row.collected_cents);
    const refunds = n(row.refunds_cents);
    return {
      day: String(row.day),
      collected_cents: collected,
      refunds_cents: refunds,
      net_cents: collected - refunds,
      payments: n(row.payments),
      invoiced_cents: n(row.invoiced_cents),
      tax_cents: n(row.tax_cents),
    };
  });
  const methods = await q.execute<{ method: string; cents: unknown }>(sql`
    WITH ${bounds(tz, r)}
    SELECT p.method, sum(p.amount_cents) AS cents FROM payments p, bounds b
    WHERE p.recorded_at >= b.lo AND p.recorded_at < b.hi GROUP BY p.method`);
  const by_method = Object.fromEntries(methods.rows.map((m) => [m.method, n(m.cents)]));
  const sum = (k: 'collected_cents' | 'refunds_cents' | 'net_cents' | 'payments' | 'invoiced_cents' | 'tax_cents') =>
    days.reduce((acc, d) => acc + d[k], 0);
  return {
    timezone: tz,
    ...r,
    days,
    totals: {
      collected_cents: sum('collected_cents'),
      refunds_cents: sum('refunds_cents'),
      net_cents: sum('net_cents'),
      payments: sum('payments'),
      invoiced_cents: sum('invoiced_cents'),
      tax_cents: sum('tax_cents'),
    },
    by_method,
  };
}

/** The dashboard tiles: jobs by status, drivers on shift, waitlist size, today's takings. */
export async function dashboard(q: Queryable, tz: string) {
  const today = localToday(tz);
  const result = await q.execute<Record<string, unknown>>(sql`
    WITH ${bounds(tz, { from: today, to: today })}
    SELECT
      (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM jobs GROUP BY status) s) AS jobs_by_status,
      (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM driver_profiles GROUP BY status) s) AS drivers_by_status,
      (SELECT count(*) FROM waitlist WHERE status = 'waiting') AS waitlist_size,
      (SELECT coalesce(sum(p.amount_cents), 0) FROM payments p, bounds b WHERE p.recorded_at >= b.lo AND p.recorded_at < b.hi) AS revenue_cents,
      (SELECT count(*) FROM payments p, bounds b WHERE p.recorded_at >= b.lo AND p.recorded_at < b.hi AND ${standingPaymentSql('p')}) AS payments,
      (SELECT count(*) FROM jobs j, bounds b WHERE j.requested_at >= b.lo AND j.requested_at < b.hi) AS requested,
      (SELECT count(*) FROM jobs j, bounds b WHERE j.completed_at >= b.lo AND j.completed_at < b.hi) AS completed,
      (SELECT count(*) FROM jobs j, bounds b WHERE j.cancelled_at >= b.lo AND j.cancelled_at < b.hi AND j.status IN (${sqlList(CALLED_OFF_JOB)})) AS cancelled`);
  const row = result.rows[0] ?? {};
  const parse = (v: unknown): Record<string, number> =>
    (typeof v === 'string' ? JSON.parse(v) : (v as Record<string, number> | null)) ?? {};
  const jobsRaw = parse(row.jobs_by_status);
  const jobs_by_status = Object.fromEntries(JOB_STATUSES.map((s) => [s, n(jobsRaw[s])])) as Record<JobStatus, number>;
  const driversRaw = parse(row.drivers_by_status);
  const drivers_by_status = Object.fromEntries(DRIVER_STATUSES.map((s) => [s, n(driversRaw[s])]));
  return {
    timezone: tz,
    today,
    jobs_by_status,
    drivers_by_status,
    /** On shift: available, driving to a job, or on one. */
    active_drivers: n(drivers_by_status.available) + n(drivers_by_status.en_route) + n(drivers_by_status.on_job),
    waitlist_size: n(row.waitlist_size),
    today_revenue_cents: n(row.revenue_cents),
    today_payments: n(row.payments),
    today_jobs: { requested: n(row.requested), completed: n(row.completed), cancelled: n(row.cancelled) },
  };
}
