import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { admin, newCustomer, newDriver, newJob, type Person, rows, uniq, jobAt } from './fixtures';
import { gateStats, retryAfterOf, setFault, throughGate } from './chaos-fixtures';

/**
 * Reliability: the database goes away while the Worker is serving. Every request here runs
 * the real Worker; only its database connections pass through the fault gate
 * (test/support/db-gate.ts), which refuses and drops connections (`down`) or cuts one
 * connection at an exact point of a transaction (`cut`). The promise under test: a 503 in
 * the SPEC error shape with Retry-After, nothing half-written, and the next request after
 * the database is back succeeds in the same running Worker — no restart, no manual step.
 */

afterEach(async () => {
  await setFault({ mode: 'up' });
});

const paymentsOf = (jobId: string) =>
  rows<{ id: string; amount_cents: number; client_event_id: string }>(
    sql`SELECT id, amount_cents, client_event_id FROM payments WHERE job_id = ${jobId}`,
  );
const invoiceOf = async (jobId: string) =>
  (
    await rows<{ id: string; status: string; total_cents: number }>(
      sql`SELECT id, status, total_cents FROM invoices WHERE job_id = ${jobId} AND status <> 'void'`,
    )
  )[0];
const paymentNotices = (jobId: string) =>
  rows(sql`SELECT id FROM notification_log WHERE job_id = ${jobId} AND kind = 'payment_received'`);

/**
 * A driver's write to `/api/v1/drivers/me/jobs/:id/<action>` with a client event id of its
 * own: each call sends it through the gate again, as a phone retrying it would.
 */
function driverWrite(driver: Person, jobId: string, action: 'status' | 'payment', json: Record<string, unknown>) {
  const init = {
    method: action === 'status' ? 'PATCH' : 'POST',
    token: driver.token,
    json: { ...json, client_event_id: `${action}-${uniq()}` },
  };
  return () => throughGate(`/api/v1/drivers/me/jobs/${jobId}/${action}`, init);
}

describe('database unreachable', () => {
  it('answers 503 db_unavailable with Retry-After on every kind of route, writes nothing, and serves again once it is back', async () => {
    const [dispatcher, customer, driver] = await Promise.all([admin(), newCustomer(), newDriver()]);
    const job = await newJob(customer);
    const eventId = `outage-${uniq()}`;
    const create = {
      method: 'POST',
      token: customer.token,
      json: { location_id: customer.location_id, driveway_tier_id: 2, client_event_id: eventId },
    };
    const assign = { method: 'POST', token: dispatcher, json: { driver_id: driver.profile_id } };

    // Through the gate while it is up: the path works, so what follows is the fault's doing.
    expect((await throughGate('/api/v1/jobs?limit=1', { token: dispatcher })).status).toBe(200);
    expect((await gateStats()).accepted).toBeGreaterThan(0);

    const before = await setFault({ mode: 'down' });
    const attempts = [
      await throughGate('/api/v1/jobs', create),
      await throughGate(`/api/v1/jobs/${job.id}/assign`, assign),
      await throughGate('/api/v1/jobs?limit=5', { token: dispatcher }),
      await throughGate(`/api/v1/jobs/${job.id}`, { token: customer.token }),
      await throughGate('/api/v1/customers/me/locations', { token: customer.token }),
    ];
    for (const res of attempts) {
      expect(retryAfterOf(res)).toBeLessThanOrEqual(30);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
    expect((await gateStats()).refused).toBeGreaterThan(before.refused);
    // Readiness says the same, for the load balancer and the operator.
    const ready = await throughGate('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: 'unreachable' });
    expect(Number(ready.headers.get('retry-after'))).toBeGreaterThan(0);

    // Nothing was written by the refused requests.
    expect(await rows(sql`SELECT id FROM jobs WHERE client_event_id = ${eventId}`)).toEqual([]);
    expect(await rows(sql`SELECT status, driver_id FROM jobs WHERE id = ${job.id}`)).toEqual([
      { status: 'pending', driver_id: null },
    ]);

    // Back up: the very next requests succeed in the same Worker, and the retried create happens once.
    await setFault({ mode: 'up' });
    expect((await throughGate('/readyz')).status).toBe(200);
    const created = await throughGate('/api/v1/jobs', create);
    expect(created.status).toBe(201);
    const again = await throughGate('/api/v1/jobs', create);
    expect(again.body.job.id).toBe(created.body.job.id);
    expect(await rows(sql`SELECT id FROM jobs WHERE client_event_id = ${eventId}`)).toHaveLength(1);
    const assigned = await throughGate(`/api/v1/jobs/${job.id}/assign`, assign);
    expect(assigned.status).toBe(200);
    expect(assigned.body.job).toMatchObject({ status: 'assigned', driver_id: driver.profile_id });
  });
});

describe('connection lost in the middle of a transaction', () => {
  it('rolls back a status change cut off after its UPDATE: 503, the job and its history untouched; the retry applies it once', async () => {
    const { driver, job } = await jobAt('assigned');
    const step = driverWrite(driver, job.id, 'status', { status: 'en_route' });
    const driverBefore = await rows(sql`SELECT status FROM driver_profiles WHERE id = ${driver.profile_id}`);

    // Dropped as the client sends the history row: `UPDATE jobs` has already run on the server.
    await setFault({ mode: 'cut', direction: 'to_server', match: 'insert into "job_status_events"' });
    const cut = await step();
    expect((await gateStats()).mode).toBe('up');
    retryAfterOf(cut);

    expect(await rows(sql`SELECT status, version FROM jobs WHERE id = ${job.id}`)).toEqual([
      { status: 'assigned', version: job.version + 1 },
    ]);
    expect(
      await rows(sql`SELECT new_status FROM job_status_events WHERE job_id = ${job.id} ORDER BY created_at, id`),
    ).toEqual([{ new_status: 'pending' }, { new_status: 'assigned' }]);
    expect(await rows(sql`SELECT status FROM driver_profiles WHERE id = ${driver.profile_id}`)).toEqual(driverBefore);

    const retried = await step();
    expect(retried.status).toBe(200);
    expect(retried.body.job.status).toBe('en_route');
    expect(
      await rows(sql`SELECT new_status FROM job_status_events WHERE job_id = ${job.id} AND new_status = 'en_route'`),
    ).toHaveLength(1);
  });

  it('rolls back a payment cut off before its COMMIT: 503, no payment, invoice and notifications untouched; the retry records it once', async () => {
    const { driver, job } = await jobAt('completed');
    const invoiceBefore = await invoiceOf(job.id);
    const pay = driverWrite(driver, job.id, 'payment', { method: 'cash' });

    await setFault({ mode: 'cut', direction: 'to_server', match: 'commit' });
    const cut = await pay();
    expect((await gateStats()).mode).toBe('up');
    retryAfterOf(cut);
    expect(await paymentsOf(job.id)).toEqual([]);
    expect(await invoiceOf(job.id)).toEqual(invoiceBefore);
    expect(await paymentNotices(job.id)).toEqual([]);

    // The first attempt left nothing behind: the retry is a new payment (201), a second one a replay (200).
    const first = await pay();
    expect(first.status).toBe(201);
    const replay = await pay();
    expect(replay.status).toBe(200);
    expect(replay.body.payment.id).toBe(first.body.payment.id);
    expect(await paymentsOf(job.id)).toHaveLength(1);
    expect((await invoiceOf(job.id))!.status).toBe('paid');
    expect(await paymentNotices(job.id)).toHaveLength(1);
  });

  it('keeps a payment whose COMMIT went through but whose answer was lost: 503, then the retry reports that one payment', async () => {
    const { driver, job } = await jobAt('completed');
    const pay = driverWrite(driver, job.id, 'payment', { method: 'card' });

    await setFault({ mode: 'cut', direction: 'to_client', match: 'COMMIT' });
    const cut = await pay();
    retryAfterOf(cut);
    const stored = await paymentsOf(job.id);
    expect(stored).toHaveLength(1);
    expect((await invoiceOf(job.id))!.status).toBe('paid');

    // The phone did not hear back and sends it again: the same payment, not a second one.
    const retried = await pay();
    expect(retried.status).toBe(200);
    expect(retried.body.payment.id).toBe(stored[0]!.id);
    expect(await paymentsOf(job.id)).toHaveLength(1);
    expect(await paymentNotices(job.id)).toHaveLength(1);
  });
});
