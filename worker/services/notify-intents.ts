import { eq } from 'drizzle-orm';
import type { JobStatus } from '../../contract/enums';
import * as t from '../../db/schema';
import type { Actor, JobRow, Queryable } from './jobs';

/**
 * The seam between domain changes and notification delivery: a change that someone must
 * hear about writes `notification_log` rows with status `queued` in the same transaction
 * as the change itself, so a rolled-back change never notifies and a committed one always
 * does. Delivery (Twilio, Resend, web push, the dev outbox, quiet hours, retries, opt-outs)
 * belongs to the background worker, which picks queued rows up.
 */

export type Channel = (typeof t.NOTIFICATION_CHANNELS)[number];
type ContactPreference = (typeof t.CONTACT_PREFERENCES)[number];
type Role = (typeof t.USER_ROLES)[number];

export interface NotificationIntent {
  user_id: string;
  /** Machine name of the event, e.g. `driver_arrived`. */
  kind: string;
  job_id?: string | null;
  subject: string;
  body: string;
  /** Unique per logical event (e.g. `driver_arrived:{job}:{version}`); the channel is appended. */
  key: string;
  /** Contact details to use instead of the user's current ones (a waitlist entry's snapshot). */
  contact?: { preferred_contact: ContactPreference | null; email: string | null; phone: string | null };
}

/**
 * Which channels reach a person. Customers choose (email, sms, both, none; SMS without a
 * phone falls back to email). Drivers get a push to the installed app, the fastest way to
 * make a phone vibrate. Admins work from the live board; anything for them goes to email.
 */
export function channelsFor(role: Role, preferred: ContactPreference | null, hasPhone: boolean): Channel[] {
  if (role === 'driver') return ['push'];
  if (role === 'admin') return ['email'];
  switch (preferred ?? 'email') {
    case 'none':
      return [];
    case 'sms':
      return hasPhone ? ['sms'] : ['email'];
    case 'both':
      return hasPhone ? ['email', 'sms'] : ['email'];
    default:
      return ['email'];
  }
}

/** Queues one intent per channel; a repeated key is ignored. Returns the rows written. */
export async function enqueueNotification(q: Queryable, intent: NotificationIntent): Promise<number> {
  const [user] = await q
    .select({ role: t.users.role, email: t.users.email, phone: t.users.phone, preferred: t.customer_profiles.preferred_contact })
    .from(t.users)
    .leftJoin(t.customer_profiles, eq(t.customer_profiles.user_id, t.users.id))
    .where(eq(t.users.id, intent.user_id))
    .limit(1);
  if (!user) return 0;
  const email = intent.contact ? intent.contact.email ?? user.email : user.email;
  const phone = intent.contact ? intent.contact.phone ?? user.phone : user.phone;
  const preferred = intent.contact?.preferred_contact ?? user.preferred;
  const channels = channelsFor(user.role, preferred, !!phone);
  if (channels.length === 0) return 0;
  const rows = await q
    .insert(t.notification_log)
    .values(
      channels.map((channel) => ({
        user_id: intent.user_id,
        job_id: intent.job_id ?? null,
        kind: intent.kind,
        channel,
        recipient: channel === 'sms' ? phone : channel === 'push' ? intent.user_id : email,
        subject: intent.subject,
        body: intent.body,
        status: 'queued' as const,
        idempotency_key: `${intent.key}:${channel}`,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: t.notification_log.id });
  return rows.length;
}

interface Parties {
  customer_user_id: string;
  driver_user_id: string | null;
  driver_name: string | null;
  previous_driver_user_id: string | null;
}

async function parties(q: Queryable, job: JobRow, previousDriverId: string | null): Promise<Parties | null> {
  const [customer] = await q
    .select({ user_id: t.customer_profiles.user_id })
    .from(t.customer_profiles)
    .where(eq(t.customer_profiles.id, job.customer_id))
    .limit(1);
  if (!customer) return null;
  const driverOf = async (driverId: string | null) => {
    if (!driverId) return null;
    const [d] = await q
      .select({ user_id: t.users.id, name: t.users.full_name })
      .from(t.driver_profiles)
      .innerJoin(t.users, eq(t.users.id, t.driver_profiles.user_id))
      .where(eq(t.driver_profiles.id, driverId))
      .limit(1);
    return d ?? null;
  };
  const driver = await driverOf(job.driver_id);
  const previous = previousDriverId && previousDriverId !== job.driver_id ? await driverOf(previousDriverId) : driver;
  return {
    customer_user_id: customer.user_id,
    driver_user_id: driver?.user_id ?? null,
    driver_name: driver?.name ?? null,
    previous_driver_user_id: previous?.user_id ?? null,
  };
}

const firstName = (name: string | null) => (name ?? 'Your driver').split(' ')[0] ?? 'Your driver';

/**
 * The notices a committed transition sends (SPEC §3: "a notification is enqueued"):
 * the customer hears about assignment, the driver setting off, arriving, finishing and
 * cancellations they did not make; a driver hears about jobs given to or taken from them.
 * Auto-dispatch offers do not ping the customer (the offer may move on); acceptance does.
 */
export async function notifyTransition(q: Queryable, actor: Actor, job: JobRow, from: JobStatus, previousDriverId: string | null): Promise<void> {
  const who = await parties(q, job, previousDriverId);
  if (!who) return;
  const key = (kind: string) => `${kind}:${job.id}:${job.version}`;
  const address = job.job_address;
  const intents: NotificationIntent[] = [];
  const toCustomer = (kind: string, subject: string, body: string) => intents.push({ user_id: who.customer_user_id, kind, job_id: job.id, subject, body, key: key(kind) });
  const toDriver = (userId: string | null, kind: string, subject: string, body: string) => {
    if (userId && userId !== actor.user_id) intents.push({ user_id: userId, kind, job_id: job.id, subject, body, key: key(kind) });
  };

  switch (job.status) {
    case 'assigned':
      toDriver(who.driver_user_id, 'job_assigned', 'New plow job', `New job: ${address}. Open PlowDispatch to accept or reject.`);
      if (!actor.system) toCustomer('driver_assigned', 'A driver is assigned', `${firstName(who.driver_name)} will plow ${address}.`);
      break;
    case 'en_route':
      toCustomer('driver_en_route', 'Your plow is on the way', `${firstName(who.driver_name)} is on the way to ${address}.`);
      break;
    case 'arrived':
      toCustomer('driver_arrived', 'Your driver has arrived', 'Your driver has arrived at your property.');
      break;
    case 'completed':
      toCustomer('job_completed', 'Plowing done', `Your driveway at ${address} is clear. Thank you!`);
      break;
    case 'cancelled':
      if (actor.role !== 'customer') toCustomer('job_cancelled', 'Plow request cancelled', `Your plow request for ${address} was cancelled${job.cancellation_reason ? `: ${job.cancellation_reason}` : '.'}`);
      toDriver(who.previous_driver_user_id, 'job_cancelled', 'Job cancelled', `The job at ${address} was cancelled.`);
      break;
    case 'pending':
      if (from !== 'pending') toDriver(who.previous_driver_user_id, 'job_unassigned', 'Job taken off your queue', `The job at ${address} is no longer yours.`);
      break;
    default:
      break;
  }
  for (const intent of intents) await enqueueNotification(q, intent);
}
