import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { admin, newCustomer, newDriver, newJob, rows } from './fixtures';
import { api } from './helpers';

describe('POST /api/v1/jobs/:id/assign under contention', () => {
  it('lets exactly one of 50 concurrent assigns win; the other 49 get 409 and one event row is written', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const drivers = await Promise.all(Array.from({ length: 5 }, () => newDriver()));
    const job = await newJob(customer);

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api(`/api/v1/jobs/${job.id}/assign`, {
          method: 'POST',
          token,
          json: { driver_id: drivers[i % drivers.length]!.profile_id },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as {
      job?: { driver_id: string };
      error?: { code: string };
    }[];

    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const body of bodies.filter((b) => b.error))
      expect(['invalid_transition', 'version_conflict']).toContain(body.error!.code);

    const winner = bodies.find((b) => b.job)!.job!.driver_id;
    const events = await rows(
      sql`SELECT new_status, count(*)::int AS n FROM job_status_events WHERE job_id = ${job.id} GROUP BY new_status ORDER BY new_status`,
    );
    expect(events).toEqual([
      { new_status: 'assigned', n: 1 },
      { new_status: 'pending', n: 1 },
    ]);
    const row = await rows(sql`SELECT status, driver_id, version FROM jobs WHERE id = ${job.id}`);
    expect(row).toEqual([{ status: 'assigned', driver_id: winner, version: job.version + 1 }]);
  });

  it('gives 20 jobs to one driver at once: every assign succeeds, one history row each', async () => {
    const token = await admin();
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    const jobs = await Promise.all(Array.from({ length: 20 }, () => newJob(customer)));

    // Each assignment's job row points at the driver (a foreign-key share lock on the
    // driver's row) before its driver status is derived: they must queue, not deadlock.
    const responses = await Promise.all(
      jobs.map((job) =>
        api(`/api/v1/jobs/${job.id}/assign`, { method: 'POST', token, json: { driver_id: driver.profile_id } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(jobs.map(() => 200));
    expect(
      await rows(
        sql`SELECT count(*)::int AS n FROM jobs WHERE driver_id = ${driver.profile_id} AND status = 'assigned'`,
      ),
    ).toEqual([{ n: 20 }]);
    expect(
      await rows(
        sql`SELECT count(*)::int AS n FROM job_status_events e JOIN jobs j ON j.id = e.job_id WHERE j.driver_id = ${driver.profile_id} AND e.new_status = 'assigned'`,
      ),
    ).toEqual([{ n: 20 }]);
  });
});
