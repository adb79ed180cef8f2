import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import worker from '../../worker/index';
import { newAdmin, newContract, newCustomer, newDriver, type Person, rows, uniq, walkJob } from './fixtures';
import { api, call, expectError, expectRefusal } from './helpers';
import { waitFor } from './background-fixtures';
import { emailsTo } from './stand-in';
import { stormEvidenceSuite } from './storm-evidence.suite';
import { stormRoutesSuite } from './storm-routes.suite';

/**
 * A winter of its own (2024–25), so the storms here see only this file's contracts — not the
 * demo season's nor the contract tests' — and deadlines in January 2025 are long past.
 */
const SEASON = { season_start: '2024-11-01', season_end: '2025-04-30' };
const BANDS = [
  { from_in: 2, to_in: 4, price_cents: 4500 },
  { from_in: 4, to_in: 8, price_cents: 6500 },
  { from_in: 8, to_in: null, price_cents: 9500 },
];

/** Starts 22:00 New York time on Jan 9; the snow stops at 04:00 on Jan 10 (09:00 UTC). */
const STORM_START = '2025-01-10T03:00:00.000Z';
const SNOW_END = '2025-01-10T09:00:00.000Z';

type Contract = Record<string, any>;
let staff: Person;
let storm: { id: string; name: string };
let c: Record<'perPush' | 'perInch' | 'seasonal' | 'deep' | 'unaccepted' | 'paused' | 'offSeason', Contract>;
let ours: string[];
let people: (Person & { location_id: string | null })[];
const customerOf = (profileId: string) => people.find((p) => p.profile_id === profileId)!;

/** This file's contracts' jobs in a storm, by contract id. */
async function stormJobs(stormId: string) {
  const list = await rows<{ id: string; contract_id: string; status: string; quoted_price_cents: number }>(
    sql`SELECT * FROM jobs WHERE storm_id = ${stormId} ORDER BY created_at`,
  );
  return list.filter((j) => ours.includes(j.contract_id));
}

async function runCron(cron: string, at: string): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.parse(at) }), env, ctx);
  await waitOnExecutionContext(ctx);
}

beforeAll(async () => {
  staff = await newAdmin();
  // Only the seasonal customer takes email (their installment invoices are announced).
  const customers = await Promise.all(
    Array.from({ length: 7 }, (_, i) => newCustomer({ preferred_contact: i === 2 ? 'email' : 'none' })),
  );
  people = customers;
  const [a, b, s, d, e, f, g] = customers as [
    Person & { location_id: string },
    ...(Person & { location_id: string })[],
  ];
  c = {
    perPush: await newContract(a, { ...SEASON, driver_notes: 'Gate code 1234' }),
    perInch: await newContract(b!, {
      ...SEASON,
      kind: 'per_inch',
      per_push_price_cents: null,
      per_inch_bands: BANDS,
      sla_kind: 'open_by',
      sla_open_by: '06:00',
      service_type: 'commercial',
    }),
    seasonal: await newContract(s!, {
      ...SEASON,
      kind: 'seasonal',
      per_push_price_cents: null,
      seasonal_price_cents: 900_00,
      installment_count: 3,
      trigger_depth_in: 4,
      sla_within_hours: 12,
    }),
    deep: await newContract(d!, { ...SEASON, per_push_price_cents: 5000, trigger_depth_in: 6 }),
    unaccepted: await newContract(e!, {
      ...SEASON,
      kind: 'seasonal',
      per_push_price_cents: null,
      seasonal_price_cents: 500_00,
      installment_count: 2,
      trigger_depth_in: 1,
      accepted_by_phone: false,
    }),
    paused: await newContract(f!, { ...SEASON, trigger_depth_in: 1, status: 'paused' }),
    offSeason: await newContract(g!, { season_start: '2025-11-01', season_end: '2026-04-30', trigger_depth_in: 1 }),
  };
  ours = Object.values(c).map((x) => x.id);
}, 120_000);

afterAll(async () => {
  // One storm may be open at a time: leave none behind for a later run on the same database.
  if (storm) await call('POST', `/api/v1/admin/storms/${storm.id}/close`, staff.token);
});

// First, while no storm of this file is open (one storm at a time).
stormRoutesSuite();
stormEvidenceSuite();

describe('POST /api/v1/admin/storms', () => {
  it('refuses a depth in tenths, a negative depth and a snow end before the start, declaring nothing', async () => {
    const before = await rows(sql`SELECT count(*)::int AS n FROM storms`);
    for (const bad of [
      { name: 'Bad', started_at: STORM_START, depth_in: 3.3 },
      { name: 'Bad', started_at: STORM_START, depth_in: -1 },
      { name: 'Bad', started_at: 'yesterday', depth_in: 3 },
      { name: 'Bad', started_at: STORM_START, depth_in: 3, snowfall_end_at: '2025-01-09T00:00:00Z' },
    ]) {
      const res = await api('/api/v1/admin/storms', { method: 'POST', token: staff.token, json: bad });
      await expectError(res, 400, 'validation_failed');
    }
    expect(await rows(sql`SELECT count(*)::int AS n FROM storms`)).toEqual(before);
  });

  it('is for admins only (403 for a driver and a customer)', async () => {
    const driver = await newDriver({ status: 'offline' });
    const customer = await newCustomer();
    const json = { name: 'Nope', started_at: STORM_START, depth_in: 3 };
    await expectError(await api('/api/v1/admin/storms', { method: 'POST', token: driver.token, json }), 403);
    await expectError(await api('/api/v1/admin/storms', { method: 'POST', token: customer.token, json }), 403);
  });

  it('makes exactly one job per eligible property, once, when the same declaration arrives 20 times at once', async () => {
    const name = `Storm ${uniq()}`;
    const json = {
      name,
      started_at: STORM_START,
      depth_in: 3,
      snowfall_end_at: SNOW_END,
      client_event_id: `storm-${uniq()}`,
    };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', '/api/v1/admin/storms', staff.token, json)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(19).fill(200), 201]);
    const ids = new Set(answers.map((a) => a.body.storm.id));
    expect(ids.size).toBe(1);
    storm = { id: [...ids][0] as string, name };

    // At 3 in: the per-push (from 2 in) and per-inch (from 2 in) contracts; not the seasonal
    // (4 in) or deep (6 in) ones, nor the unaccepted, paused or out-of-season ones.
    const jobs = await stormJobs(storm.id);
    expect(jobs.map((j) => j.contract_id).sort()).toEqual([c.perPush.id, c.perInch.id].sort());
    const created = answers.flatMap((a) => a.body.created_jobs).filter((j: Contract) => ours.includes(j.contract_id));
    expect(created).toHaveLength(2);

    const perPush = created.find((j: Contract) => j.contract_id === c.perPush.id);
    expect(perPush).toMatchObject({
      status: 'pending',
      storm_id: storm.id,
      quoted_price_cents: 7500,
      pricing_model: 'per_push',
      special_instructions: 'Gate code 1234',
      // Open within 6 hours of the snow ending at 09:00 UTC.
      deadline_at: '2025-01-10T15:00:00.000Z',
      driveway_tier_id: null,
    });
    const perInch = created.find((j: Contract) => j.contract_id === c.perInch.id);
    expect(perInch).toMatchObject({
      quoted_price_cents: 4500,
      service_type: 'commercial',
      // "Open by 06:00": the first 06:00 in New York after the snow stopped at 04:00 local.
      deadline_at: '2025-01-10T11:00:00.000Z',
    });
  });

  it('refuses a second storm while one is open (409 storm_active)', async () => {
    const res = await api('/api/v1/admin/storms', {
      method: 'POST',
      token: staff.token,
      json: { name: 'Another', started_at: STORM_START, depth_in: 10 },
    });
    const body = await expectError(res, 409, 'storm_active');
    expect(body.error.details).toEqual({ storm_id: storm.id });
  });
});

describe('POST /api/v1/admin/storms/:id/depth', () => {
  it('adds only the newly triggered properties, once each, under 20 raises at once', async () => {
    const depths = [4, 8, 5, 6, 3, 7.5, 6.5, 8, 4.5, 5.5, 7, 3.5, 6, 8, 5, 4, 7, 6, 5, 8];
    const answers = await Promise.all(
      depths.map((depth_in) => call('POST', `/api/v1/admin/storms/${storm.id}/depth`, staff.token, { depth_in })),
    );
    for (const a of answers) {
      expect([200, 409]).toContain(a.status);
      if (a.status === 409) expect(a.body.error.code).toBe('depth_not_raised');
    }
    const [row] = await rows<{ depth_in: string }>(sql`SELECT depth_in FROM storms WHERE id = ${storm.id}`);
    expect(Number(row!.depth_in)).toBe(8);

    const jobs = await stormJobs(storm.id);
    expect(jobs.map((j) => j.contract_id).sort()).toEqual(
      [c.perPush.id, c.perInch.id, c.seasonal.id, c.deep.id].sort(),
    );
    const created = answers
      .flatMap((a) => a.body.created_jobs ?? [])
      .filter((j: Contract) => ours.includes(j.contract_id));
    expect(created.map((j: Contract) => j.contract_id).sort()).toEqual([c.seasonal.id, c.deep.id].sort());
    // The open per-inch job follows the depth into the 8+ in band.
    expect(jobs.find((j) => j.contract_id === c.perInch.id)?.quoted_price_cents).toBe(9500);
  });

  it('refuses to lower the depth (409) and changes nothing', async () => {
    const before = await rows(sql`SELECT * FROM storms WHERE id = ${storm.id}`);
    const res = await api(`/api/v1/admin/storms/${storm.id}/depth`, {
      method: 'POST',
      token: staff.token,
      json: { depth_in: 5 },
    });
    const body = await expectError(res, 409, 'depth_not_raised');
    expect(body.error.details).toEqual({ depth_in: 8 });
    expect(await rows(sql`SELECT * FROM storms WHERE id = ${storm.id}`)).toEqual(before);
    await expectRefusal(400, 'validation_failed', 'POST', `/api/v1/admin/storms/${storm.id}/depth`, staff.token, {});
    await expectError(
      await api(`/api/v1/admin/storms/${crypto.randomUUID()}/depth`, {
        method: 'POST',
        token: staff.token,
        json: { depth_in: 9 },
      }),
      404,
    );
  });
});

describe('storm billing', () => {
  it('invoices a per-push job at the contract price and a per-inch job at the band of the storm depth', async () => {
    const jobs = await stormJobs(storm.id);
    const perPush = jobs.find((j) => j.contract_id === c.perPush.id)!;
    const perInch = jobs.find((j) => j.contract_id === c.perInch.id)!;
    const [d1, d2] = await Promise.all([newDriver({ status: 'offline' }), newDriver({ status: 'offline' })]);
    expect((await walkJob(perPush.id, d1, 'completed')).final_price_cents).toBe(7500);
    expect((await walkJob(perInch.id, d2, 'completed')).final_price_cents).toBe(9500);

    const invoices = await rows<{ job_id: string; subtotal_cents: number; notes: string }>(
      sql`SELECT job_id, subtotal_cents, notes FROM invoices WHERE job_id IN (${perPush.id}, ${perInch.id}) AND status <> 'void'`,
    );
    expect(invoices.find((i) => i.job_id === perPush.id)).toMatchObject({
      subtotal_cents: 7500,
      notes: `Storm "${storm.name}": Per-push contract`,
    });
    expect(invoices.find((i) => i.job_id === perInch.id)).toMatchObject({
      subtotal_cents: 9500,
      notes: `Storm "${storm.name}": Per-inch contract, 8+ in band (storm depth 8 in)`,
    });
  });

  it('issues due seasonal installments exactly once, and none for a contract not yet accepted', async () => {
    const issued = (contractId: string) =>
      rows<{ total_cents: number; subtotal_cents: number; due_at: Date; notes: string }>(sql`
        SELECT v.* FROM invoices v JOIN contract_installments i ON i.id = v.contract_installment_id
        WHERE i.contract_id = ${contractId} ORDER BY i.seq`);
    // Mid-December 2024: the November and December installments are due.
    await Promise.all([runCron('1 * * * *', '2024-12-15T17:01:00Z'), runCron('1 * * * *', '2024-12-15T17:01:00Z')]);
    await runCron('1 * * * *', '2024-12-15T18:01:00Z');
    const december = await issued(c.seasonal.id);
    expect(december.map((v) => v.subtotal_cents)).toEqual([30000, 30000]);
    expect(december[0]!.notes).toMatch(/^Seasonal contract, installment 1 of 3 — /);
    expect(await issued(c.unaccepted.id)).toEqual([]);

    // The customer sees it among their invoices; it has no job, so no job address and no PDF.
    const seasonalCustomer = customerOf(c.seasonal.customer_id);
    const mine = await call('GET', '/api/v1/customers/me/invoices', seasonalCustomer.token);
    expect(mine.body.invoices.filter((v: Contract) => v.contract_installment_id)).toHaveLength(2);
    const first = mine.body.invoices.find((v: Contract) => v.contract_installment_id);
    expect(first).toMatchObject({ job_id: null, job_address: null, status: 'sent' });
    await expectRefusal(404, 'no_pdf', 'GET', `/api/v1/invoices/${first.id}/pdf`, seasonalCustomer.token);

    await runCron('1 * * * *', '2025-01-15T17:01:00Z');
    expect((await issued(c.seasonal.id)).map((v) => v.subtotal_cents)).toEqual([30000, 30000, 30000]);
    const told = await rows(
      sql`SELECT * FROM notification_log WHERE kind = 'installment_invoice' AND channel = 'email' AND user_id = (SELECT cp.user_id FROM customer_profiles cp WHERE cp.id = ${c.seasonal.customer_id})`,
    );
    expect(told).toHaveLength(3);
  });
});

describe('POST /api/v1/admin/storms/:id/close and GET …/summary', () => {
  it('cancels the properties nobody reached, reports done / late / skipped, time on site and revenue, and emails the admins once', async () => {
    const jobs = await stormJobs(storm.id);
    const byContract = (id: string) => jobs.find((j) => j.contract_id === id)!.id;
    // On site 30 min, done before its 15:00 deadline; on site 25 min, done after its 11:00 deadline.
    await rows(
      sql`UPDATE jobs SET arrived_at = '2025-01-10T13:00:00Z', completed_at = '2025-01-10T13:30:00Z' WHERE id = ${byContract(c.perPush.id)}`,
    );
    await rows(
      sql`UPDATE jobs SET arrived_at = '2025-01-10T11:20:00Z', completed_at = '2025-01-10T11:45:00Z' WHERE id = ${byContract(c.perInch.id)}`,
    );
    const cancel = await call('DELETE', `/api/v1/jobs/${byContract(c.seasonal.id)}`, staff.token, {
      reason: 'Owner away',
    });
    expect(cancel.status).toBe(200);

    const closed = await call('POST', `/api/v1/admin/storms/${storm.id}/close`, staff.token);
    expect(closed.status).toBe(200);
    expect(closed.body.storm.status).toBe('closed');
    const expected = {
      properties: 4,
      done: 2,
      on_time: 1,
      late: 1,
      skipped: { cancelled: 1, not_reached: 1 },
      open: 0,
      minutes_on_site: 55,
      revenue_cents: 17000,
    };
    expect(closed.body.summary).toMatchObject(expected);
    const deep = closed.body.summary.lines.find((l: Contract) => l.job_id === byContract(c.deep.id));
    expect(deep).toMatchObject({ status: 'cancelled', outcome: 'skipped', skip_reason: 'not_reached' });

    const report = await call('GET', `/api/v1/admin/storms/${storm.id}/summary`, staff.token);
    expect(report.status).toBe(200);
    expect(report.body.summary).toEqual(closed.body.summary);

    const mails = await waitFor(
      async () => {
        const found = (await emailsTo(staff.email)).filter((m) => m.subject.includes(storm.name));
        return found.length ? found : null;
      },
      { what: 'the storm summary email' },
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Granite State Plowing: storm "${storm.name}" closed — 2 of 4 done, $170.00`);
    expect(mails[0]!.text).toContain('Done: 2 (1 on time, 1 late)');
    expect(mails[0]!.text).toContain('Skipped: 2 (1 cancelled, 1 not reached)');
    expect(mails[0]!.text).toContain('Time on site: 0 h 55 min');

    // Closing again answers the same summary and queues no second email.
    const again = await call('POST', `/api/v1/admin/storms/${storm.id}/close`, staff.token);
    expect(again.status).toBe(200);
    expect(again.body.summary).toMatchObject(expected);
    const queued = await rows(
      sql`SELECT id FROM notification_log WHERE idempotency_key = ${`storm_summary:${storm.id}:${staff.user_id}`}`,
    );
    expect(queued).toHaveLength(1);
  });

  it('refuses to raise a closed storm (409) and answers 404 for a storm that does not exist', async () => {
    await expectRefusal(409, 'storm_closed', 'POST', `/api/v1/admin/storms/${storm.id}/depth`, staff.token, {
      depth_in: 12,
    });
    await expectError(await api(`/api/v1/admin/storms/${crypto.randomUUID()}/summary`, { token: staff.token }), 404);
    const list = await call('GET', '/api/v1/admin/storms', staff.token);
    expect(list.body.storms.find((s: Contract) => s.id === storm.id)).toMatchObject({ status: 'closed', done: 2 });
  });
});
