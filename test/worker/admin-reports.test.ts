import { JOB_STATUSES } from '../../contract/enums';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { admin, newCustomer, newDriver, newJob, rows, walkJob, jobAt } from './fixtures';
import { call, expectRefusal } from './helpers';

/**
 * Report tests write into a past month nobody else uses (January 2025), so the numbers
 * they check are exact even though every test file shares one database.
 */

async function backdate(jobId: string, times: { requested_at?: string; completed_at?: string; cancelled_at?: string }) {
  await rows(sql`UPDATE jobs SET requested_at = coalesce(${times.requested_at ?? null}::timestamptz, requested_at),
    completed_at = coalesce(${times.completed_at ?? null}::timestamptz, completed_at),
    cancelled_at = coalesce(${times.cancelled_at ?? null}::timestamptz, cancelled_at) WHERE id = ${jobId}`);
}

describe('GET /api/v1/admin/reports/jobs', () => {
  it('counts jobs per local day in the operator time zone, zero-filling quiet days', async () => {
    const [token, customer, driver] = await Promise.all([admin(), newCustomer(), newDriver()]);
    const late = await newJob(customer);
    const done = await newJob(customer);
    const gone = await newJob(customer);
    await walkJob(done.id, driver, 'completed');
    await call('DELETE', `/api/v1/jobs/${gone.id}`, token, {});
    // 04:30 UTC on the 15th is 23:30 on the 14th in New York.
    await backdate(late.id, { requested_at: '2025-01-15T04:30:00Z' });
    await backdate(done.id, { requested_at: '2025-01-15T15:00:00Z', completed_at: '2025-01-15T18:00:00Z' });
    await backdate(gone.id, { requested_at: '2025-01-16T12:00:00Z', cancelled_at: '2025-01-16T13:00:00Z' });

    const res = await call('GET', '/api/v1/admin/reports/jobs?from=2025-01-13&to=2025-01-16', token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ timezone: 'America/New_York', from: '2025-01-13', to: '2025-01-16' });
    expect(res.body.days).toEqual([
      { day: '2025-01-13', requested: 0, completed: 0, cancelled: 0, completed_value_cents: 0 },
      { day: '2025-01-14', requested: 1, completed: 0, cancelled: 0, completed_value_cents: 0 },
      { day: '2025-01-15', requested: 1, completed: 1, cancelled: 0, completed_value_cents: 8500 },
      { day: '2025-01-16', requested: 1, completed: 0, cancelled: 1, completed_value_cents: 0 },
    ]);
    expect(res.body.totals).toEqual({ requested: 3, completed: 1, cancelled: 1, completed_value_cents: 8500 });
  });

  it('defaults to the last 30 days and refuses bad ranges', async () => {
    const token = await admin();
    const path = '/api/v1/admin/reports/jobs';
    const res = await call('GET', path, token);
    expect(res.body.days).toHaveLength(30);
    const badRanges = [
      'from=2025-02-30',
      'from=2025-03-01&to=2025-02-01',
      'from=2020-01-01&to=2025-01-01',
      'from=yesterday',
    ];
    for (const range of badRanges) await expectRefusal(400, 'validation_failed', 'GET', `${path}?${range}`, token);
    const driver = await newDriver({ status: 'offline' });
    await expectRefusal(403, 'forbidden', 'GET', path, driver.token);
  });
});

describe('GET /api/v1/admin/reports/revenue', () => {
  it('sums payments, refunds and invoices per local day and by method', async () => {
    const token = await admin();
    const { driver, job } = await jobAt('completed');
    const [invoice] = await rows(sql`SELECT id FROM invoices WHERE job_id = ${job.id}`);
    await rows(sql`INSERT INTO payments (job_id, invoice_id, method, amount_cents, recorded_by_user_id, recorded_at) VALUES
      (${job.id}, ${invoice!.id}, 'cash', 5000, ${driver.user_id}, '2025-01-21T02:00:00Z'),
      (${job.id}, ${invoice!.id}, 'venmo', 3500, ${driver.user_id}, '2025-01-21T15:00:00Z')`);
    await rows(
      sql`UPDATE invoices SET created_at = '2025-01-20T16:00:00Z', status = 'paid', paid_at = '2025-01-21T15:00:00Z' WHERE id = ${invoice!.id}`,
    );
    const refund = await call('POST', `/api/v1/invoices/${invoice!.id}/refund`, token, { amount_cents: 1000 });
    expect(refund.status).toBe(200);
    await rows(sql`UPDATE invoices SET refunded_at = '2025-01-22T15:00:00Z' WHERE id = ${invoice!.id}`);

    const res = await call('GET', '/api/v1/admin/reports/revenue?from=2025-01-20&to=2025-01-22', token);
    expect(res.status).toBe(200);
    expect(res.body.days).toEqual([
      // 02:00 UTC on the 21st is the evening of the 20th in New York.
      {
        day: '2025-01-20',
        collected_cents: 5000,
        refunds_cents: 0,
        net_cents: 5000,
        payments: 1,
        invoiced_cents: 8500,
        tax_cents: 0,
      },
      {
        day: '2025-01-21',
        collected_cents: 3500,
        refunds_cents: 0,
        net_cents: 3500,
        payments: 1,
        invoiced_cents: 0,
        tax_cents: 0,
      },
      {
        day: '2025-01-22',
        collected_cents: 0,
        refunds_cents: 1000,
        net_cents: -1000,
        payments: 0,
        invoiced_cents: 0,
        tax_cents: 0,
      },
    ]);
    expect(res.body.totals).toEqual({
      collected_cents: 8500,
      refunds_cents: 1000,
      net_cents: 7500,
      payments: 2,
      invoiced_cents: 8500,
      tax_cents: 0,
    });
    expect(res.body.by_method).toEqual({ cash: 5000, venmo: 3500 });
  });
});

describe('GET /api/v1/admin/dashboard', () => {
  it('counts jobs by status, drivers on shift, the waitlist and today’s takings', async () => {
    const token = await admin();
    const before = (await call('GET', '/api/v1/admin/dashboard', token)).body;
    expect(Object.keys(before.jobs_by_status)).toEqual([...JOB_STATUSES]);
    const { driver, job } = await jobAt('completed');
    await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, {
      method: 'cash',
      amount_cents: 8500,
    });
    const after = (await call('GET', '/api/v1/admin/dashboard', token)).body;
    expect(after.jobs_by_status.completed).toBeGreaterThanOrEqual(before.jobs_by_status.completed + 1);
    expect(after.today_revenue_cents).toBeGreaterThanOrEqual(before.today_revenue_cents + 8500);
    expect(after.today_jobs.completed).toBeGreaterThanOrEqual(before.today_jobs.completed + 1);
    expect(after.active_drivers).toBe(
      after.drivers_by_status.available + after.drivers_by_status.en_route + after.drivers_by_status.on_job,
    );
    expect(typeof after.waitlist_size).toBe('number');
    expect(after.timezone).toBe('America/New_York');
  });
});

describe('GET /api/v1/admin/board', () => {
  it('gives every status a column with count and price sum; open cards most urgent first, capped per column', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const soon = new Date(Date.now() - 3_600_000).toISOString(); // overdue: most urgent
    const later = await newJob(customer, { scheduled_for: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    const overdue = await newJob(customer, { scheduled_for: soon });
    const board = await call('GET', '/api/v1/admin/board?per_column=200', token);
    expect(board.status).toBe(200);
    expect(board.body.columns.map((c: { status: string }) => c.status)).toEqual([...JOB_STATUSES]);
    const pending = board.body.columns[0];
    const ids = pending.cards.map((c: { id: string }) => c.id);
    expect(ids.indexOf(overdue.id)).toBeLessThan(ids.indexOf(later.id));
    expect(pending.count).toBe(pending.cards.length);
    expect(pending.total_price_cents).toBe(
      pending.cards.reduce((s: number, c: { price_cents: number }) => s + c.price_cents, 0),
    );
    expect(pending.cards.find((c: { id: string }) => c.id === later.id)).toMatchObject({
      customer_name: customer.full_name,
      price_cents: 8500,
      allowed_next: ['assigned', 'cancelled'],
      driver_name: null,
    });

    const capped = await call('GET', '/api/v1/admin/board?per_column=1', token);
    expect(capped.body.columns[0]).toMatchObject({ truncated: true, count: pending.count });
    expect(capped.body.columns[0].cards).toHaveLength(1);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/admin/board?per_column=0', token);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/admin/board?day=today', token);
  });

  it('shows a finished column for the chosen local day only', async () => {
    const token = await admin();
    const customer = await newCustomer();
    const job = await newJob(customer);
    await call('DELETE', `/api/v1/jobs/${job.id}`, token, { reason: 'test' });
    await backdate(job.id, { cancelled_at: '2025-01-10T17:00:00Z' });
    const thatDay = await call('GET', '/api/v1/admin/board?day=2025-01-10', token);
    const cancelled = thatDay.body.columns.find((c: { status: string }) => c.status === 'cancelled');
    expect(cancelled.cards.map((c: { id: string }) => c.id)).toContain(job.id);
    const otherDay = await call('GET', '/api/v1/admin/board?day=2025-01-11', token);
    expect(
      otherDay.body.columns
        .find((c: { status: string }) => c.status === 'cancelled')
        .cards.map((c: { id: string }) => c.id),
    ).not.toContain(job.id);
  });
});

describe('GET /api/v1/admin/customers', () => {
  it('searches customers and shows their activity counts, newest first with a cursor', async () => {
    const token = await admin();
    const customer = await newCustomer();
    await newJob(customer);
    const found = await call('GET', `/api/v1/admin/customers?q=${encodeURIComponent(customer.email)}`, token);
    expect(found.status).toBe(200);
    expect(found.body.customers).toEqual([
      expect.objectContaining({
        id: customer.profile_id,
        email: customer.email,
        jobs_count: 1,
        open_jobs_count: 1,
        locations_count: 1,
      }),
    ]);
    const first = await call('GET', '/api/v1/admin/customers?limit=2', token);
    expect(first.body.customers).toHaveLength(2);
    const second = await call(
      'GET',
      `/api/v1/admin/customers?limit=2&cursor=${encodeURIComponent(first.body.next_cursor)}`,
      token,
    );
    expect(second.body.customers[0].id).not.toBe(first.body.customers[0].id);
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/admin/customers', customer.token);
  });
});
