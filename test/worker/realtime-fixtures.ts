import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { jobWith, newCustomer, newDriver, type Person } from './fixtures';
import { connect, db, type TestSocket } from './helpers';

/** Helpers of the real-time tests: live sockets, GPS fixes and the flush alarms. */

/** A token of `person` that expires in `seconds` (same key and claims as a real one). */
export async function shortLivedToken(
  person: Person,
  role: 'driver' | 'customer' | 'admin',
  seconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    role,
    name: 'Short Lived',
    ...(role === 'driver' ? { did: person.profile_id } : {}),
    ...(role === 'customer' ? { cid: person.profile_id } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', kid: env.JWT_KID || 'k1' })
    .setSubject(person.user_id)
    .setJti(crypto.randomUUID())
    .setIssuer('plowdispatch')
    .setIssuedAt(now)
    .setExpirationTime(now + seconds)
    .sign(new TextEncoder().encode(env.JWT_SECRET));
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

/** A new customer's job assigned to a new driver, with the customer watching its room. */
export async function watchedJob() {
  const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
  const jobId = await jobWith(customer, driver);
  const { socket: watcher } = await watch(customer.token, jobId);
  return { customer, driver, jobId, watcher };
}

/** A watched job (`watchedJob`) with the driver's phone on a socket of its own. */
export async function watchedPlow() {
  const job = await watchedJob();
  return { ...job, plow: await connect(job.driver.token) };
}

/**
 * Checks the start of the snapshot a socket just opened on `job:{jobId}` is sent: the
 * subscription, then the job's status (and its driver, when given).
 */
export async function expectJoined(
  socket: TestSocket,
  jobId: string,
  status: { new_status: string; driver_id?: string | null },
): Promise<void> {
  expect(await socket.next()).toEqual({ type: 'subscribed', payload: { topic: `job:${jobId}` } });
  expect(await socket.next()).toMatchObject({ type: 'job_status', payload: { job_id: jobId, ...status } });
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
