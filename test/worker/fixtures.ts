import { env } from 'cloudflare:workers';
import { eq, sql, type SQL } from 'drizzle-orm';
import type { ContactPreference, DriverStatus, Role } from '../../contract/enums';
import * as t from '../../db/schema';
import { issueSession } from '../../worker/services/sessions';
import { type Answer, call, DEMO_TOTP, db, login, type Session } from './helpers';

/**
 * The one home of the people and jobs the Worker tests make. Each test makes its own, so
 * tests sharing the database (one per run) never depend on each other's data or counts.
 * Accounts go straight into Postgres with the demo password; sessions are issued by the
 * real session service — the same code a login ends in — which skips Argon2 and keeps
 * tests clear of login limits. `loginAdmin` signs in through the real login instead.
 */

let seq = 0;
/** A short id unique within the run. */
export const uniq = (): string =>
  `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
/** A fresh address per call (`tag` shows in it), so tests never collide in the shared database. */
export const uniqueEmail = (tag: string): string => `${tag}-${uniq()}@example.test`;
/** A fresh E.164 number in a range no demo account uses (area codes 9xx). */
export const uniquePhone = (): string =>
  `+19${Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b % 10).join('')}`;

/** A driver, customer or admin of one test, with a live session. */
export interface Person {
  token: string;
  user_id: string;
  /** Driver or customer profile id (an admin's user id). */
  profile_id: string;
  email: string;
  full_name: string;
  /** A number of their own, verified and open to texts. */
  phone: string;
}

/** A customer and their default service location (`null` when made without one). */
export interface Customer extends Person {
  location_id: string | null;
}

/** Inside the demo service area (Concord, NH), spread out so tests do not share spots. */
export function concordPoint(): { lat: number; lng: number } {
  return { lat: 43.19 + Math.random() * 0.04, lng: -71.56 + Math.random() * 0.05 };
}

/** A place to save through `POST /customers/me/locations`, as a customer types it: a street in Concord. */
export function concordAddress(street = '1 Test Lane') {
  return { address_line1: street, city: 'Concord', state_province: 'NH', postal_code: '03301', ...concordPoint() };
}

/** An access token for an existing account, issued by the session service (no sign-in, no second factor). */
export async function sessionOf(userId: string): Promise<string> {
  return db(async (d) => {
    const [user] = await d.select().from(t.users).where(eq(t.users.id, userId)).limit(1);
    const { response } = await issueSession(
      d,
      env,
      { id: user!.id, email: user!.email, role: user!.role, full_name: user!.full_name },
      { device_info: 'vitest' },
    );
    return response.access_token;
  });
}

interface NewUser {
  role: Role;
  full_name: string;
  phone: string | null;
  verified?: boolean;
  totp_secret?: string;
}

/** Inserts a user with the demo password, a verified phone open to texts and (unless told otherwise) a verified email. */
async function insertUser(
  d: Parameters<Parameters<typeof db>[0]>[0],
  u: NewUser,
): Promise<{ id: string; email: string }> {
  const email = uniqueEmail(u.role);
  const now = new Date();
  const { rows } = await d.execute<{ hash: string }>(
    sql`SELECT password_hash AS hash FROM users WHERE email = 'admin@demo.test'`,
  );
  const [user] = await d
    .insert(t.users)
    .values({
      email,
      role: u.role,
      full_name: u.full_name,
      password_hash: rows[0]!.hash,
      phone: u.phone,
      phone_verified_at: u.phone ? now : null,
      sms_consent_at: u.phone ? now : null,
      email_verified_at: u.verified === false ? null : now,
      ...(u.totp_secret ? { totp_secret: u.totp_secret, totp_enabled_at: now } : {}),
    })
    .returning({ id: t.users.id });
  return { id: user!.id, email };
}

export interface NewCustomerOptions {
  full_name?: string;
  preferred_contact?: ContactPreference;
  /** Their (verified) phone; a fresh one by default, `null` for none. */
  phone?: string | null;
  /** A saved (default) location; `null` for none. Defaults to a point in Concord. */
  location?: { lat: number; lng: number; label?: string } | null;
  verified?: boolean;
}

/** A customer with a session and, unless told otherwise, a phone and a home in the service area. */
export async function newCustomer(
  opts: NewCustomerOptions & { phone: null },
): Promise<Omit<Customer, 'phone'> & { phone: null }>;
export async function newCustomer(opts?: NewCustomerOptions): Promise<Customer>;
export async function newCustomer(
  opts: NewCustomerOptions = {},
): Promise<Omit<Customer, 'phone'> & { phone: string | null }> {
  const full_name = opts.full_name ?? `Cust ${uniq()}`;
  const phone = opts.phone === undefined ? uniquePhone() : opts.phone;
  const made = await db(async (d) => {
    const user = await insertUser(d, { role: 'customer', full_name, phone, verified: opts.verified });
    const [profile] = await d
      .insert(t.customer_profiles)
      .values({ user_id: user.id, preferred_contact: opts.preferred_contact ?? 'email' })
      .returning();
    let location_id: string | null = null;
    if (opts.location !== null) {
      const point = opts.location ?? concordPoint();
      const [loc] = await d
        .insert(t.service_locations)
        .values({
          customer_id: profile!.id,
          label: opts.location?.label ?? 'Home',
          address_line1: `${uniq()} Test St`,
          city: 'Concord',
          state_province: 'NH',
          postal_code: '03301',
          coordinates: { lat: point.lat, lng: point.lng },
          is_default: true,
        })
        .returning();
      location_id = loc!.id;
    }
    return { user_id: user.id, email: user.email, profile_id: profile!.id, location_id };
  });
  return { ...made, full_name, phone, token: await sessionOf(made.user_id) };
}

export interface NewDriverOptions {
  full_name?: string;
  /** `available` unless told otherwise. */
  status?: DriverStatus;
  at?: { lat: number; lng: number } | null;
  service_radius_km?: number;
  /** Their (verified) phone; a fresh one by default. */
  phone?: string;
  paypal_link?: string;
  venmo_link?: string;
}

/** A driver account of its own (so tests do not move the demo drivers' statuses), with a session. */
export async function newDriver(opts: NewDriverOptions = {}): Promise<Person> {
  const full_name = opts.full_name ?? `Driver ${uniq()}`;
  const phone = opts.phone ?? uniquePhone();
  const made = await db(async (d) => {
    const user = await insertUser(d, { role: 'driver', full_name, phone });
    const [profile] = await d
      .insert(t.driver_profiles)
      .values({
        user_id: user.id,
        status: opts.status ?? 'available',
        current_location: opts.at ?? null,
        location_updated_at: opts.at ? new Date() : null,
        service_radius_km: opts.service_radius_km ?? 25,
        paypal_link: opts.paypal_link ?? null,
        venmo_link: opts.venmo_link ?? null,
      })
      .returning();
    return { user_id: user.id, email: user.email, profile_id: profile!.id };
  });
  return { ...made, full_name, phone, token: await sessionOf(made.user_id) };
}

/** A fresh admin account (TOTP enrolled with the demo secret, as admins must be) with a session. */
export async function newAdmin(): Promise<Person> {
  const full_name = `Admin ${uniq()}`;
  const phone = uniquePhone();
  const user = await db((d) => insertUser(d, { role: 'admin', full_name, phone, totp_secret: DEMO_TOTP }));
  return {
    user_id: user.id,
    profile_id: user.id,
    email: user.email,
    full_name,
    phone,
    token: await sessionOf(user.id),
  };
}

/**
 * A new admin signed in through the real `POST /api/v1/auth/login` (demo password and a
 * TOTP code): an account of its own each time, because a code is accepted once per
 * account and files running at the same time would otherwise spend each other's codes.
 */
export async function loginAdmin(): Promise<Session> {
  return login((await newAdmin()).email);
}

let adminToken: Promise<string> | undefined;
/**
 * An admin session for this test file: its own account, so the per-user rate limit
 * (300 requests a minute) is not shared with the other files running at the same time.
 */
export async function admin(): Promise<string> {
  adminToken ??= newAdmin().then((a) => a.token);
  return adminToken;
}

/** Creates a pending job for `customer` at their default location through the API. */
export async function newJob(customer: Customer, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await call('POST', '/api/v1/jobs', customer.token, {
    location_id: customer.location_id,
    driveway_tier_id: 2,
    ...extra,
  });
  if (res.status !== 201) throw new Error(`job create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.job;
}

/** A driver's status change of a job through `PATCH /api/v1/drivers/me/jobs/:id/status`. */
export async function driverStep(
  jobId: string,
  driver: Person,
  status: string,
  extra: Record<string, unknown> = {},
): Promise<Answer> {
  return call('PATCH', `/api/v1/drivers/me/jobs/${jobId}/status`, driver.token, { status, ...extra });
}

/**
 * Walks a job from where it stands to `to` along the happy path: assigned by `dispatcher`
 * (this file's admin unless given) when still pending, then each step by the driver.
 */
export async function walkJob(
  jobId: string,
  driver: Person,
  to: 'assigned' | 'en_route' | 'arrived' | 'in_progress' | 'completed',
  dispatcher?: Person,
): Promise<Record<string, any>> {
  const [job] = await db(async (d) => d.select({ status: t.jobs.status }).from(t.jobs).where(eq(t.jobs.id, jobId)));
  let status = job!.status;
  let res: Answer | undefined;
  if (status === 'pending') {
    const token = dispatcher?.token ?? (await admin());
    res = await call('POST', `/api/v1/jobs/${jobId}/assign`, token, { driver_id: driver.profile_id });
    if (res.status !== 200) throw new Error(`assign failed: ${res.status} ${JSON.stringify(res.body)}`);
    status = res.body.job.status;
  }
  const path = ['assigned', 'en_route', 'arrived', 'in_progress', 'completed'] as const;
  for (const step of path.slice(path.indexOf(status as (typeof path)[number]) + 1, path.indexOf(to) + 1)) {
    res = await driverStep(jobId, driver, step);
    if (res.status !== 200) throw new Error(`${step} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (!res) throw new Error(`job ${jobId} is already ${status}`);
  return res.body.job;
}

/** A new customer's job, walked by a new driver up to `status`; `people` shapes the two accounts. */
export async function jobAt(
  status: Parameters<typeof walkJob>[2],
  people: { customer?: NewCustomerOptions; driver?: NewDriverOptions } = {},
) {
  const [customer, driver] = await Promise.all([newCustomer(people.customer), newDriver(people.driver)]);
  const job = await newJob(customer);
  const walked = await walkJob(job.id, driver, status);
  return { customer, driver, job, walked };
}

/** A new customer's job, still waiting for a driver. */
export async function pendingJob(opts?: NewCustomerOptions) {
  const customer = await newCustomer(opts);
  return { customer, job: await newJob(customer) };
}

/** A job requested by `customer` and walked to `to` (assigned by default) with `driver`; its id. */
export async function jobWith(
  customer: Customer,
  driver: Person,
  to: Parameters<typeof walkJob>[2] = 'assigned',
  dispatcher?: Person,
): Promise<string> {
  const job = await newJob(customer);
  await walkJob(job.id, driver, to, dispatcher);
  return job.id;
}

/** Rows of a raw query. */
export async function rows<T = Record<string, any>>(query: SQL): Promise<T[]> {
  return db(async (d) => (await d.execute(query)).rows as T[]);
}

/** The winter the storm tests plow: past, so deadlines are known, and apart from the demo season. */
export const TEST_SEASON = { season_start: '2025-11-01', season_end: '2026-04-30' } as const;

/**
 * A service contract on the customer's default location, written by an admin through the
 * API: per-push at $75 from 2 in, open within 6 hours, in `TEST_SEASON`, accepted by phone —
 * unless `terms` say otherwise.
 */
export async function newContract(
  customer: Person & { location_id: string | null },
  terms: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await call('POST', '/api/v1/admin/contracts', await admin(), {
    customer_id: customer.profile_id,
    location_id: customer.location_id,
    kind: 'per_push',
    per_push_price_cents: 7500,
    trigger_depth_in: 2,
    sla_kind: 'within_hours',
    sla_within_hours: 6,
    ...TEST_SEASON,
    accepted_by_phone: true,
    ...terms,
  });
  if (res.status !== 201) throw new Error(`contract create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.contract;
}
