import { eq, type SQL, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import type { Queryable } from '../lib/db';
import type { RenderedMessage } from './templates';
import { ensureSettings, type SettingsRow } from '../services/operator-setup';
import type { ContactPreference, Role } from '../../contract/enums';

/** What the notifier needs to know about one person. */
export interface Contact {
  user_id: string;
  role: Role;
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
export type OperatorContext = Pick<
  SettingsRow,
  'business_name' | 'timezone' | 'quiet_hours_start' | 'quiet_hours_end' | 'tax_rate_bps'
>;

/**
 * Why SMS may not go to a user (a verified phone, SMS consent and STOP are enforced here,
 * at intent time, and again at send time).
 */
export function smsBlock(u: {
  phone: string | null;
  phone_verified_at: Date | string | null;
  sms_opt_out_at: Date | string | null;
  sms_consent_at: Date | string | null;
  is_active: boolean;
}): string | null {
  if (!u.is_active) return 'account inactive';
  if (!u.phone) return 'no phone number';
  if (u.sms_opt_out_at) return 'recipient replied STOP';
  if (!u.phone_verified_at) return 'phone number not verified';
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
      phone_verified_at: t.users.phone_verified_at,
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
      ? await db
          .select({ id: t.push_subscriptions.id })
          .from(t.push_subscriptions)
          .where(eq(t.push_subscriptions.user_id, userId))
      : [];
  return toContact(
    u,
    subs.map((s) => s.id),
  );
}

/** The columns a contact is made of, as `users` (and a customer profile's preference) hold them. */
interface UserContactColumns {
  user_id: string;
  role: Contact['role'];
  full_name: string;
  email: string;
  phone: string | null;
  phone_verified_at: Date | string | null;
  is_active: boolean;
  sms_opt_out_at: Date | string | null;
  sms_consent_at: Date | string | null;
  preferred: ContactPreference | null;
}

function toContact(u: UserContactColumns, pushSubscriptionIds: string[]): Contact {
  return {
    user_id: u.user_id,
    role: u.role,
    full_name: u.full_name,
    email: u.email,
    phone: u.phone,
    // Staff have no customer profile: drivers hear by push/SMS, admins by email.
    preferred: u.preferred ?? (u.role === 'driver' ? 'sms' : 'email'),
    sms_block: smsBlock(u),
    push_subscription_ids: u.role === 'driver' ? pushSubscriptionIds : [],
  };
}

export async function customerUserId(db: Queryable, customerId: string): Promise<string | null> {
  const [row] = await db
    .select({ user_id: t.customer_profiles.user_id })
    .from(t.customer_profiles)
    .where(eq(t.customer_profiles.id, customerId))
    .limit(1);
  return row?.user_id ?? null;
}

/** Everything a job's messages depend on: the operator, the tier's label, and the people told. */
export interface JobParties {
  operator: OperatorContext;
  tier_label: string | null;
  /** The job's customer, when asked for and found. */
  customer: Contact | null;
  /** The driver asked for (the job's, or the one it was taken from), when found. */
  driver: Contact | null;
}

/** One person's columns in `loadJobParties`' row, prefixed `c_` (customer) or `d_` (driver). */
type PersonColumns = { [K in keyof UserContactColumns]: UserContactColumns[K] | null } & { push: string[] | null };

export type PartiesRow = Partial<OperatorContext> & { has_operator: boolean; tier_label: string | null } & {
  [K in keyof PersonColumns as `c_${K}` | `d_${K}`]: PersonColumns[K];
};

function person(row: PartiesRow, p: 'c' | 'd'): Contact | null {
  const col = <K extends keyof PersonColumns>(k: K) => row[`${p}_${k}`] as PersonColumns[K];
  const [user_id, role] = [col('user_id'), col('role')];
  if (!user_id || !role) return null;
  return toContact(
    {
      user_id,
      role,
      full_name: col('full_name') ?? '',
      email: col('email') ?? '',
      phone: col('phone'),
      phone_verified_at: col('phone_verified_at'),
      is_active: col('is_active') ?? false,
      sms_opt_out_at: col('sms_opt_out_at'),
      sms_consent_at: col('sms_consent_at'),
      preferred: col('preferred'),
    },
    col('push') ?? [],
  );
}

/** Who a job's messages need, each as SQL: a bound id, a column of the statement it sits in, or `null`. */
export interface JobPartyIds {
  customer_id: SQL;
  driver_id: SQL;
  tier_id: SQL;
}

/**
 * Everything a job's messages need, as one JSON value a statement can read beside other
 * work: the operator's settings, the driveway tier's label, the customer (by customer
 * profile id) and the driver (by driver profile id) with their contact details and, for
 * the driver, Web Push subscriptions. A null id leaves that person out. Read it with
 * `jobPartiesFrom`.
 */
export function jobPartiesSql(ids: JobPartyIds): SQL<PartiesRow> {
  return sql<PartiesRow>`(SELECT row_to_json(p) FROM (
    SELECT o.id IS NOT NULL AS has_operator, o.business_name, o.timezone, o.quiet_hours_start, o.quiet_hours_end, o.tax_rate_bps,
           pc.tier_label,
           cu.id AS c_user_id, cu.role AS c_role, cu.full_name AS c_full_name, cu.email AS c_email, cu.phone AS c_phone, cu.phone_verified_at AS c_phone_verified_at,
           cu.is_active AS c_is_active, cu.sms_opt_out_at AS c_sms_opt_out_at, cu.sms_consent_at AS c_sms_consent_at,
           cp.preferred_contact AS c_preferred, NULL AS c_push,
           du.id AS d_user_id, du.role AS d_role, du.full_name AS d_full_name, du.email AS d_email, du.phone AS d_phone, du.phone_verified_at AS d_phone_verified_at,
           du.is_active AS d_is_active, du.sms_opt_out_at AS d_sms_opt_out_at, du.sms_consent_at AS d_sms_consent_at,
           dcp.preferred_contact AS d_preferred,
           (SELECT coalesce(json_agg(ps.id), '[]'::json) FROM push_subscriptions ps WHERE ps.user_id = du.id) AS d_push
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (SELECT * FROM operator_settings LIMIT 1) o ON true
      LEFT JOIN pricing_config pc ON pc.id = ${ids.tier_id}::integer
      LEFT JOIN customer_profiles cp ON cp.id = ${ids.customer_id}::uuid
      LEFT JOIN users cu ON cu.id = cp.user_id
      LEFT JOIN driver_profiles dp ON dp.id = ${ids.driver_id}::uuid
      LEFT JOIN users du ON du.id = dp.user_id
      LEFT JOIN customer_profiles dcp ON dcp.user_id = du.id) p)`;
}

/** The parties `jobPartiesSql` read (the operator's settings made first if there are none yet). */
export async function jobPartiesFrom(db: Queryable, row: PartiesRow): Promise<JobParties> {
  const operator: OperatorContext = row.has_operator
    ? {
        business_name: row.business_name!,
        timezone: row.timezone!,
        quiet_hours_start: row.quiet_hours_start ?? null,
        quiet_hours_end: row.quiet_hours_end ?? null,
        tax_rate_bps: row.tax_rate_bps!,
      }
    : await ensureSettings(db);
  return { operator, tier_label: row.tier_label, customer: person(row, 'c'), driver: person(row, 'd') };
}

/** `jobPartiesSql` read on its own, by ids (a null id leaves that person out). */
export async function loadJobParties(
  db: Queryable,
  q: { customer_id: string | null; driver_id: string | null; tier_id: number | null },
): Promise<JobParties> {
  const result = await db.execute<{ parties: PartiesRow }>(
    sql`SELECT ${jobPartiesSql({ customer_id: sql`${q.customer_id}`, driver_id: sql`${q.driver_id}`, tier_id: sql`${q.tier_id}` })} AS parties`,
  );
  return jobPartiesFrom(db, result.rows[0]!.parties);
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
export function planDeliveries(
  contact: Contact,
  message: RenderedMessage,
  opts: { email?: boolean } = {},
): PlannedDelivery[] {
  const emailAllowed = opts.email !== false && !!message.email;
  const out: PlannedDelivery[] = [];
  const email = () =>
    out.push(
      contact.email
        ? { channel: 'email', recipient: contact.email }
        : { channel: 'email', recipient: null, skipped_reason: 'no email address' },
    );

  if (message.push && contact.push_subscription_ids.length > 0) {
    for (const id of contact.push_subscription_ids) out.push({ channel: 'push', recipient: id });
    return out;
  }
  if (contact.preferred === 'none') return out;
  const wantsSms =
    !!message.sms &&
    (contact.preferred === 'sms' || contact.preferred === 'both' || (!!message.push && contact.role === 'driver'));
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
