import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import * as t from '../../db/schema';
import { afterCursor, cursorAt, page } from '../lib/cursor';
import { ApiError, notFound } from '../lib/errors';
import type { Queryable } from '../lib/db';
import type { ContactPreference } from '../../contract/enums';
import { sqlList } from '../../db/sql-list';
import { OPEN_JOB } from '../../contract/job-status';
import { SMS_CONSENT_TEXT } from '../../contract/sms-consent';
import { firstName, UNNAMED_CUSTOMER } from '../../contract/names';
import { profileWithAccount } from './profile-account';

const profileColumns = {
  id: t.customer_profiles.id,
  user_id: t.customer_profiles.user_id,
  email: t.users.email,
  full_name: t.users.full_name,
  phone: t.users.phone,
  email_verified_at: t.users.email_verified_at,
  phone_verified_at: t.users.phone_verified_at,
  sms_consent_at: t.users.sms_consent_at,
  sms_opt_out_at: t.users.sms_opt_out_at,
  preferred_contact: t.customer_profiles.preferred_contact,
  billing_address: t.customer_profiles.billing_address,
  subscription_tier: t.customer_profiles.subscription_tier,
  created_at: t.customer_profiles.created_at,
};

export async function customerProfile(q: Queryable, customerId: string) {
  const row = await profileWithAccount(q, t.customer_profiles, customerId, profileColumns);
  if (!row) throw notFound('Customer');
  return row;
}

export interface CustomerPatchInput {
  full_name?: string | undefined;
  phone?: string | null | undefined;
  preferred_contact?: ContactPreference | undefined;
  billing_address?: string | null | undefined;
  sms_consent?: boolean | undefined;
}

/**
 * The users columns an SMS opt-in (ticked) or its withdrawal (unticked) writes: when, from
 * which client IP, and the exact wording agreed to. A withdrawal forgets all three; a STOP
 * texted earlier stays in force either way (only START lifts it, as the carrier requires).
 */
export function smsConsentColumns(consent: boolean, ip: string | null) {
  return consent
    ? { sms_consent_at: new Date(), sms_consent_source: ip ?? 'unknown', sms_consent_text: SMS_CONSENT_TEXT }
    : { sms_consent_at: null, sms_consent_source: null, sms_consent_text: null };
}

/**
 * Profile edits. A new phone number is unverified until confirmed again; SMS as the
 * preferred contact needs a phone on file (422 otherwise).
 */
export async function updateCustomerProfile(
  q: Queryable,
  customerId: string,
  patch: CustomerPatchInput,
  ctx: { ip: string | null } = { ip: null },
) {
  const current = await customerProfile(q, customerId);
  const phone = patch.phone === undefined ? current.phone : patch.phone;
  const preferred = patch.preferred_contact ?? current.preferred_contact;
  if ((preferred === 'sms' || preferred === 'both') && !phone) {
    throw new ApiError(422, 'phone_required', 'Add a phone number before choosing text messages.', [
      { field: 'preferred_contact', message: 'needs a phone number' },
    ]);
  }
  const userSet: Partial<typeof t.users.$inferInsert> = {};
  if (patch.full_name !== undefined) userSet.full_name = patch.full_name;
  if (patch.phone !== undefined && patch.phone !== current.phone) {
    userSet.phone = patch.phone;
    userSet.phone_verified_at = null;
  }
  // Ticking it again records the new time and IP; unticking an opt-in never given is a no-op.
  if (patch.sms_consent === true || (patch.sms_consent === false && current.sms_consent_at))
    Object.assign(userSet, smsConsentColumns(patch.sms_consent, ctx.ip));
  const profileSet: Partial<typeof t.customer_profiles.$inferInsert> = {};
  if (patch.preferred_contact !== undefined) profileSet.preferred_contact = patch.preferred_contact;
  if (patch.billing_address !== undefined) profileSet.billing_address = patch.billing_address;
  // A number another account has is taken like any other, unverified: saying it is taken
  // would tell whose it is (docs/decisions/0065).
  if (Object.keys(userSet).length) await q.update(t.users).set(userSet).where(eq(t.users.id, current.user_id));
  if (Object.keys(profileSet).length)
    await q.update(t.customer_profiles).set(profileSet).where(eq(t.customer_profiles.id, customerId));
  return customerProfile(q, customerId);
}

/** Admin customer list with activity counts, newest first; `q` searches name, email, phone. */
export async function listCustomers(
  q: Queryable,
  opts: { q?: string | undefined; cursor?: string | undefined; limit: number },
) {
  const conds: SQL[] = [];
  if (opts.q) {
    const like = `%${opts.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    conds.push(or(ilike(t.users.full_name, like), ilike(t.users.email, like), ilike(t.users.phone, like))!);
  }
  if (opts.cursor) conds.push(afterCursor(t.customer_profiles.created_at, t.customer_profiles.id, opts.cursor, 'desc'));
  const rows = await q
    .select({
      ...profileColumns,
      is_active: t.users.is_active,
      jobs_count: sql<number>`(SELECT count(*) FROM jobs j WHERE j.customer_id = ${t.customer_profiles.id})`.mapWith(
        Number,
      ),
      open_jobs_count:
        sql<number>`(SELECT count(*) FROM jobs j WHERE j.customer_id = ${t.customer_profiles.id} AND j.status IN (${sqlList(OPEN_JOB)}))`.mapWith(
          Number,
        ),
      last_job_at: sql<
        string | null
      >`(SELECT max(j.requested_at) FROM jobs j WHERE j.customer_id = ${t.customer_profiles.id})`.mapWith((v) =>
        v ? new Date(v).toISOString() : null,
      ),
      locations_count:
        sql<number>`(SELECT count(*) FROM service_locations l WHERE l.customer_id = ${t.customer_profiles.id} AND l.deleted_at IS NULL)`.mapWith(
          Number,
        ),
      _cursor_at: cursorAt(t.customer_profiles.created_at),
    })
    .from(t.customer_profiles)
    .innerJoin(t.users, eq(t.users.id, t.customer_profiles.user_id))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(t.customer_profiles.created_at), desc(t.customer_profiles.id))
    .limit(opts.limit + 1);
  const { items, next_cursor } = page(rows, opts.limit);
  return { customers: items, next_cursor };
}

/** The customer's name and mobile number as their account holds them (undefined: no such customer). */
function customerUser(q: Queryable, customerId: string) {
  return profileWithAccount(q, t.customer_profiles, customerId, { name: t.users.full_name, phone: t.users.phone });
}

/** A customer's first name and mobile number, for the driver who holds their job. */
export async function customerReach(q: Queryable, customerId: string) {
  const row = await customerUser(q, customerId);
  return { first_name: firstName(row?.name) || UNNAMED_CUSTOMER, phone: row?.phone ?? null };
}

/**
 * The customer's name as the driver's assignment card shows it (null for an account without
 * one), as a value a statement reads beside its other work: `customerId` is the SQL naming
 * the customer, such as a column of the statement's own row spelled out with its table
 * (`"jobs"."customer_id"`).
 */
export function customerNameSql(customerId: SQL): SQL<string | null> {
  return sql<
    string | null
  >`(select u.full_name from ${t.customer_profiles} c join ${t.users} u on u.id = c.user_id where c.id = ${customerId})`;
}
