import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { DispatchState } from '../../worker/services/auto-dispatch';
import { RADIUS_STEPS_KM } from '../../worker/services/auto-dispatch';
import { nearestAvailableDriverSql } from '../../worker/services/nearest-driver';
import { admin, newCustomer, newDriver, newJob, rows } from './fixtures';
import { call, db } from './helpers';

/**
 * Auto-dispatch is an operator-wide switch, so it is on only while these tests run. The
 * test site is in the north-east of the service area, away from the points other test
 * files use, and its drivers serve a 2 km radius, so other files' jobs are not offered to
 * them and this file's jobs only reach them.
 */
const SITE = { lat: 43.29, lng: -71.45 };
const offset = (km: number) => ({ lat: SITE.lat + km / 111.2, lng: SITE.lng });

const stubOf = (jobId: string) => env.AUTO_DISPATCH.get(env.AUTO_DISPATCH.idFromName(jobId));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function jobRow(id: string) {
  const [row] = await rows<{ status: string; driver_id: string | null; version: number }>(
    sql`SELECT status, driver_id, version FROM jobs WHERE id = ${id}`,
  );
  return row!;
}

/** Makes the open offer due, as if its 60 s had passed, and runs the alarm. */
async function expireOffer(jobId: string): Promise<void> {
  const stub = stubOf(jobId);
  await runInDurableObject(stub, async (_instance, state) => {
    const s = await state.storage.get<DispatchState>('state');
    if (s?.offer) await state.storage.put('state', { ...s, offer: { ...s.offer, expires_at: Date.now() - 1 } });
  });
  await runDurableObjectAlarm(stub);
}

describe('auto-dispatch (operator_settings.auto_dispatch)', () => {
  beforeAll(async () => {
    await call('PATCH', '/api/v1/admin/settings', await admin(), { auto_dispatch: true });
  });
  afterAll(async () => {
    await call('PATCH', '/api/v1/admin/settings', await admin(), { auto_dispatch: false });
  });

  it('offers a new job to the nearest available driver, moves on after a timeout and a rejection, then gives up', async () => {
    const near = await newDriver({ status: 'available', at: offset(0.3), service_radius_km: 2 });
    const further = await newDriver({ status: 'available', at: offset(1.2), service_radius_km: 2 });
    await newDriver({ status: 'break', at: offset(0.1), service_radius_km: 2 });
    const customer = await newCustomer({ location: SITE });
    const job = await newJob(customer);
    expect(job.status).toBe('pending');

    const offered = await until('first offer', async () => {
      const row = await jobRow(job.id);
      return row.status === 'assigned' && row;
    });
    expect(offered.driver_id).toBe(near.profile_id);
    const [event] = await rows(
      sql`SELECT changed_by_user_id, notes FROM job_status_events WHERE job_id = ${job.id} AND new_status = 'assigned'`,
    );
    expect(event).toMatchObject({
      changed_by_user_id: null,
      notes: expect.stringMatching(/^auto-dispatch: offered to the nearest available driver \(0\.3 km\)$/),
    });
    const notes = await rows(
      sql`SELECT user_id, kind FROM notification_log WHERE job_id = ${job.id} ORDER BY created_at`,
    );
    expect(notes).toEqual([{ user_id: near.user_id, kind: 'driver_job_assigned' }]); // the customer waits for an accepted driver
    const { state, alarm } = await stubOf(job.id).status();
    expect(state).toMatchObject({ tried: [near.profile_id], offers: 1, offer: { driver_id: near.profile_id } });
    expect(alarm! - Date.now()).toBeGreaterThan(50_000);

    await expireOffer(job.id);
    const second = await jobRow(job.id);
    expect(second).toMatchObject({ status: 'assigned', driver_id: further.profile_id });
    const history = await call('GET', `/api/v1/jobs/${job.id}/status-history`, await admin());
    expect(
      history.body.events.map((e: { new_status: string; notes: string | null }) => [
        e.new_status,
        e.notes?.split(' (')[0] ?? null,
      ]),
    ).toEqual([
      ['pending', null],
      ['assigned', 'auto-dispatch: offered to the nearest available driver'],
      ['pending', 'auto-dispatch: offer timed out'],
      ['assigned', 'auto-dispatch: offered to the nearest available driver'],
    ]);

    const rejected = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/reject`, further.token, {
      reason: 'plow blade broke',
    });
    expect(rejected.body.job.status).toBe('pending');
    // Nobody else nearby: the radius widens step by step (alarms), then it gives up. Other
    // test files' available drivers, far out, may be offered the job on the wider steps:
    // their offers time out as well.
    await until('the decline to be seen', async () => (await stubOf(job.id).status()).state?.offer === null);
    for (let i = 0; i < RADIUS_STEPS_KM.length + 20; i++) {
      const { state } = await stubOf(job.id).status();
      if (!state) break;
      if (state.offer) await expireOffer(job.id);
      else await runDurableObjectAlarm(stubOf(job.id));
    }
    expect((await stubOf(job.id).status()).state).toBeNull();
    expect(await jobRow(job.id)).toMatchObject({ status: 'pending', driver_id: null });
  });

  it('stops once the driver accepts, and never starts while the switch is off', async () => {
    const driver = await newDriver({ status: 'available', at: offset(-0.5), service_radius_km: 2 });
    const customer = await newCustomer({ location: offset(-0.6) });
    const job = await newJob(customer);
    await until('the offer', async () => (await jobRow(job.id)).driver_id === driver.profile_id);
    const accepted = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/accept`, driver.token);
    expect(accepted.status).toBe(200);
    const told = await rows(
      sql`SELECT kind FROM notification_log WHERE job_id = ${job.id} AND user_id = ${customer.user_id}`,
    );
    expect(told.length).toBeGreaterThan(0);
    expect(new Set(told.map((n) => n.kind))).toEqual(new Set(['job_assigned'])); // the same message as a dispatcher's assignment
    await expireOffer(job.id);
    expect((await stubOf(job.id).status()).state).toBeNull();
    expect(await jobRow(job.id)).toMatchObject({ status: 'assigned', driver_id: driver.profile_id });

    await call('PATCH', '/api/v1/admin/settings', await admin(), { auto_dispatch: false });
    try {
      const manual = await newJob(customer);
      await new Promise((r) => setTimeout(r, 300));
      expect((await stubOf(manual.id).status()).state).toBeNull();
      expect((await jobRow(manual.id)).status).toBe('pending');
    } finally {
      await call('PATCH', '/api/v1/admin/settings', await admin(), { auto_dispatch: true });
    }
  });
});

describe('the nearest-driver query', () => {
  it('walks the GIST index on driver_profiles.current_location with the KNN operator', async () => {
    // With a handful of rows the planner rightly prefers a sequential or bitmap scan and a
    // sort; making those look expensive (for this transaction only) shows the index path it
    // takes once the table is large (`npm run bench:nearest` shows it at 10,000 drivers).
    const plan = await db(async (d) =>
      d.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL enable_seqscan = off`);
        await tx.execute(sql`SET LOCAL enable_bitmapscan = off`);
        await tx.execute(sql`SET LOCAL enable_sort = off`);
        const explained = await tx.execute<{ 'QUERY PLAN': unknown }>(
          sql`EXPLAIN (FORMAT JSON) ${nearestAvailableDriverSql({ ...SITE, radius_m: 5000, exclude: [crypto.randomUUID()] })}`,
        );
        return JSON.stringify(explained.rows[0]!['QUERY PLAN']);
      }),
    );
    expect(plan).toMatch(/"Index Name":"idx_driver_profiles_(available_)?location"/);
    expect(plan).toMatch(/"Order By":"\(current_location <-> /);
  });

  it('skips busy, suspended, far-away and already-asked drivers', async () => {
    const here = { lat: 43.3, lng: -71.7 };
    const free = await newDriver({
      status: 'available',
      at: { lat: here.lat + 0.01, lng: here.lng },
      service_radius_km: 3,
    });
    const suspended = await newDriver({ status: 'available', at: here, service_radius_km: 3 });
    await rows(sql`UPDATE users SET suspended_at = now() WHERE id = ${suspended.user_id}`);
    const shortReach = await newDriver({
      status: 'available',
      at: { lat: here.lat + 0.005, lng: here.lng },
      service_radius_km: 0.2,
    });
    const found = await db(
      async (d) =>
        (await d.execute(nearestAvailableDriverSql({ ...here, radius_m: 5000, limit: 5 }))).rows as {
          driver_id: string;
        }[],
    );
    const ids = found.map((r) => r.driver_id);
    expect(ids[0]).toBe(free.profile_id);
    expect(ids).not.toContain(suspended.profile_id);
    expect(ids).not.toContain(shortReach.profile_id);
    const next = await db(
      async (d) =>
        (await d.execute(nearestAvailableDriverSql({ ...here, radius_m: 5000, exclude: [free.profile_id] }))).rows as {
          driver_id: string;
        }[],
    );
    expect(next.map((r) => r.driver_id)).not.toContain(free.profile_id);
  });
});
