import { sql } from 'drizzle-orm';
import { withDb, type Db } from '../lib/db';
import { localParts, previousLocalDay } from '../lib/zoned-time';
import { emailAdmins } from '../notify/intents';
import { dailyReportEmail, type DailyReport } from '../notify/templates';
import { sqlList } from '../../db/sql-list';
import { CALLED_OFF_JOB, SERVED_JOB } from '../../contract/job-status';
import { ensureSettings } from '../services/operator-setup';

/** Local hour the report goes out (ApexPlow DailyRevenueReport: "6 AM daily"). */
export const REPORT_HOUR = 6;

/** Jobs and money of one local day [from, to). */
export async function buildDailyReport(db: Db, day: { date: string; from: Date; to: Date }): Promise<DailyReport> {
  const range = (col: unknown) =>
    sql`${col} >= ${day.from.toISOString()}::timestamptz AND ${col} < ${day.to.toISOString()}::timestamptz`;
  const [jobs] = (
    await db.execute<{ completed: number; revenue: number; cancelled: number }>(sql`
      SELECT count(*) FILTER (WHERE status IN (${sqlList(SERVED_JOB)}) AND ${range(sql`completed_at`)})::int AS completed,
             coalesce(sum(coalesce(final_price_cents, quoted_price_cents)) FILTER (WHERE status IN (${sqlList(SERVED_JOB)}) AND ${range(sql`completed_at`)}), 0)::int AS revenue,
             count(*) FILTER (WHERE status IN (${sqlList(CALLED_OFF_JOB)}) AND ${range(sql`cancelled_at`)})::int AS cancelled
      FROM jobs`)
  ).rows;
  const collected = (
    await db.execute<{ method: string; cents: number }>(sql`
      SELECT method, sum(amount_cents)::int AS cents FROM payments WHERE ${range(sql`recorded_at`)} GROUP BY method ORDER BY method`)
  ).rows;
  const drivers = (
    await db.execute<{ name: string; jobs: number; cents: number }>(sql`
      SELECT u.full_name AS name, count(*)::int AS jobs, coalesce(sum(coalesce(j.final_price_cents, j.quoted_price_cents)), 0)::int AS cents
      FROM jobs j JOIN driver_profiles d ON d.id = j.driver_id JOIN users u ON u.id = d.user_id
      WHERE j.status IN (${sqlList(SERVED_JOB)}) AND ${range(sql`j.completed_at`)}
      GROUP BY u.full_name ORDER BY cents DESC, name`)
  ).rows;
  return {
    date: day.date,
    completed: jobs?.completed ?? 0,
    cancelled: jobs?.cancelled ?? 0,
    revenue_cents: jobs?.revenue ?? 0,
    collected,
    drivers,
  };
}

/**
 * The hourly cron tick: at 06:00 in the operator's timezone (any DST offset) it emails every
 * active admin yesterday's jobs and revenue. The idempotency key `daily_report:{date}:{admin}`
 * makes a repeated tick harmless. Returns null outside the report hour.
 */
export async function dailyRevenueReport(
  env: Env,
  at = new Date(),
): Promise<{ date: string; recipients: number } | null> {
  return withDb(env, async (db) => {
    const op = await ensureSettings(db);
    if (localParts(at, op.timezone).hour !== REPORT_HOUR) return null;
    const day = previousLocalDay(at, op.timezone);
    const report = await buildDailyReport(db, day);
    const email = dailyReportEmail({ business_name: op.business_name, ...report });
    const recipients = await emailAdmins(db, { kind: 'daily_report', key: `daily_report:${day.date}`, ...email });
    return { date: day.date, recipients };
  });
}
