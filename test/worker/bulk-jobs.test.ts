import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { BULK_JOBS_MAX } from '../../contract/api-domain';
import { admin, newCustomer, newDriver, newJob, rows, walkJob } from './fixtures';
import { call } from './helpers';

const bulk = async (body: unknown, token?: string) =>
  call('POST', '/api/v1/admin/jobs/bulk', token ?? (await admin()), body);

/** `n` pending jobs of one new customer. */
async function pendingJobs(n: number) {
  const customer = await newCustomer();
  const jobs = [];
  for (let i = 0; i < n; i++) jobs.push(await newJob(customer));
  return { customer, jobs };
}

const statusOf = async (id: string) =>
  (
    await rows<{ status: string; driver_id: string | null; cancellation_reason: string | null }>(
      sql`SELECT status, driver_id, cancellation_reason FROM jobs WHERE id = ${id}`,
    )
  )[0]!;

describe('POST /api/v1/admin/jobs/bulk', () => {
  it('assigns several pending jobs to one driver, each with its own history event', async () => {
    const { jobs } = await pendingJobs(3);
    const driver = await newDriver();
    const ids = jobs.map((j) => j.id as string);

    const res = await bulk({ action: 'assign', job_ids: ids, driver_id: driver.profile_id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 3, failed: 0 });
    expect(res.body.results.map((r: { job_id: string }) => r.job_id)).toEqual(ids);
    for (const r of res.body.results) expect(r).toMatchObject({ ok: true, status: 200, job: { status: 'assigned' } });
    for (const id of ids) {
      expect(await statusOf(id)).toMatchObject({ status: 'assigned', driver_id: driver.profile_id });
      const events = await rows(
        sql`SELECT previous_status, new_status FROM job_status_events WHERE job_id = ${id} ORDER BY created_at`,
      );
      expect(events.at(-1)).toMatchObject({ previous_status: 'pending', new_status: 'assigned' });
    }
  });

  it('cancels several jobs with one reason', async () => {
    const { jobs } = await pendingJobs(2);
    const ids = jobs.map((j) => j.id as string);

    const res = await bulk({ action: 'cancel', job_ids: ids, reason: 'Storm moved east, no snow here' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 2, failed: 0 });
    for (const id of ids)
      expect(await statusOf(id)).toMatchObject({
        status: 'cancelled',
        cancellation_reason: 'Storm moved east, no snow here',
      });
  });

  it('reports each job that cannot change with its own refusal, and still changes the rest', async () => {
    const { customer, jobs } = await pendingJobs(1);
    const driver = await newDriver();
    const done = await newJob(customer);
    await walkJob(done.id, driver, 'completed');
    const missing = crypto.randomUUID();
    const ids = [jobs[0]!.id as string, done.id as string, missing];

    const res = await bulk({ action: 'cancel', job_ids: ids, reason: 'Duplicate requests' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 1, failed: 2 });
    const [first, finished, unknown] = res.body.results;
    expect(first).toMatchObject({ job_id: ids[0], ok: true, job: { status: 'cancelled' } });
    expect(finished).toMatchObject({ job_id: ids[1], ok: false, status: 409, error: { code: 'invalid_transition' } });
    expect(finished.error.message).toEqual(expect.any(String));
    expect(unknown).toMatchObject({ job_id: missing, ok: false, status: 404, error: { code: 'not_found' } });
    expect((await statusOf(ids[0]!)).status).toBe('cancelled');
    expect((await statusOf(ids[1]!)).status).toBe('completed');
  });

  it('reports an already assigned job as lost to another dispatcher, and assigns the rest', async () => {
    const { jobs } = await pendingJobs(2);
    const [first, second] = [await newDriver(), await newDriver()];
    await walkJob(jobs[1]!.id, first, 'assigned');

    const res = await bulk({ action: 'assign', job_ids: jobs.map((j) => j.id), driver_id: second.profile_id });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 1, failed: 1 });
    expect(res.body.results[1]).toMatchObject({ ok: false, status: 409 });
    expect(await statusOf(jobs[1]!.id)).toMatchObject({ status: 'assigned', driver_id: first.profile_id });
    expect(await statusOf(jobs[0]!.id)).toMatchObject({ status: 'assigned', driver_id: second.profile_id });
  });

  it('refuses an unknown driver with 422 before touching any job', async () => {
    const { jobs } = await pendingJobs(1);
    const res = await bulk({ action: 'assign', job_ids: [jobs[0]!.id], driver_id: crypto.randomUUID() });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('unknown_driver');
    expect((await statusOf(jobs[0]!.id)).status).toBe('pending');
  });

  it('refuses bad input with 400 and says which field', async () => {
    const driver = await newDriver();
    const id = crypto.randomUUID();
    const cases: unknown[] = [
      { action: 'assign', job_ids: [], driver_id: driver.profile_id },
      { action: 'assign', job_ids: ['not-a-job'], driver_id: driver.profile_id },
      { action: 'assign', job_ids: [id, id], driver_id: driver.profile_id },
      { action: 'assign', job_ids: [id] },
      { action: 'cancel', job_ids: [id] },
      { action: 'cancel', job_ids: [id], reason: '   ' },
      { action: 'delete', job_ids: [id] },
      { action: 'cancel', job_ids: Array.from({ length: BULK_JOBS_MAX + 1 }, () => crypto.randomUUID()), reason: 'x' },
    ];
    for (const body of cases) {
      const res = await bulk(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toEqual(expect.any(String));
    }
  });

  it('is for admins only: a driver or customer gets 403 and nothing changes', async () => {
    const { customer, jobs } = await pendingJobs(1);
    const driver = await newDriver();
    const body = { action: 'cancel', job_ids: [jobs[0]!.id], reason: 'Not mine to cancel' };
    expect((await bulk(body, customer.token)).status).toBe(403);
    expect((await bulk(body, driver.token)).status).toBe(403);
    expect((await call('POST', '/api/v1/admin/jobs/bulk', undefined, body)).status).toBe(401);
    expect((await statusOf(jobs[0]!.id)).status).toBe('pending');
  });
});
