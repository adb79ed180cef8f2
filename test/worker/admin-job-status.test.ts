import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { admin, newCustomer, newDriver, newJob, rows, jobAt, pendingJob } from './fixtures';
import { call, expectError } from './helpers';

const move = async (jobId: string, body: unknown, token?: string) =>
  call('PATCH', `/api/v1/jobs/${jobId}/status`, token ?? (await admin()), body);

describe('PATCH /api/v1/jobs/:id/status (admin)', () => {
  it('advances a job for a driver whose phone died, with the reason in the history and the audit log', async () => {
    const { driver, job } = await jobAt('en_route');

    const res = await move(job.id, { status: 'arrived', reason: 'Driver called in: phone battery dead' });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ id: job.id, status: 'arrived', driver_id: driver.profile_id });
    expect(res.body.job.arrived_at).toEqual(expect.any(String));

    const history = await call('GET', `/api/v1/jobs/${job.id}/status-history`, await admin());
    expect(history.body.events.at(-1)).toMatchObject({
      previous_status: 'en_route',
      new_status: 'arrived',
      notes: 'Driver called in: phone battery dead',
    });
    const audit = await rows(
      sql`SELECT action, before, after FROM audit_log WHERE entity_id = ${job.id} AND action = 'job.status'`,
    );
    expect(audit).toEqual([
      {
        action: 'job.status',
        before: { status: 'en_route', driver_id: driver.profile_id },
        after: { status: 'arrived', driver_id: driver.profile_id, reason: 'Driver called in: phone battery dead' },
      },
    ]);
  });

  it('un-assigns a job back to pending and frees its driver', async () => {
    const { driver, job } = await jobAt('assigned');

    const res = await move(job.id, { status: 'pending', reason: 'Truck broke down' });
    expect(res.status).toBe(200);
    expect(res.body.job).toMatchObject({ status: 'pending', driver_id: null, assigned_at: null });
    const [profile] = await rows(sql`SELECT status FROM driver_profiles WHERE id = ${driver.profile_id}`);
    expect(profile!.status).toBe('available');
  });

  it('marks a completed job disputed', async () => {
    const { job } = await jobAt('completed');

    const res = await move(job.id, { status: 'disputed', reason: 'Customer says the end of the drive was left' });
    expect(res.status).toBe(200);
    expect(res.body.job.status).toBe('disputed');
  });

  it('refuses a move the state machine does not allow, with the allowed ones, and changes nothing', async () => {
    const { job } = await pendingJob();

    const refused = await expectError(await move(job.id, { status: 'completed' }), 409, 'invalid_transition');
    expect(refused.error.details).toMatchObject({ allowed: expect.arrayContaining(['assigned', 'cancelled']) });
    expect(refused.error.message).toBe('This job is still waiting for a driver, so it cannot be marked finished.');
    const [row] = await rows(sql`SELECT status, version FROM jobs WHERE id = ${job.id}`);
    expect(row).toMatchObject({ status: 'pending', version: job.version });
  });

  it('asks for a driver when the move is an assignment (that is /assign)', async () => {
    const { job } = await pendingJob();
    await expectError(await move(job.id, { status: 'assigned' }), 400, 'validation_failed');
  });

  it('gives 409 to a dispatcher moving a job someone else changed first', async () => {
    const { driver, job, walked: assigned } = await jobAt('assigned');
    await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, { status: 'en_route' });

    const res = await move(job.id, { status: 'pending', expected_version: assigned.version });
    expect(res.status).toBe(409);
    const [row] = await rows(sql`SELECT status FROM jobs WHERE id = ${job.id}`);
    expect(row!.status).toBe('en_route');
  });

  it('rejects bad input in the error shape and changes nothing', async () => {
    const { job } = await pendingJob();
    for (const body of [{}, { status: 'flying' }, { status: 'cancelled', reason: 'x'.repeat(501) }])
      await expectError(await move(job.id, body), 400, 'validation_failed');
    const [row] = await rows(sql`SELECT status FROM jobs WHERE id = ${job.id}`);
    expect(row!.status).toBe('pending');
  });

  it('is for admins only: a driver or customer gets 403', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver({ status: 'offline' })]);
    const job = await newJob(customer);
    expect((await move(job.id, { status: 'cancelled' }, customer.token)).status).toBe(403);
    expect((await move(job.id, { status: 'cancelled' }, driver.token)).status).toBe(403);
  });
});

describe('PATCH /api/v1/drivers/me/jobs/:id/status refused', () => {
  it('tells the driver in plain words where the job stands, with no status codes or roles', async () => {
    const { job, driver } = await jobAt('completed');
    const res = await call('PATCH', `/api/v1/drivers/me/jobs/${job.id}/status`, driver.token, { status: 'arrived' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe(
      'This job is already finished, so it cannot be marked arrived. Ask the office if this looks wrong.',
    );
  });
});
