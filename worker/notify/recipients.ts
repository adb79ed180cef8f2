import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Queryable } from '../services/notify-intents';
import type { RenderedMessage } from './templates';

export type ContactPreference = (typeof t.CONTACT_PREFERENCES)[number];

/** What the notifier needs to know about one person. */
export interface Contact {
  user_id: string;
  role: (typeof t.USER_ROLES)[number];
  full_name: string;
  email: string;
  phone: string | null;
  preferred: ContactPreference;
  /** Why SMS may not be sent to this person, or null when it may. */
  sms_block: string | null;
  /** Drivers' Web Push subscriptions (ids). */
  push_subscription_ids: string[];
}

/** The operator-wide settings a message depends on. */
export interface OperatorContext {
  business_name: string;
  timezone: string;
  quiet_hours_start: number | null;
  quiet_hours_end: number | null;
  tax_rate_bps: number;
}

const DEFAULT_OPERATOR: OperatorContext = {
  business_name: 'PlowDispatch',
  timezone: 'America/New_York',
  quiet_hours_start: 21,
  quiet_hours_end: 7,
  tax_rate_bps: 0,
};

export async function loadOperator(db: Queryable): Promise<OperatorContext> {
  const [row] = await db
    .select({
      business_name: t.operator_settings.business_name,
      timezone: t.operator_settings.timezone,
      quiet_hours_start: t.operator_settings.quiet_hours_start,
      quiet_hours_end: t.operator_settings.quiet_hours_end,
      tax_rate_bps: t.operator_settings.tax_rate_bps,
    })
    .from(t.operator_settings)
    .limit(1);
  return row ?? DEFAULT_OPERATOR;
}

/** Why SMS may not go to a user (SMS consent and STOP are enforced here, at intent time, and again at send time). */
export function smsBlock(u: { phone: string | null; sms_opt_out_at: Date | null; sms_consent_at: Date | null; is_active: boolean }): string | null {
  if (!u.is_active) return 'account inactive';
  if (!u.phone) return 'no phone number';
  if (u.sms_opt_out_at) return 'recipient replied STOP';
  if (!u.sms_consent_at) return 'no SMS consent';
  return null;
}

/** Loads a user's contact details; customers' preference comes from their profile. */
export async function loadContact(db: Queryable, userId: string): Promise<Contact | null> {
  const [u] = await db
    .select({
      user_id: t.users.id,
      role: t.users.role,
      full_name: t.users.full_name,
      email: t.users.email,
      phone: t.users.phone,
      is_active: t.users.is_active,
      sms_opt_out_at: t.users.sms_opt_out_at,
      sms_consent_at: t.users.sms_consent_at,
      preferred: t.customer_profiles.preferred_contact,
    })
    .from(t.users)
    .leftJoin(t.customer_profiles, eq(t.customer_profiles.user_id, t.users.id))
    .where(eq(t.users.id, userId))
    .limit(1);
  if (!u) return null;
  const subs =
    u.role === 'driver'
      ? await db.select({ id: t.push_subscriptions.id }).from(t.push_subscriptions).where(eq(t.push_subscriptions.user_id, userId))
      : [];
  return {
    user_id: u.user_id,
    role: u.role,
    full_name: u.full_name,
    email: u.email,
    phone: u.phone,
    // Staff have no customer profile: drivers hear by push/SMS, admins by email.
    preferred: u.preferred ?? (u.role === 'driver' ? 'sms' : 'email'),
    sms_block: smsBlock(u),
    push_subscription_ids: subs.map((s) => s.id),
  };
}

export async function customerUserId(db: Queryable, customerId: string): Promise<string | null> {
  const [row] = await db.select({ user_id: t.customer_profiles.user_id }).from(t.customer_profiles).where(eq(t.customer_profiles.id, customerId)).limit(1);
  return row?.user_id ?? null;
}

export async function driverUser(db: Queryable, driverId: string): Promise<{ user_id: string; full_name: string } | null> {
  const [row] = await db
    .select({ user_id: t.users.id, full_name: t.users.full_name })
    .from(t.driver_profiles)
    .innerJoin(t.users, eq(t.users.id, t.driver_profiles.user_id))
    .where(eq(t.driver_profiles.id, driverId))
    .limit(1);
  return row ?? null;
}

/** One planned delivery: a channel and address, or a recorded reason why not. */
export interface PlannedDelivery {
  channel: 'sms' | 'email' | 'push';
  recipient: string | null;
  skipped_reason?: string;
}

/**
 * Chooses channels for one person and one message, from their preference and what the
 * message offers:
 * - push first for drivers with a subscription; without one, SMS (then email);
 * - customers and admins by preference (`sms`, `email`, `both`, `none`); a customer who
 *   prefers SMS but cannot get it (STOP, no consent, no phone) gets email instead, and the
 *   outbox records the skipped SMS with the reason;
 * - `email: false` when another message covers email (the invoice email after completion).
 */
export function planDeliveries(contact: Contact, message: RenderedMessage, opts: { email?: boolean } = {}): PlannedDelivery[] {
  const emailAllowed = opts.email !== false && !!message.email;
  const out: PlannedDelivery[] = [];
  const email = () => out.push(contact.email ? { channel: 'email', recipient: contact.email } : { channel: 'email', recipient: null, skipped_reason: 'no email address' });

  if (message.push && contact.push_subscription_ids.length > 0) {
    for (const id of contact.push_subscription_ids) out.push({ channel: 'push', recipient: id });
    return out;
  }
  if (contact.preferred === 'none') return out;
  const wantsSms = !!message.sms && (contact.preferred === 'sms' || contact.preferred === 'both' || (!!message.push && contact.role === 'driver'));
  const wantsEmail = emailAllowed && (contact.preferred === 'email' || contact.preferred === 'both');
  if (wantsSms) {
    if (contact.sms_block) {
      out.push({ channel: 'sms', recipient: contact.phone, skipped_reason: contact.sms_block });
      if (!wantsEmail && emailAllowed) email();
    } else {
      out.push({ channel: 'sms', recipient: contact.phone });
    }
  }
  if (wantsEmail) email();
  return out;
}
