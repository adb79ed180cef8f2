import { and, eq, isNull } from 'drizzle-orm';
import type { ContactPreference, JobStatus, Role } from '../../contract/enums';
import * as t from '../../db/schema';
import { enqueueNotificationIntents, type NotificationIntent, type Queryable } from '../services/notify-intents';
import { noteInvoiceDue } from './outbox';
import { quietHoursEnd } from './quiet-hours';
import {
  customerUserId,
  loadContact,
  loadJobParties,
  planDeliveries,
  type Contact,
  type JobParties,
  type OperatorContext,
} from './recipients';
import { NOTIFICATIONS, holdMinutes, isUrgent, type MessageContext, type TemplateKind } from './templates';
import { ensureSettings } from '../services/operator-setup';

export interface NotifyOptions {
  kind: TemplateKind;
  /** Prefix of the idempotency keys; channel and recipient are appended. */
  key: string;
  job_id?: string | null;
  context: Omit<MessageContext, 'business_name' | 'time_zone'>;
  /** False when another message covers email. */
  email?: boolean;
  now?: Date;
}

/**
 * The deliveries of one message to one person (see `planDeliveries`), as the outbox rows
 * to record: rendered, held for quiet hours or a grace period, keyed so a retry records
 * nothing twice.
 */
function deliveriesTo(op: OperatorContext, contact: Contact, n: NotifyOptions): NotificationIntent[] {
  const message = NOTIFICATIONS[n.kind].render({
    ...n.context,
    business_name: op.business_name,
    time_zone: op.timezone,
  });
  const now = n.now ?? new Date();
  const hold = holdMinutes(n.kind);
  const heldUntil = hold ? new Date(now.getTime() + hold * 60_000) : null;
  const quietUntil = isUrgent(n.kind) ? null : quietHoursEnd(now, op);
  const smsAfter = later(heldUntil, quietUntil);
  return planDeliveries(contact, message, { email: n.email }).map((d) => {
    const content =
      d.channel === 'sms'
        ? { subject: null, body: message.sms! }
        : d.channel === 'email'
          ? { subject: message.email!.subject, body: message.email!.text }
          : { subject: message.push!.title, body: message.push!.body };
    return {
      user_id: contact.user_id,
      job_id: n.job_id ?? null,
      kind: n.kind,
      channel: d.channel,
      recipient: d.recipient,
      ...content,
      idempotency_key: `${n.key}:${d.channel}:${d.channel === 'push' ? d.recipient : contact.user_id}`,
      send_after: d.channel === 'sms' ? smsAfter : heldUntil,
      ...(d.skipped_reason ? { skipped_reason: d.skipped_reason } : {}),
    };
  });
}

/**
 * Records the deliveries of one message to one person (`deliveriesTo`) as outbox rows in
 * the caller's transaction. Returns the number of rows queued.
 */
export async function notifyContact(
  tx: Queryable,
  op: OperatorContext,
  contact: Contact,
  n: NotifyOptions,
): Promise<number> {
  return (await enqueueNotificationIntents(tx, deliveriesTo(op, contact, n))).filter((r) => r.queued).length;
}

/** Contact details to use instead of the person's own (a waitlist entry's snapshot). */
export interface ContactOverride {
  preferred_contact: ContactPreference | null;
  email: string | null;
  phone: string | null;
}

/**
 * `notifyContact` for a person known by user id: loads the operator and the person's
 * contact details (with `override` on top), then records the deliveries. Returns the rows queued.
 */
export async function notifyPerson(
  tx: Queryable,
  userId: string,
  n: NotifyOptions,
  override?: ContactOverride,
): Promise<number> {
  const [operator, contact] = await Promise.all([ensureSettings(tx), loadContact(tx, userId)]);
  if (!contact) return 0;
  const to: Contact = override
    ? {
        ...contact,
        preferred: override.preferred_contact ?? contact.preferred,
        email: override.email ?? contact.email,
        phone: override.phone ?? contact.phone,
      }
    : contact;
  return notifyContact(tx, operator, to, n);
}

/** `notifyPerson` for the account behind a customer profile; 0 when the profile has none. */
export async function notifyCustomer(
  tx: Queryable,
  customerId: string,
  n: NotifyOptions,
  override?: ContactOverride,
): Promise<number> {
  const userId = await customerUserId(tx, customerId);
  return userId ? notifyPerson(tx, userId, n, override) : 0;
}

export interface JobTransition {
  job: t.Job;
  previous_status: JobStatus;
  to: JobStatus;
  /** Who made the change; a customer is not told about their own cancellation. */
  actor?: { role: Role; system?: boolean } | null;
  /** The job's driver before the change: told when a dispatcher takes the job back. */
  previous_driver_id?: string | null;
}

/** A job status's message for the job's customer. */
const CUSTOMER_KIND: Partial<Record<JobStatus, TemplateKind>> = {
  assigned: 'job_assigned',
  en_route: 'job_en_route',
  arrived: 'job_arrived',
  completed: 'job_completed',
  cancelled: 'job_cancelled',
};

/** A job status's message for the job's driver. */
const DRIVER_KIND: Partial<Record<JobStatus, TemplateKind>> = {
  assigned: 'driver_job_assigned',
  cancelled: 'driver_job_cancelled',
};

/**
 * Whom a move to `to` by `actor` may tell, decided before the job is read: its customer,
 * and its driver after the move (`new`) or the one it was taken from (`previous`). Null:
 * nobody. `transitionJob` reads these people in its first statement (`jobPartiesSql`) and
 * hands them to `jobNoticeIntents`.
 */
export function noticeAudience(
  to: JobStatus,
  actor: JobTransition['actor'],
): { customer: boolean; driver: 'new' | 'previous' } | null {
  // A dispatcher took the job back (reassign / un-assign): the old driver hears it.
  if (to === 'pending') return actor?.role === 'admin' ? { customer: false, driver: 'previous' } : null;
  if (!CUSTOMER_KIND[to]) return null;
  // A customer is not told about their own cancellation, nor about an auto-dispatch offer
  // (it may move on to another driver; they hear when a driver accepts).
  const customer = !(to === 'cancelled' && actor?.role === 'customer') && !(to === 'assigned' && actor?.system);
  return { customer, driver: 'new' };
}

/**
 * The notifications a job status change causes (ApexPlow §7 NotifyCustomerJobAssigned,
 * NotifyJobStatusChange), rendered and not yet written, to the people `parties` holds
 * (read for `noticeAudience`). `transitionJob` plans them with the job as its change will
 * leave it and writes them in the statement that changes the job (`intentsInsertSql`), so
 * they commit or roll back with it.
 *
 * - assigned → the customer (by preference) and the driver (push, else SMS);
 * - en_route, arrived → the customer;
 * - completed → the customer by SMS if they take SMS; the invoice email follows from the
 *   invoice queue, which this also schedules;
 * - cancelled → the customer (unless they cancelled it) and the assigned driver;
 * - pending, taken back by a dispatcher → the driver it was taken from.
 */
export function jobNoticeIntents(change: JobTransition, parties: JobParties): NotificationIntent[] {
  const { job, to } = change;
  if (change.previous_status === to) return [];
  // A settled dispute is not a second completion: no new completion notice or invoice.
  if (change.previous_status === 'disputed') return [];
  if (to === 'completed') noteInvoiceDue(job.id);
  const audience = noticeAudience(to, change.actor);
  if (!audience) return [];
  const { operator, tier_label, customer, driver } = parties;
  if (audience.driver === 'previous') {
    if (!driver) return [];
    return deliveriesTo(operator, driver, {
      kind: 'driver_job_cancelled',
      key: jobNoticeKey(job, 'driver_job_cancelled'),
      job_id: job.id,
      context: jobContext(job, tier_label, driver.full_name),
    });
  }
  const kind = CUSTOMER_KIND[to]!;
  const dKind = DRIVER_KIND[to];
  const context = jobContext(job, tier_label, driver?.full_name);
  // The customer's and the driver's messages, for one insert.
  return [
    ...(customer && audience.customer
      ? deliveriesTo(operator, customer, {
          kind,
          key: jobNoticeKey(job, kind),
          job_id: job.id,
          context,
          email: to !== 'completed',
        })
      : []),
    ...(dKind && driver
      ? deliveriesTo(operator, driver, { kind: dKind, key: jobNoticeKey(job, dKind), job_id: job.id, context })
      : []),
  ];
}

/**
 * The customer of an automatic offer hears about their driver once the driver accepts
 * (`noticeAudience` keeps them out of the offer itself), in the acceptance's transaction.
 */
export async function tellCustomerAssigned(tx: Queryable, job: t.Job): Promise<void> {
  const { operator, tier_label, customer, driver } = await loadJobParties(tx, {
    customer_id: job.customer_id,
    driver_id: job.driver_id,
    tier_id: job.driveway_tier_id,
  });
  if (!customer) return;
  await notifyContact(tx, operator, customer, {
    kind: 'job_assigned',
    key: jobNoticeKey(job, 'job_assigned'),
    job_id: job.id,
    context: jobContext(job, tier_label, driver?.full_name),
  });
}

/** A job message's idempotency key: one message of a kind per version of the job. */
function jobNoticeKey(job: Pick<t.Job, 'id' | 'version'>, kind: TemplateKind): string {
  return `job:${job.id}:v${job.version}:${kind}`;
}

export function jobContext(job: t.Job, tierLabel: string | null, driverName?: string): NotifyOptions['context'] {
  return {
    address: job.job_address,
    driver_name: driverName,
    tier_label: tierLabel,
    price_cents: job.final_price_cents ?? job.quoted_price_cents,
    reason: job.cancellation_reason,
    scheduled_for: job.scheduled_for,
  };
}

export interface AdminEmail {
  /** Machine name, e.g. `daily_report`, `storm_summary`. */
  kind: string;
  /** Unique per report; the admin's id is appended. */
  key: string;
  subject: string;
  text: string;
}

/**
 * Emails a report to every active admin of the operator (the daily report, a storm's
 * summary): one outbox row each, idempotent on `key` + admin, so a repeated cron tick or a
 * retried request sends nothing twice. Returns the rows written.
 */
export async function emailAdmins(tx: Queryable, email: AdminEmail): Promise<number> {
  const admins = await tx
    .select({ id: t.users.id, email: t.users.email })
    .from(t.users)
    .where(and(eq(t.users.role, 'admin'), eq(t.users.is_active, true), isNull(t.users.suspended_at)));
  const recorded = await enqueueNotificationIntents(
    tx,
    admins.map((admin) => ({
      user_id: admin.id,
      kind: email.kind,
      channel: 'email' as const,
      recipient: admin.email,
      subject: email.subject,
      body: email.text,
      idempotency_key: `${email.key}:${admin.id}`,
    })),
  );
  return recorded.length;
}

/** The later of two times, either of which may be absent. */
function later(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a > b ? a : b;
}
