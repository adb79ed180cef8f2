import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import { hashPassword } from '../../worker/auth/passwords';
import { openDb, type Db } from '../../worker/lib/db';
import { withOutbox } from '../../worker/notify/outbox';
import { loginAdmin } from './fixtures';
import { api, DEMO_PASSWORD, login, type Session } from './helpers';

/**
 * Fresh people and jobs for the background-work tests. Test files run in parallel against
 * one database and one stand-in server, so every test makes its own customer (own phone
 * and email) and filters recorded provider requests by them.
 */

/** The stand-in server for outside SaaS (a test-only binding, see vitest.config.ts). */
export const STAND_IN_URL = (env as Env & { STAND_IN_URL: string }).STAND_IN_URL;

let shared: Db | null = null;

/**
 * One database handle for the whole test file (polling opens no new connections), run as
 * an outbox unit of work so notifications recorded through it are enqueued like the app's.
 */
export function db<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  shared ??= openDb(env).db;
  return withOutbox(env, () => fn(shared!));
}

const rand = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => (b % 10).toString()).join('');
export const uniquePhone = () => `+1802${rand(7)}`;

export interface TestCustomer {
  session: Session;
  user_id: string;
  customer_id: string;
  email: string;
  phone: string;
  location_id: string;
}

/** Registers a customer with a home in the service area, SMS consent and a contact preference. */
export async function newCustomer(
  opts: { preferred?: 'sms' | 'email' | 'both' | 'none'; smsConsent?: boolean } = {},
): Promise<TestCustomer> {
  const email = `bg-${crypto.randomUUID().slice(0, 12)}@example.test`;
  const phone = uniquePhone();
  const reg = await api('/api/v1/auth/register', {
    method: 'POST',
    json: { email, password: DEMO_PASSWORD, full_name: 'Pat Tester', phone },
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${await reg.text()}`);
  const session = (await reg.json()) as Session;
  await db(async (d) => {
    await d
      .update(t.users)
      .set({
        sms_consent_at: opts.smsConsent === false ? null : new Date(),
        email_verified_at: new Date(),
        phone_verified_at: new Date(),
      })
      .where(eq(t.users.id, session.user.id));
    await d
      .update(t.customer_profiles)
      .set({ preferred_contact: opts.preferred ?? 'sms' })
      .where(eq(t.customer_profiles.user_id, session.user.id));
  });
  const loc = await api('/api/v1/customers/me/locations', {
    method: 'POST',
    token: session.access_token,
    json: {
      label: 'Home',
      address_line1: '7 Birch Ln',
      city: 'Concord',
      state_province: 'NH',
      postal_code: '03301',
      lat: 43.2031,
      lng: -71.5401,
    },
  });
  if (loc.status !== 201) throw new Error(`location failed: ${loc.status} ${await loc.text()}`);
  const location = ((await loc.json()) as { location: { id: string } }).location;
  const [profile] = await db((d) =>
    d
      .select({ id: t.customer_profiles.id })
      .from(t.customer_profiles)
      .where(eq(t.customer_profiles.user_id, session.user.id)),
  );
  return { session, user_id: session.user.id, customer_id: profile!.id, email, phone, location_id: location.id };
}

export interface TestDriver {
  session: Session;
  user_id: string;
  driver_id: string;
  phone: string;
  full_name: string;
}

/** A driver account of its own (so tests do not move the demo drivers' statuses). */
export async function newDriver(name = 'Robin Plowright'): Promise<TestDriver> {
  const email = `drv-${crypto.randomUUID().slice(0, 12)}@example.test`;
  const phone = uniquePhone();
  const hash = await hashPassword(DEMO_PASSWORD);
  const ids = await db(async (d) => {
    const [u] = await d
      .insert(t.users)
      .values({
        email,
        role: 'driver',
        full_name: name,
        phone,
        password_hash: hash,
        email_verified_at: new Date(),
        phone_verified_at: new Date(),
        sms_consent_at: new Date(),
      })
      .returning({ id: t.users.id });
    const [p] = await d
      .insert(t.driver_profiles)
      .values({
        user_id: u!.id,
        status: 'available',
        paypal_link: 'https://paypal.me/robinplows',
        venmo_link: 'https://venmo.com/robin-plows',
      })
      .returning({ id: t.driver_profiles.id });
    return { user_id: u!.id, driver_id: p!.id };
  });
  return { session: await login(email), phone, full_name: name, ...ids };
}

let adminSession: Promise<Session> | null = null;
export const admin = () => (adminSession ??= loginAdmin());

export async function newJob(
  c: TestCustomer,
): Promise<{ id: string; job_address: string; quoted_price_cents: number }> {
  const res = await api('/api/v1/jobs', {
    method: 'POST',
    token: c.session.access_token,
    json: { location_id: c.location_id, driveway_tier_id: 2 },
  });
  if (res.status !== 201) throw new Error(`job failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { job: { id: string; job_address: string; quoted_price_cents: number } }).job;
}

export async function assign(jobId: string, d: TestDriver): Promise<void> {
  const res = await api(`/api/v1/jobs/${jobId}/assign`, {
    method: 'POST',
    token: (await admin()).access_token,
    json: { driver_id: d.driver_id },
  });
  if (res.status !== 200) throw new Error(`assign failed: ${res.status} ${await res.text()}`);
}

export async function driverStep(
  jobId: string,
  d: TestDriver,
  status: string,
  extra: Record<string, unknown> = {},
): Promise<Response> {
  return api(`/api/v1/drivers/me/jobs/${jobId}/status`, {
    method: 'PATCH',
    token: d.session.access_token,
    json: { status, ...extra },
  });
}

/** Drives a job to `status` through the real endpoints, one transition at a time. */
export async function walkJob(
  jobId: string,
  d: TestDriver,
  to: 'en_route' | 'arrived' | 'in_progress' | 'completed',
): Promise<void> {
  const path = ['en_route', 'arrived', 'in_progress', 'completed'];
  for (const s of path.slice(0, path.indexOf(to) + 1)) {
    const res = await driverStep(jobId, d, s);
    if (res.status !== 200) throw new Error(`${s} failed: ${res.status} ${await res.text()}`);
  }
}

// ---- the stand-in server ----

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  body_base64: string;
  at: number;
}

export async function recorded(
  prefix: string,
  filter: (r: RecordedRequest) => boolean = () => true,
): Promise<RecordedRequest[]> {
  const res = await fetch(`${STAND_IN_URL}/__requests?prefix=${encodeURIComponent(prefix)}`);
  return ((await res.json()) as RecordedRequest[]).filter(filter);
}

/** Twilio message POSTs to one phone number. */
export async function smsTo(phone: string): Promise<{ to: string; body: string; req: RecordedRequest }[]> {
  const reqs = await recorded(
    '/twilio',
    (r) => r.method === 'POST' && r.path.endsWith('/Messages.json') && new URLSearchParams(r.body).get('To') === phone,
  );
  return reqs.map((req) => ({ to: phone, body: new URLSearchParams(req.body).get('Body') ?? '', req }));
}

/** Resend email POSTs to one address. */
export async function emailsTo(address: string): Promise<{ subject: string; text: string; req: RecordedRequest }[]> {
  const reqs = await recorded(
    '/resend',
    (r) => r.method === 'POST' && (JSON.parse(r.body || '{}') as { to?: string[] }).to?.includes(address) === true,
  );
  return reqs.map((req) => {
    const b = JSON.parse(req.body) as { subject: string; text: string };
    return { subject: b.subject, text: b.text, req };
  });
}

export async function script(s: {
  prefix: string;
  method?: string;
  match?: string;
  responses: { status: number; body: unknown }[];
}): Promise<void> {
  await fetch(`${STAND_IN_URL}/__script`, { method: 'POST', body: JSON.stringify(s) });
}

/** Polls `probe` until it returns a truthy value (bounded). */
export async function waitFor<T>(
  probe: () => Promise<T>,
  { timeoutMs = 15_000, intervalMs = 200, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function notificationsFor(where: { job_id?: string; user_id?: string; kind?: string }) {
  return db(async (d) => {
    const conds = [];
    if (where.job_id) conds.push(sql`job_id = ${where.job_id}`);
    if (where.user_id) conds.push(sql`user_id = ${where.user_id}`);
    if (where.kind) conds.push(sql`kind = ${where.kind}`);
    const rows = await d.execute<typeof t.notification_log.$inferSelect>(
      sql`SELECT * FROM notification_log WHERE ${sql.join(conds, sql` AND `)} ORDER BY created_at, id`,
    );
    return rows.rows;
  });
}

/** Sets the operator's quiet hours; returns a function restoring the previous ones. */
export async function setQuietHours(start: number | null, end: number | null): Promise<() => Promise<void>> {
  const [before] = await db((d) =>
    d
      .select({ s: t.operator_settings.quiet_hours_start, e: t.operator_settings.quiet_hours_end })
      .from(t.operator_settings)
      .limit(1),
  );
  await db((d) => d.update(t.operator_settings).set({ quiet_hours_start: start, quiet_hours_end: end }));
  return async () => {
    await db((d) =>
      d.update(t.operator_settings).set({ quiet_hours_start: before?.s ?? null, quiet_hours_end: before?.e ?? null }),
    );
  };
}
