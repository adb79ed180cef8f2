import { env } from 'cloudflare:workers';
import { eq, sql, type SQL } from 'drizzle-orm';
import type { ContactPreference, DriverStatus } from '../../contract/enums';
import * as t from '../../db/schema';
import { issueSession } from '../../worker/services/sessions';
import { api, db, DEMO_TOTP, login, type Session } from './helpers';

/**
 * Fresh people for one test, so tests sharing the database (one per run) never depend on
 * each other's data or counts. Sessions are issued by the real session service — the
 * same code a login ends in — which skips Argon2 and keeps tests clear of login limits.
 */

let seq = 0;
/** A short id unique within the run. */
export const uniq = (): string =>
  `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
/** A unique E.164 number in the 555 range. */
export const uniquePhone = (): string => `+1603${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

export interface Person {
  token: string;
  user_id: string;
  /** Driver or customer profile id. */
  profile_id: string;
  email: string;
  full_name: string;
}

/** Inside the demo service area (Concord, NH), spread out so tests do not share spots. */
export function concordPoint(): { lat: number; lng: number } {
  return { lat: 43.19 + Math.random() * 0.04, lng: -71.56 + Math.random() * 0.05 };
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

export interface NewCustomerOptions {
  preferred_contact?: ContactPreference;
  phone?: string | null;
  /** A saved (default) location; `null` for none. Defaults to a point in Concord. */
  location?: { lat: number; lng: number; label?: string } | null;
  verified?: boolean;
}

export async function newCustomer(opts: NewCustomerOptions = {}): Promise<Person & { location_id: string | null }> {
  const id = uniq();
  const email = `cust-${id}@test.test`;
  const full_name = `Cust ${id}`;
  const made = await db(async (d) => {
    const [user] = await d
      .insert(t.users)
      .values({
        email,
        role: 'customer',
        full_name,
        password_hash: 'unused',
        phone: opts.phone === undefined ? null : opts.phone,
        email_verified_at: opts.verified === false ? null : new Date(),
      })
      .returning();
    const [profile] = await d
      .insert(t.customer_profiles)
      .values({ user_id: user!.id, preferred_contact: opts.preferred_contact ?? 'email' })
      .returning();
    let location_id: string | null = null;
    if (opts.location !== null) {
      const point = opts.location ?? concordPoint();
      const [loc] = await d
        .insert(t.service_locations)
        .values({
          customer_id: profile!.id,
          label: opts.location?.label ?? 'Home',
          address_line1: `${id} Test St`,
          city: 'Concord',
          state_province: 'NH',
          postal_code: '03301',
          coordinates: { lat: point.lat, lng: point.lng },
          is_default: true,
        })
        .returning();
      location_id = loc!.id;
    }
    return { user_id: user!.id, profile_id: profile!.id, location_id };
  });
  return { ...made, email, full_name, token: await sessionOf(made.user_id) };
}

export interface NewDriverOptions {
  status?: DriverStatus;
  at?: { lat: number; lng: number } | null;
  service_radius_km?: number;
}

export async function newDriver(opts: NewDriverOptions = {}): Promise<Person> {
  const id = uniq();
  const email = `drv-${id}@test.test`;
  const full_name = `Driver ${id}`;
  const made = await db(async (d) => {
    const [user] = await d
      .insert(t.users)
      .values({ email, role: 'driver', full_name, password_hash: 'unused', email_verified_at: new Date() })
      .returning();
    const [profile] = await d
      .insert(t.driver_profiles)
      .values({
        user_id: user!.id,
        status: opts.status ?? 'offline',
        current_location: opts.at ?? null,
        location_updated_at: opts.at ? new Date() : null,
        service_radius_km: opts.service_radius_km ?? 25,
      })
      .returning();
    return { user_id: user!.id, profile_id: profile!.id };
  });
  return { ...made, email, full_name, token: await sessionOf(made.user_id) };
}

/** A fresh admin account (TOTP enrolled, as admins must be) with a session. */
export async function newAdmin(): Promise<Person> {
  const id = uniq();
  const email = `admin-${id}@test.test`;
  const full_name = `Admin ${id}`;
  const user_id = await db(async (d) => {
    const [user] = await d
      .insert(t.users)
      .values({
        email,
        role: 'admin',
        full_name,
        password_hash: 'unused',
        email_verified_at: new Date(),
        totp_secret: 'JBSWY3DPEHPK3PXP',
        totp_enabled_at: new Date(),
      })
      .returning({ id: t.users.id });
    return user!.id;
  });
  return { user_id, profile_id: user_id, email, full_name, token: await sessionOf(user_id) };
}

/**
 * A new admin signed in through the real `POST /api/v1/auth/login` (demo password and a
 * TOTP code): an account of its own each time, because a code is accepted once per
 * account and files running at the same time would otherwise spend each other's codes.
 */
export async function loginAdmin(): Promise<Session> {
  const id = uniq();
  const email = `admin-${id}@test.test`;
  await db((d) =>
    d.execute(sql`
      INSERT INTO users (email, role, full_name, password_hash, email_verified_at, totp_secret, totp_enabled_at)
      VALUES (${email}, 'admin', ${`Admin ${id}`}, (SELECT password_hash FROM users WHERE email = 'admin@demo.test'),
              now(), ${DEMO_TOTP}, now())`),
  );
  return login(email);
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
export async function newJob(
  customer: Person & { location_id: string | null },
  extra: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await api('/api/v1/jobs', {
    method: 'POST',
    token: customer.token,
    json: { location_id: customer.location_id, driveway_tier_id: 2, ...extra },
  });
  if (res.status !== 201) throw new Error(`job create failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { job: Record<string, any> }).job;
}

/** Sends a JSON request and returns status and parsed body together. */
export async function call(
  method: string,
  path: string,
  token: string | undefined,
  json?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await api(path, { method, token, ...(json === undefined ? {} : { json }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Walks a job from pending to `to` along the happy path, as admin (assign) and driver. */
export async function walkJob(
  jobId: string,
  driver: Person,
  to: 'assigned' | 'en_route' | 'arrived' | 'in_progress' | 'completed',
): Promise<Record<string, any>> {
  const adminTok = await admin();
  let res = await call('POST', `/api/v1/jobs/${jobId}/assign`, adminTok, { driver_id: driver.profile_id });
  if (res.status !== 200) throw new Error(`assign failed: ${res.status} ${JSON.stringify(res.body)}`);
  for (const step of ['en_route', 'arrived', 'in_progress', 'completed'] as const) {
    if (res.body.job.status === to) break;
    res = await call('PATCH', `/api/v1/drivers/me/jobs/${jobId}/status`, driver.token, { status: step });
    if (res.status !== 200) throw new Error(`${step} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.job;
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
