import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import * as t from '../../db/schema';
import type { Db } from '../lib/db';
import type { Queryable } from '../services/notify-intents';
import { loadOperator } from '../notify/recipients';
import type { InvoiceView } from './pdf';

/** A short human invoice number from the id: INV-1A2B3C4D. */
export const invoiceNumber = (id: string) => `INV-${id.slice(0, 8).toUpperCase()}`;

/** Subtotal, tax and total of a finished job (integer cents; tax rounded half up). */
export function invoiceAmounts(
  job: Pick<t.Job, 'final_price_cents' | 'quoted_price_cents' | 'discount_cents'>,
  taxRateBps: number,
) {
  const subtotal_cents = Math.max(0, (job.final_price_cents ?? job.quoted_price_cents ?? 0) - job.discount_cents);
  const tax_cents = Math.round((subtotal_cents * taxRateBps) / 10_000);
  return { subtotal_cents, tax_cents, total_cents: subtotal_cents + tax_cents };
}

export async function liveInvoiceForJob(db: Queryable, jobId: string): Promise<t.Invoice | undefined> {
  const [row] = await db
    .select()
    .from(t.invoices)
    .where(and(eq(t.invoices.job_id, jobId), ne(t.invoices.status, 'void')))
    .limit(1);
  return row;
}

/**
 * The job's live invoice, creating the draft when the completion flow has not (yet): one
 * live invoice per job is guaranteed by a partial unique index, so concurrent callers
 * converge on the same row.
 */
export async function ensureInvoice(db: Db, job: t.Job): Promise<t.Invoice> {
  const existing = await liveInvoiceForJob(db, job.id);
  if (existing) return existing;
  const op = await loadOperator(db);
  const amounts = invoiceAmounts(job, op.tax_rate_bps);
  await db.execute(sql`
    INSERT INTO invoices (job_id, customer_id, status, subtotal_cents, tax_cents, total_cents)
    VALUES (${job.id}, ${job.customer_id}, 'draft', ${amounts.subtotal_cents}, ${amounts.tax_cents}, ${amounts.total_cents})
    ON CONFLICT (job_id) WHERE status <> 'void' DO NOTHING`);
  const row = await liveInvoiceForJob(db, job.id);
  if (!row) throw new Error(`invoice for job ${job.id} could not be created`);
  return row;
}

/** Everything the PDF shows, read in one place. */
export async function loadInvoiceView(db: Db, invoiceId: string): Promise<InvoiceView | null> {
  const customerUser = alias(t.users, 'customer_user');
  const driverUser = alias(t.users, 'driver_user');
  const [r] = await db
    .select({
      invoice: t.invoices,
      job: t.jobs,
      customer: { name: customerUser.full_name, email: customerUser.email, phone: customerUser.phone },
      tier_label: t.pricing_config.tier_label,
      driver_name: driverUser.full_name,
      paypal_link: t.driver_profiles.paypal_link,
      venmo_link: t.driver_profiles.venmo_link,
    })
    .from(t.invoices)
    .innerJoin(t.jobs, eq(t.jobs.id, t.invoices.job_id))
    .innerJoin(t.customer_profiles, eq(t.customer_profiles.id, t.invoices.customer_id))
    .innerJoin(customerUser, eq(customerUser.id, t.customer_profiles.user_id))
    .leftJoin(t.pricing_config, eq(t.pricing_config.id, t.jobs.driveway_tier_id))
    .leftJoin(t.driver_profiles, eq(t.driver_profiles.id, t.jobs.driver_id))
    .leftJoin(driverUser, eq(driverUser.id, t.driver_profiles.user_id))
    .where(eq(t.invoices.id, invoiceId))
    .limit(1);
  if (!r) return null;
  const changes = await db
    .select({
      old_price_cents: t.job_price_changes.old_price_cents,
      new_price_cents: t.job_price_changes.new_price_cents,
      changed_at: t.job_price_changes.changed_at,
      changed_by: t.users.full_name,
    })
    .from(t.job_price_changes)
    .innerJoin(t.users, eq(t.users.id, t.job_price_changes.changed_by_user_id))
    .where(eq(t.job_price_changes.job_id, r.job.id))
    .orderBy(asc(t.job_price_changes.changed_at));
  const payments = await db
    .select({ method: t.payments.method, amount_cents: t.payments.amount_cents, recorded_at: t.payments.recorded_at })
    .from(t.payments)
    .where(eq(t.payments.job_id, r.job.id))
    .orderBy(asc(t.payments.recorded_at));
  const op = await loadOperator(db);
  const [area] = await db
    .select({ address: t.service_area_config.home_base_address })
    .from(t.service_area_config)
    .where(eq(t.service_area_config.is_active, true))
    .limit(1);
  const inv = r.invoice;
  return {
    invoice: {
      id: inv.id,
      number: invoiceNumber(inv.id),
      status: inv.status,
      issued_at: inv.issued_at ?? new Date(),
      subtotal_cents: inv.subtotal_cents,
      tax_cents: inv.tax_cents,
      total_cents: inv.total_cents,
      tax_rate_bps:
        inv.subtotal_cents > 0 ? Math.round((inv.tax_cents * 10_000) / inv.subtotal_cents) : op.tax_rate_bps,
    },
    business: { name: op.business_name, address: area?.address ?? null, timezone: op.timezone },
    customer: r.customer,
    job: {
      id: r.job.id,
      address: r.job.job_address,
      tier_label: r.tier_label,
      quoted_price_cents: r.job.quoted_price_cents,
      final_price_cents: r.job.final_price_cents,
      discount_cents: r.job.discount_cents,
      requested_at: r.job.requested_at,
      completed_at: r.job.completed_at,
    },
    driver: r.driver_name ? { name: r.driver_name, paypal_link: r.paypal_link, venmo_link: r.venmo_link } : null,
    price_changes: changes,
    payments,
  };
}
