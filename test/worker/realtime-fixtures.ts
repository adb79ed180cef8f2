import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { sql } from 'drizzle-orm';
import { signAccessToken } from '../../worker/auth/tokens';
import { api, connect, db, type TestSocket } from './helpers';

/**
 * People and jobs of their own for the real-time tests, so parallel test files never
 * share a driver's live job. Accounts go straight into Postgres; their access tokens are
 * signed with the Worker's own signing code and key (logins cost an Argon2 hash each).
 */

export interface Person {
  user_id: string;
  token: string;
}
export interface Driver extends Person {
  driver_id: string;
}
export interface Customer extends Person {
  customer_id: string;
  location_id: string;
}

const uniq = () => crypto.randomUUID().slice(0, 8);

async function insertUser(role: 'driver' | 'customer', name: string): Promise<string> {
  return db(async (d) => {
    const { rows } = await d.execute<{ id: string }>(sql`
      INSERT INTO users (email, role, full_name, password_hash, email_verified_at, phone_verified_at)
      VALUES (${`${role}-${uniq()}@rt.test`}, ${role}, ${name}, (SELECT password_hash FROM users WHERE email = 'admin@demo.test'), now(), now())
      RETURNING id`);
    return rows[0]!.id;
  });
}

export async function newDriver(name = 'Rita Realtime'): Promise<Driver> {
  const user_id = await insertUser('driver', name);
  const driver_id = await db(
    async (d) =>
      (
        await d.execute<{ id: string }>(
          sql`INSERT INTO driver_profiles (user_id, status) VALUES (${user_id}, 'available') RETURNING id`,
        )
      ).rows[0]!.id,
  );
  const { token } = await signAccessToken(env, { sub: user_id, role: 'driver', name, did: driver_id });
  return { user_id, driver_id, token };
}

export async function newCustomer(name = 'Cora Watcher'): Promise<Customer> {
  const user_id = await insertUser('customer', name);
  const customer_id = await db(
    async (d) =>
      (await d.execute<{ id: string }>(sql`INSERT INTO customer_profiles (user_id) VALUES (${user_id}) RETURNING id`))
        .rows[0]!.id,
  );
  const location_id = await db(
    async (d) =>
      (
        await d.execute<{ id: string }>(sql`
        INSERT INTO service_locations (customer_id, label, address_line1, city, state_province, postal_code, coordinates, is_default)
        VALUES (${customer_id}, 'Home', '1 Test Way', 'Concord', 'NH', '03301', ST_SetSRID(ST_MakePoint(-71.54, 43.20), 4326)::geography, true)
        RETURNING id`)
      ).rows[0]!.id,
  );
  const { token } = await signAccessToken(env, { sub: user_id, role: 'customer', name, cid: customer_id });
  return { user_id, customer_id, location_id, token };
}

/** A token for the demo dispatcher (TOTP is a login concern, not the socket's). */
export async function admin(): Promise<Person> {
  const user_id = await db(
    async (d) =>
      (await d.execute<{ id: string }>(sql`SELECT id FROM users WHERE email = 'admin@demo.test'`)).rows[0]!.id,
  );
  const { token } = await signAccessToken(env, { sub: user_id, role: 'admin', name: 'Dana Dispatcher' });
  return { user_id, token };
}

/** A token of `person` that expires in `seconds` (same key and claims as a real one). */
export async function shortLivedToken(
  person: Person & { driver_id?: string; customer_id?: string },
  role: 'driver' | 'customer' | 'admin',
  seconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    role,
    name: 'Short Lived',
    ...(person.driver_id ? { did: person.driver_id } : {}),
    ...(person.customer_id ? { cid: person.customer_id } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', kid: env.JWT_KID || 'k1' })
    .setSubject(person.user_id)
    .setJti(crypto.randomUUID())
    .setIssuer('plowdispatch')
    .setIssuedAt(now)
    .setExpirationTime(now + seconds)
    .sign(new TextEncoder().encode(env.JWT_SECRET));
}

/** A job requested by `customer` through the API (status `pending`). */
export async function newJob(customer: Customer): Promise<string> {
  const res = await api('/api/v1/jobs', {
    method: 'POST',
    token: customer.token,
    json: { location_id: customer.location_id, driveway_tier_id: 1 },
  });
  if (res.status !== 201) throw new Error(`job not created: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { job: { id: string } }).job.id;
}

/** A job requested by `customer` and assigned to `driver` by the dispatcher, through the API. */
export async function assignedJob(customer: Customer, driver: Driver, dispatcher?: Person): Promise<string> {
  const jobId = await newJob(customer);
  const res = await api(`/api/v1/jobs/${jobId}/assign`, {
    method: 'POST',
    token: (dispatcher ?? (await admin())).token,
    json: { driver_id: driver.driver_id },
  });
  if (res.status !== 200) throw new Error(`job not assigned: ${res.status} ${await res.text()}`);
  return jobId;
}

/** Polls `read` until `done` holds (the Queue consumer and alarms are asynchronous). */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A `location_ping` message for a fix taken at `at` (device time), with a client event id. */
export function fix(lat: number, lng: number, at: Date, id: string, extra: Record<string, number> = {}) {
  return {
    type: 'location_ping',
    payload: { lat, lng, accuracy: 5, recorded_at: at.toISOString(), client_event_id: id, ...extra },
  };
}

/** Opens `?topic=job:{id}` and takes the join snapshot's `subscribed` and `job_status` off the queue. */
export async function watch(
  token: string,
  jobId: string,
): Promise<{ socket: TestSocket; status: { new_status: string; driver_id: string | null } }> {
  const socket = await connect(token, `job:${jobId}`);
  await socket.next((m) => m.type === 'subscribed');
  const status = await socket.next((m) => m.type === 'job_status');
  return { socket, status: status.payload };
}

/**
 * Runs the GPS flush alarms now — of these jobs' rooms and of the dispatch object (drivers
 * on no job): their outboxes go to the Queue, whose consumer then writes
 * `driver_location_log` and the live positions within ~2 s. True when any alarm was due.
 */
export async function flushLocations(...jobIds: string[]): Promise<boolean> {
  const ran = await Promise.all(
    [
      env.DISPATCH.get(env.DISPATCH.idFromName('default')),
      ...jobIds.map((id) => env.JOB_ROOM.get(env.JOB_ROOM.idFromName(id))),
    ].map((stub) => runDurableObjectAlarm(stub)),
  );
  return ran.some(Boolean);
}

/** A driver's live position as Postgres holds it (`driver_profiles.current_location`). */
export async function storedPosition(driverId: string) {
  return db(async (d) => {
    const { rows } = await d.execute<{ lat: number | null; lng: number | null; at: string | null }>(sql`
      SELECT ST_Y(current_location::geometry) AS lat, ST_X(current_location::geometry) AS lng, location_updated_at AS at
      FROM driver_profiles WHERE id = ${driverId}`);
    return rows[0]!;
  });
}
