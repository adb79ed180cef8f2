import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { MESSAGE_BUDGETS } from '../../durable-objects/message-budget';
import { jobWith, newCustomer, newDriver, newJob, rows, uniq, walkJob } from './fixtures';
import { api, connect } from './helpers';
import { eventually, fix, flushLocations } from './realtime-fixtures';

/**
 * Reliability: a phone that comes back online can replay its queue many times over — a
 * retry loop, two tabs, a service worker and the page both flushing. 100 copies of one
 * event (one `client_event_id`) arrive at the same moment; the event must be applied
 * exactly once and every copy must get the same, successful answer.
 */

const BURST = 100;

/**
 * One copy, sent as the apps' outbox sends: a 503 `db_unavailable` — the database refusing
 * more connections than it has, which 100 requests at once can reach on a stock Postgres
 * (`max_connections` 100) — is sent again after its Retry-After. Counted in `deferred`.
 */
async function sendCopy(
  path: string,
  init: { method: string; token: string; json: unknown },
  stats: { deferred: number },
) {
  for (let attempt = 0; ; attempt++) {
    const res = await api(path, init);
    const body = (await res.json()) as any;
    if (res.status !== 503 || body.error?.code !== 'db_unavailable' || attempt === 3)
      return { status: res.status, body };
    stats.deferred++;
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after')) * 1000));
  }
}

/** 100 copies at once; every copy's final answer. Most must be answered in the first wave, or this proves no race. */
async function burst(path: string, init: { method: string; token: string; json: unknown }) {
  const stats = { deferred: 0 };
  const answers = await Promise.all(Array.from({ length: BURST }, () => sendCopy(path, init, stats)));
  console.log(JSON.stringify({ burst: `${init.method} ${path}`, copies: BURST, deferred_by_503: stats.deferred }));
  expect(stats.deferred, 'copies answered 503 (connection limit) and sent again').toBeLessThan(BURST / 2);
  return answers;
}

/** `{ "201": 1, "200": 99 }`, plus the first refusal's body when there is one (for the failure message). */
function tally(answers: { status: number; body: any }[]): Record<string, unknown> {
  const counts: Record<string, unknown> = {};
  for (const a of answers) counts[a.status] = ((counts[a.status] as number) ?? 0) + 1;
  const refused = answers.find((a) => a.status >= 300);
  if (refused) counts.first_refusal = refused.body;
  return counts;
}

/** How many notifications of this kind the job has logged. */
const noticeCount = (jobId: string, kind: string) =>
  rows(sql`SELECT count(*)::int AS n FROM notification_log WHERE job_id = ${jobId} AND kind = ${kind}`);

describe('a burst of 100 duplicate offline replays over HTTP', () => {
  it('PATCH /api/v1/drivers/me/jobs/:id/status: every copy gets 200 and the same job; one history row, one version step', async () => {
    const customer = await newCustomer();
    const driver = await newDriver({ status: 'available' });
    const job = await newJob(customer);
    const assigned = await walkJob(job.id, driver, 'assigned');
    const eventId = `burst-status-${uniq()}`;
    const recordedAt = new Date(Date.now() - 60_000).toISOString();

    const answers = await burst(`/api/v1/drivers/me/jobs/${job.id}/status`, {
      method: 'PATCH',
      token: driver.token,
      json: { status: 'en_route', client_event_id: eventId, recorded_at: recordedAt },
    });
    expect(tally(answers)).toEqual({ 200: BURST });
    const jobs = answers.map((a) => a.body.job);
    expect(new Set(jobs.map((j) => `${j.id}|${j.status}|${j.driver_id}`))).toEqual(
      new Set([`${job.id}|en_route|${driver.profile_id}`]),
    );

    expect(
      await rows(
        sql`SELECT new_status, client_event_id FROM job_status_events WHERE job_id = ${job.id} AND new_status = 'en_route'`,
      ),
    ).toEqual([{ new_status: 'en_route', client_event_id: eventId }]);
    expect(await rows(sql`SELECT status, version FROM jobs WHERE id = ${job.id}`)).toEqual([
      { status: 'en_route', version: assigned.version + 1 },
    ]);
    // The customer is told once that the driver is on the way.
    expect(await noticeCount(job.id, 'job_en_route')).toEqual([{ n: 1 }]);
  });

  it('POST /api/v1/drivers/me/jobs/:id/payment: one 201 and 99 × 200, all naming the same payment; one row, one receipt', async () => {
    const customer = await newCustomer();
    const driver = await newDriver({ status: 'available' });
    const job = await newJob(customer);
    await walkJob(job.id, driver, 'completed');
    const eventId = `burst-pay-${uniq()}`;

    const answers = await burst(`/api/v1/drivers/me/jobs/${job.id}/payment`, {
      method: 'POST',
      token: driver.token,
      json: { method: 'cash', client_event_id: eventId },
    });
    expect(tally(answers)).toEqual({ 201: 1, 200: BURST - 1 });
    const paymentIds = new Set(answers.map((a) => a.body.payment?.id));
    expect(paymentIds.size).toBe(1);
    expect(new Set(answers.map((a) => a.body.invoice?.status))).toEqual(new Set(['paid']));

    const stored = await rows<{ id: string; client_event_id: string }>(
      sql`SELECT id, client_event_id FROM payments WHERE job_id = ${job.id}`,
    );
    expect(stored).toEqual([{ id: [...paymentIds][0], client_event_id: eventId }]);
    expect(await noticeCount(job.id, 'payment_received')).toEqual([{ n: 1 }]);
  });

  it('POST /api/v1/jobs: one 201 and 99 × 200, all naming the same job; one job, one history row', async () => {
    const customer = await newCustomer();
    const eventId = `burst-job-${uniq()}`;

    const answers = await burst('/api/v1/jobs', {
      method: 'POST',
      token: customer.token,
      json: { location_id: customer.location_id, driveway_tier_id: 2, client_event_id: eventId },
    });
    expect(tally(answers)).toEqual({ 201: 1, 200: BURST - 1 });
    const ids = new Set(answers.map((a) => a.body.job?.id));
    expect(ids.size).toBe(1);

    const created = await rows<{ id: string }>(
      sql`SELECT id FROM jobs WHERE customer_id = ${customer.profile_id} AND client_event_id = ${eventId}`,
    );
    expect(created.map((r) => r.id)).toEqual([...ids]);
    expect(await rows(sql`SELECT new_status FROM job_status_events WHERE job_id = ${created[0]!.id}`)).toEqual([
      { new_status: 'pending' },
    ]);
  });
});

/** Over a socket a user's status changes spend a small budget (durable-objects/message-budget.ts): as many copies as it allows at once. */
const WS_STATUS_COPIES = MESSAGE_BUDGETS.user_costly.burst;

describe('a burst of duplicate offline replays over WebSockets', () => {
  it('applies a status change and a GPS fix sent many times over four sockets once each; the other copies are acknowledged as duplicates', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    const jobId = await jobWith(customer, driver);
    const sockets = await Promise.all(Array.from({ length: 4 }, () => connect(driver.token)));
    const at = new Date(Date.now() - 30_000);
    const status = {
      type: 'status_change',
      payload: {
        job_id: jobId,
        new_status: 'en_route',
        client_event_id: `burst-ws-status-${uniq()}`,
        recorded_at: at.toISOString(),
      },
    };
    const ping = fix(43.2101, -71.5301, at, `burst-ws-fix-${uniq()}`);

    for (let i = 0; i < WS_STATUS_COPIES; i++) sockets[i % sockets.length]!.send(status);
    for (let i = 0; i < BURST; i++) sockets[i % sockets.length]!.send(ping);
    const share = (copies: number, i: number) =>
      Math.floor(copies / sockets.length) + (i < copies % sockets.length ? 1 : 0);
    const acks: { client_event_id: string; duplicate: boolean }[] = [];
    for (const [i, s] of sockets.entries()) {
      const expected = share(WS_STATUS_COPIES, i) + share(BURST, i);
      for (let k = 0; k < expected; k++) {
        const m = await s.next((msg) => msg.type === 'ack' || msg.type === 'error', 20_000);
        expect(m.type, JSON.stringify(m)).toBe('ack');
        acks.push(m.payload);
      }
    }
    for (const [id, copies] of [
      [status.payload.client_event_id, WS_STATUS_COPIES],
      [ping.payload.client_event_id, BURST],
    ] as const) {
      const mine = acks.filter((a) => a.client_event_id === id);
      expect(mine).toHaveLength(copies);
      expect(mine.filter((a) => !a.duplicate)).toHaveLength(1);
    }

    expect(
      await rows(
        sql`SELECT new_status FROM job_status_events WHERE job_id = ${jobId} AND client_event_id = ${status.payload.client_event_id}`,
      ),
    ).toEqual([{ new_status: 'en_route' }]);
    await flushLocations(jobId);
    const logged = await eventually(
      () => rows(sql`SELECT client_event_id FROM driver_location_log WHERE driver_id = ${driver.profile_id}`),
      (r) => r.length >= 1,
    );
    // A second copy would be written by the same queue batch or the next: give it the chance.
    await new Promise((r) => setTimeout(r, 2500));
    expect(
      await rows(sql`SELECT client_event_id FROM driver_location_log WHERE driver_id = ${driver.profile_id}`),
    ).toEqual(logged);
    expect(logged).toEqual([{ client_event_id: ping.payload.client_event_id }]);
    for (const s of sockets) s.close();
  });
});
