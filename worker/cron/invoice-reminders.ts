import { sql } from 'drizzle-orm';
import { OPEN_INVOICE_STATUSES } from '../../contract/enums';
import { invoiceNumber } from '../invoices/invoices';
import { type Db, withDb } from '../lib/db';
import { notifyPerson } from '../notify/intents';

/** A balance this many days past its due date gets one reminder. */
export const OVERDUE_REMINDER_DAYS = 7;

/**
 * "Invoice 7 days overdue": every open invoice with money owed a week past its due date is
 * reminded to its customer once (the notification key is the invoice), however often the
 * hourly tick runs.
 */
export async function remindOverdueInvoices(db: Db, at: Date): Promise<{ reminded: number }> {
  const overdue = (
    await db.execute<{
      id: string;
      job_id: string | null;
      user_id: string;
      due_cents: number;
      address: string | null;
    }>(sql`
      SELECT i.id, i.job_id, cp.user_id, j.job_address AS address,
             i.total_cents - coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id), 0) AS due_cents
      FROM invoices i
      JOIN customer_profiles cp ON cp.id = i.customer_id
      LEFT JOIN jobs j ON j.id = i.job_id
      WHERE i.status IN (${sql.join(
        OPEN_INVOICE_STATUSES.map((s) => sql`${s}`),
        sql`, `,
      )})
        AND i.due_at <= ${at.toISOString()}::timestamptz - make_interval(days => ${OVERDUE_REMINDER_DAYS})`)
  ).rows.filter((r) => Number(r.due_cents) > 0);
  let reminded = 0;
  for (const inv of overdue) {
    await db.transaction(async (tx) => {
      const written = await notifyPerson(tx, inv.user_id, {
        kind: 'invoice_overdue',
        job_id: inv.job_id,
        key: `invoice_overdue:${inv.id}`,
        context: {
          invoice_number: invoiceNumber(inv.id),
          address: inv.address ?? undefined,
          days: OVERDUE_REMINDER_DAYS,
          amount_cents: Number(inv.due_cents),
        },
      });
      if (written > 0) reminded++;
    });
  }
  return { reminded };
}

/** The hourly Cron Trigger's task. */
export async function invoiceReminders(env: Env, at = new Date()): Promise<{ reminded: number }> {
  return withDb(env, (db) => remindOverdueInvoices(db, at));
}
