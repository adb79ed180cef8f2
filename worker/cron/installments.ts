import { sql } from 'drizzle-orm';
import { withDb, type Db } from '../lib/db';
import { localDate } from '../lib/zoned-time';
import { notifyPerson } from '../notify/intents';
import { ensureSettings } from '../services/operator-setup';

/**
 * Seasonal contracts bill on their installment schedule: each hourly tick issues the invoice
 * of every installment due by today (the operator's date) of an accepted contract. The
 * unique `invoices.contract_installment_id` makes each installment's invoice exactly once,
 * however many ticks overlap or repeat; the customer is told in the same transaction.
 */
export async function issueDueInstallments(db: Db, at: Date): Promise<{ issued: number }> {
  const op = await ensureSettings(db);
  const today = localDate(at, op.timezone);
  return db.transaction(async (tx) => {
    const issued = (
      await tx.execute<{ id: string; customer_id: string; user_id: string; total_cents: number; notes: string }>(sql`
        WITH due AS (
          SELECT i.id AS installment_id, i.seq, i.due_on, i.amount_cents, c.customer_id, c.installment_count,
                 l.address_line1 || ', ' || l.city AS address
          FROM contract_installments i
          JOIN service_contracts c ON c.id = i.contract_id
          JOIN service_locations l ON l.id = c.location_id
          WHERE i.due_on <= ${today}::date AND c.accepted_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM invoices v WHERE v.contract_installment_id = i.id)
        ), made AS (
          INSERT INTO invoices (contract_installment_id, customer_id, status, subtotal_cents, tax_cents, total_cents, notes, issued_at, due_at)
          SELECT installment_id, customer_id, 'sent', amount_cents,
                 round(amount_cents * ${op.tax_rate_bps}::numeric / 10000)::int,
                 amount_cents + round(amount_cents * ${op.tax_rate_bps}::numeric / 10000)::int,
                 'Seasonal contract, installment ' || seq || ' of ' || installment_count || ' — ' || address,
                 now(), due_on::timestamptz
          FROM due
          ON CONFLICT (contract_installment_id) DO NOTHING
          RETURNING id, customer_id, total_cents, notes
        )
        SELECT made.id, made.customer_id, cp.user_id, made.total_cents, made.notes
        FROM made JOIN customer_profiles cp ON cp.id = made.customer_id`)
    ).rows;
    for (const invoice of issued) {
      await notifyPerson(tx, invoice.user_id, {
        kind: 'installment_invoice',
        key: `installment_invoice:${invoice.id}`,
        context: { label: invoice.notes, amount_cents: invoice.total_cents },
      });
    }
    return { issued: issued.length };
  });
}

/** The hourly Cron Trigger's task. */
export async function installmentInvoices(env: Env, at = new Date()): Promise<{ issued: number }> {
  return withDb(env, (db) => issueDueInstallments(db, at));
}
