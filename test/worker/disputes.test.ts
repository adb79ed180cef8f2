import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { admin, jobAt, newCustomer, newDriver, newJob, pendingJob, rows, walkJob } from './fixtures';
import { call, expectError } from './helpers';

const dispute = async (jobId: string, body: unknown, token?: string) =>
  call('POST', `/api/v1/jobs/${jobId}/dispute`, token ?? (await admin()), body);
const resolve = async (jobId: string, body: unknown, token?: string) =>
  call('POST', `/api/v1/jobs/${jobId}/dispute/resolve`, token ?? (await admin()), body);

describe('POST /api/v1/jobs/:id/dispute', () => {
  it('marks a completed job disputed with the reason in the history, the dispute record and the audit log', async () => {
    const { job } = await jobAt('completed');
    const res = await dispute(job.id, { reason: 'Customer says the end of the drive was left' });
    expect(res.status).toBe(201);
    expect(res.body.job.status).toBe('disputed');
    expect(res.body.dispute).toMatchObject({
      job_id: job.id,
      reason: 'Customer says the end of the drive was left',
      outcome: null,
      resolved_at: null,
    });
    const history = await call('GET', `/api/v1/jobs/${job.id}/status-history`, await admin());
    expect(history.body.events.at(-1)).toMatchObject({
      previous_status: 'completed',
      new_status: 'disputed',
      notes: 'Customer says the end of the drive was left',
    });
    const audit = await rows(sql`SELECT after FROM audit_log WHERE entity_id = ${job.id} AND action = 'job.dispute'`);
    expect(audit).toEqual([{ after: { status: 'disputed', reason: 'Customer says the end of the drive was left' } }]);
  });

  it('needs a reason, also through the status move, and changes nothing without one', async () => {
    const { job } = await jobAt('completed');
    await expectError(await dispute(job.id, {}), 400, 'validation_failed');
    const moved = await call('PATCH', `/api/v1/jobs/${job.id}/status`, await admin(), { status: 'disputed' });
    expect(moved.status).toBe(400);
    expect(moved.body.error.message).toBe('Say what the customer disputes.');
    const [row] = await rows(sql`SELECT status FROM jobs WHERE id = ${job.id}`);
    expect(row!.status).toBe('completed');
    expect(await rows(sql`SELECT 1 FROM job_disputes WHERE job_id = ${job.id}`)).toEqual([]);
  });

  it('refuses a job that is not completed with 409 and the allowed moves', async () => {
    const { job } = await pendingJob();
    await expectError(await dispute(job.id, { reason: 'Too early' }), 409, 'invalid_transition');
  });

  it('is for admins only', async () => {
    const { customer, driver, job } = await jobAt('completed');
    expect((await dispute(job.id, { reason: 'x' }, customer.token)).status).toBe(403);
    expect((await dispute(job.id, { reason: 'x' }, driver.token)).status).toBe(403);
  });
});

describe('POST /api/v1/jobs/:id/dispute/resolve', () => {
  it('upholds the work: the job is completed again, its completion time and invoice untouched', async () => {
    const { job, customer } = await jobAt('completed');
    const [before] = await rows(sql`SELECT completed_at FROM jobs WHERE id = ${job.id}`);
    await dispute(job.id, { reason: 'Says nobody came' });
    const res = await resolve(job.id, { outcome: 'upheld', notes: 'GPS and photo show the work' });
    expect(res.status).toBe(200);
    expect(res.body.job.status).toBe('completed');
    expect(new Date(res.body.job.completed_at).getTime()).toBe(new Date(before!.completed_at).getTime());
    expect(res.body.dispute).toMatchObject({ outcome: 'upheld', resolution_notes: 'GPS and photo show the work' });
    expect(res.body.dispute.resolved_at).toEqual(expect.any(String));
    expect(res.body.follow_up_job).toBeNull();
    expect(await rows(sql`SELECT 1 FROM invoices WHERE job_id = ${job.id}`)).toHaveLength(1);
    const list = await call('GET', `/api/v1/jobs/${job.id}/disputes`, customer.token);
    expect(list.status).toBe(200);
    expect(list.body.disputes).toHaveLength(1);
    const audit = await rows(
      sql`SELECT after FROM audit_log WHERE entity_id = ${job.id} AND action = 'job.dispute_resolve'`,
    );
    expect(audit[0]!.after).toMatchObject({ status: 'completed', outcome: 'upheld' });
  });

  it('credits an unpaid job by taking the amount off its invoice', async () => {
    const { job } = await jobAt('completed');
    const [inv] = await rows(sql`SELECT subtotal_cents FROM invoices WHERE job_id = ${job.id}`);
    await dispute(job.id, { reason: 'Half the drive was left' });
    const res = await resolve(job.id, { outcome: 'credited', credit_cents: 2000 });
    expect(res.status).toBe(200);
    expect(res.body.dispute).toMatchObject({ outcome: 'credited', credit_cents: 2000 });
    const [after] = await rows(sql`SELECT subtotal_cents FROM invoices WHERE job_id = ${job.id}`);
    expect(after!.subtotal_cents).toBe(inv!.subtotal_cents - 2000);
  });

  it('refuses a credit larger than the job price and changes nothing', async () => {
    const { job } = await jobAt('completed');
    await dispute(job.id, { reason: 'Nothing done' });
    await expectError(await resolve(job.id, { outcome: 'credited', credit_cents: 9_999_999 }), 422, 'credit_too_large');
    const [row] = await rows(sql`SELECT status FROM jobs WHERE id = ${job.id}`);
    expect(row!.status).toBe('disputed');
    const [d] = await rows(sql`SELECT resolved_at FROM job_disputes WHERE job_id = ${job.id}`);
    expect(d!.resolved_at).toBeNull();
  });

  it('sends a driver back at no charge as a new pending job for the same property', async () => {
    const { job } = await jobAt('completed');
    await dispute(job.id, { reason: 'Berm left across the mouth of the drive' });
    const res = await resolve(job.id, { outcome: 're_service', notes: 'clear the berm' });
    expect(res.status).toBe(200);
    expect(res.body.dispute.follow_up_job_id).toBe(res.body.follow_up_job.id);
    expect(res.body.follow_up_job).toMatchObject({
      status: 'pending',
      customer_id: job.customer_id,
      job_address: job.job_address,
      quoted_price_cents: 0,
      final_price_cents: 0,
    });
    expect(res.body.follow_up_job.special_instructions).toContain('clear the berm');
  });

  it('rejects bad input: no outcome, an unknown one, a credit without an amount, an amount without a credit', async () => {
    const { job } = await jobAt('completed');
    await dispute(job.id, { reason: 'x' });
    for (const body of [
      {},
      { outcome: 'refund_everything' },
      { outcome: 'credited' },
      { outcome: 'upheld', credit_cents: 100 },
    ])
      await expectError(await resolve(job.id, body), 400, 'validation_failed');
    const moved = await call('PATCH', `/api/v1/jobs/${job.id}/status`, await admin(), { status: 'completed' });
    expect(moved.status).toBe(400);
    const [row] = await rows(sql`SELECT status FROM jobs WHERE id = ${job.id}`);
    expect(row!.status).toBe('disputed');
  });

  it('gives 409 when the job is not disputed', async () => {
    const { job } = await jobAt('completed');
    await expectError(await resolve(job.id, { outcome: 'upheld' }), 409, 'invalid_transition');
  });
});

describe('POST /api/v1/jobs/:id/reassign while under way', () => {
  for (const status of ['en_route', 'arrived', 'in_progress'] as const) {
    it(`moves a job that is ${status} to another driver and frees the first one`, async () => {
      const [customer, first, second] = await Promise.all([
        newCustomer(),
        newDriver({ status: 'available' }),
        newDriver({ status: 'available' }),
      ]);
      const job = await newJob(customer);
      await walkJob(job.id, first, status);
      const [busy] = await rows(sql`SELECT status FROM driver_profiles WHERE id = ${first.profile_id}`);
      expect(busy!.status).toBe(status === 'en_route' ? 'en_route' : 'on_job');

      const res = await call('POST', `/api/v1/jobs/${job.id}/reassign`, await admin(), {
        driver_id: second.profile_id,
      });
      expect(res.status).toBe(200);
      expect(res.body.job).toMatchObject({
        status: 'assigned',
        driver_id: second.profile_id,
        arrived_at: null,
        started_at: null,
      });
      const [freed] = await rows(sql`SELECT status FROM driver_profiles WHERE id = ${first.profile_id}`);
      expect(freed!.status).toBe('available');
      const history = await call('GET', `/api/v1/jobs/${job.id}/status-history`, await admin());
      expect(history.body.events.slice(-2).map((e: { new_status: string }) => e.new_status)).toEqual([
        'pending',
        'assigned',
      ]);
      // The new driver picks it up from the start.
      const next = await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, second.token, {
        status: 'en_route',
      });
      expect(next.status).toBe(200);
      const old = await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, first.token, {
        status: 'completed',
      });
      expect(old.status).toBe(404);
    });
  }

  it('still refuses a completed job', async () => {
    const [{ job }, other] = await Promise.all([jobAt('completed'), newDriver({ status: 'available' })]);
    const res = await call('POST', `/api/v1/jobs/${job.id}/reassign`, await admin(), { driver_id: other.profile_id });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_transition');
  });
});
