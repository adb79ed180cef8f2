import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { OPEN_JOB } from '../../contract/job-status';
import * as t from '../../db/schema';
import { hashPassword } from '../auth/passwords';
import { conflict, notFound } from '../lib/errors';
import { randomToken } from '../lib/ids';
import type { Db } from '../lib/db';
import { endAllSessions, lockUserSessions } from './session-end';
import type { Queryable } from './jobs';
import { withdrawQueued } from './notify-intents';

/** What a deleted customer's account shows wherever its name still appears (old jobs, invoices). */
export const DELETED_NAME = 'Deleted customer';

/** Refuses, in plain words, while something is still owed to or by the customer in the field. */
async function assertNothingUnderWay(q: Queryable, customerId: string): Promise<void> {
  const [open] = await q
    .select({ id: t.jobs.id })
    .from(t.jobs)
    .where(and(eq(t.jobs.customer_id, customerId), inArray(t.jobs.status, [...OPEN_JOB])))
    .limit(1);
  if (open)
    throw conflict(
      'job_under_way',
      'You have a job that is not finished yet. Cancel it or wait until it is done, then delete your account.',
      { job_id: open.id },
    );
  const [contract] = await q
    .select({ id: t.service_contracts.id })
    .from(t.service_contracts)
    .where(and(eq(t.service_contracts.customer_id, customerId), gte(t.service_contracts.season_end, sql`current_date`)))
    .limit(1);
  if (contract)
    throw conflict(
      'contract_in_force',
      'You have a winter contract for this season. Ask the office to end it, then delete your account.',
      { contract_id: contract.id },
    );
}

/**
 * Deletes a customer's account the way the law allows: invoices, payments and the jobs
 * they bill stay (the books must), everything else that says who or where the person is
 * goes — name, email, phone, SMS consent, saved places, waitlist contacts, push
 * subscriptions, one-time links — and the account can no longer sign in (a random
 * password nobody knows, inactive, every token revoked, sockets closed). Refused with 409
 * while a job is not finished or a contract is in force. Returns the user id.
 */
export async function deleteCustomerAccount(env: Env, db: Db, customerId: string): Promise<string> {
  // Hashed before the transaction: slow on purpose, and nobody ever learns the password.
  const unusable = await hashPassword(randomToken(32));
  const userId = await db.transaction(async (tx) => {
    const [profile] = await tx
      .select({ user_id: t.customer_profiles.user_id })
      .from(t.customer_profiles)
      .where(eq(t.customer_profiles.id, customerId))
      .for('update')
      .limit(1);
    if (!profile) throw notFound('Customer');
    await assertNothingUnderWay(tx, customerId);
    const id = profile.user_id;
    await lockUserSessions(tx, id);
    await tx
      .update(t.users)
      .set({
        email: `deleted-${id}@deleted.invalid`,
        full_name: DELETED_NAME,
        phone: null,
        phone_verified_at: null,
        email_verified_at: null,
        password_hash: unusable,
        password_changed_at: sql`now()`,
        is_active: false,
        sms_consent_at: null,
        sms_consent_source: null,
        sms_consent_text: null,
        totp_secret: null,
        totp_enabled_at: null,
      })
      .where(eq(t.users.id, id));
    await tx
      .update(t.customer_profiles)
      .set({ billing_address: null, preferred_contact: 'none' })
      .where(eq(t.customer_profiles.id, customerId));
    await tx
      .update(t.service_locations)
      .set({
        label: null,
        address_line1: 'Removed',
        address_line2: null,
        city: 'Removed',
        state_province: '',
        postal_code: '',
        coordinates: { lat: 0, lng: 0 },
        is_default: false,
        deleted_at: sql`coalesce(${t.service_locations.deleted_at}, now())`,
      })
      .where(eq(t.service_locations.customer_id, customerId));
    await tx
      .update(t.waitlist)
      .set({ notes: null, contact_phone: null, contact_email: null })
      .where(eq(t.waitlist.customer_id, customerId));
    await tx
      .update(t.waitlist)
      .set({ status: 'cancelled' })
      .where(and(eq(t.waitlist.customer_id, customerId), eq(t.waitlist.status, 'waiting')));
    // Finished jobs stay for the invoices; the notes the customer wrote for the driver go.
    await tx
      .update(t.jobs)
      .set({ special_instructions: null, version: sql`${t.jobs.version} + 1` })
      .where(eq(t.jobs.customer_id, customerId));
    await withdrawQueued(tx, eq(t.notification_log.user_id, id), 'account deleted');
    await tx.update(t.notification_log).set({ recipient: null }).where(eq(t.notification_log.user_id, id));
    await tx.delete(t.push_subscriptions).where(eq(t.push_subscriptions.user_id, id));
    await tx.delete(t.auth_tokens).where(eq(t.auth_tokens.user_id, id));
    await tx.delete(t.recovery_codes).where(eq(t.recovery_codes.user_id, id));
    return id;
  });
  await endAllSessions(env, db, { id: userId, role: 'customer' });
  return userId;
}
