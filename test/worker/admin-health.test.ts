import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { AdminHealth } from '../../contract/health';
import journal from '../../migrations/meta/_journal.json';
import pkg from '../../package.json';
import worker from '../../worker/index';
import { CRON_TASKS } from '../../worker/cron';
import { cronPeriodMinutes } from '../../worker/services/system-health';
import { admin, newCustomer, newDriver, type Person } from './fixtures';
import { api, expectError, expectRefusal } from './helpers';
import { db } from './background-fixtures';

/**
 * `GET /api/v1/admin/health` against the shared test database: other files run at the same
 * time, so each check creates its own rows and looks for them (or for bounds they force),
 * never for exact totals.
 */

async function health(): Promise<AdminHealth> {
  const res = await api('/api/v1/admin/health', { token: await admin() });
  expect(res.status).toBe(200);
  return AdminHealth.parse(await res.json());
}

const tag = crypto.randomUUID().slice(0, 8);
const mine: string[] = [];
const drivers: Person[] = [];

async function notification(values: {
  status: string;
  attempts?: number;
  created_ago?: string;
  send_after_in?: string;
  kind: string;
}): Promise<string> {
  const created = values.created_ago ? sql`now() - ${values.created_ago}::interval` : sql`now()`;
  const sendAfter = values.send_after_in ? sql`now() + ${values.send_after_in}::interval` : sql`NULL`;
  const key = `test:health:${tag}:${mine.length}`;
  const [row] = await db(
    async (d) =>
      (
        await d.execute<{ id: string }>(sql`
        INSERT INTO notification_log (kind, channel, recipient, body, status, attempts, last_error, idempotency_key, send_after, created_at)
        VALUES (${values.kind}, 'email', ${`health-${tag}@example.test`}, 'health probe', ${values.status}, ${values.attempts ?? 0},
                ${values.attempts ? 'HTTP 503 from provider' : null}, ${key}, ${sendAfter}, ${created})
        RETURNING id`)
      ).rows,
  );
  mine.push(row!.id);
  return row!.id;
}

afterAll(async () => {
  // Leave nothing for the outbox sweep or the dispatch tests to trip over.
  if (mine.length)
    await db((d) =>
      d.execute(
        sql`DELETE FROM notification_log WHERE id IN (${sql.join(
          mine.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      ),
    );
  if (drivers.length)
    await db((d) =>
      d.execute(
        sql`UPDATE driver_profiles SET status = 'offline' WHERE id IN (${sql.join(
          drivers.map((x) => sql`${x.profile_id}::uuid`),
          sql`, `,
        )})`,
      ),
    );
});

describe('GET /api/v1/admin/health', () => {
  it('is for admins only', async () => {
    const customer = await newCustomer();
    const driver = await newDriver({ full_name: 'Health Check Driver' });
    drivers.push(driver);
    await expectError(await api('/api/v1/admin/health'), 401);
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/admin/health', customer.token);
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/admin/health', driver.token);
  });

  it('reports the app, a database that answers with its latency, and current migrations', async () => {
    const h = await health();
    // Only with a [version_metadata] binding in wrangler.toml does the deployed version show.
    const versioned = 'CF_VERSION_METADATA' in env;
    expect(h.app).toMatchObject({
      env: 'test',
      version: pkg.version,
      deployment: versioned ? { id: expect.any(String) } : null,
    });
    expect(h.database.ok).toBe(true);
    for (const ms of [h.database.connect_ms, h.database.ping_ms, h.database.query_ms])
      expect(ms).toBeGreaterThanOrEqual(0);
    expect(h.migrations).toEqual({
      expected: journal.entries.at(-1)!.tag,
      applied: journal.entries.at(-1)!.tag,
      current: true,
    });
    expect(h.concerns).not.toContain('migrations_pending');
    expect(Date.now() - Date.parse(h.checked_at)).toBeLessThan(60_000);
  });

  it('counts queued, retrying and held notifications and the age of the oldest due one', async () => {
    await notification({ status: 'queued', kind: 'test_health_queued', created_ago: '30 days' });
    await notification({ status: 'queued', kind: 'test_health_retrying', attempts: 2, created_ago: '1 hour' });
    await notification({ status: 'queued', kind: 'test_health_held', send_after_in: '3 hours' });
    const h = await health();
    expect(h.notifications!.queued).toBeGreaterThanOrEqual(1);
    expect(h.notifications!.retrying).toBeGreaterThanOrEqual(1);
    expect(h.notifications!.held).toBeGreaterThanOrEqual(1);
    expect(h.notifications!.oldest_age_seconds).toBeGreaterThanOrEqual(30 * 86_400 - 60);
    expect(Date.now() - Date.parse(h.notifications!.oldest_due_at!)).toBeGreaterThanOrEqual(30 * 86_400_000 - 60_000);
    expect(h.concerns).toContain('notification_backlog');
    expect(h.status).toBe('degraded');
  });

  it('shows a notification the dead-letter queue gave up on', async () => {
    const before = (await health()).dead_letters!;
    // The state after the last failed retry: the row is `failed` and its message reaches the DLQ consumer.
    const id = await notification({ status: 'failed', kind: 'test_health_dead', attempts: 6 });
    const batch = createMessageBatch('plowdispatch-notifications-dlq', [
      { id: `dlq-${tag}`, timestamp: new Date(), attempts: 1, body: { id } },
    ]);
    await worker.queue(batch, env);

    const after = (await health()).dead_letters!;
    expect(after.count).toBeGreaterThanOrEqual(before.count + 1);
    expect(after.last_24h).toBeGreaterThanOrEqual(1);
    expect(after.recent.length).toBeLessThanOrEqual(5);
    expect(after.recent.find((r) => r.id === id)).toMatchObject({
      kind: 'test_health_dead',
      channel: 'email',
      attempts: 6,
      last_error: expect.stringContaining('dead-lettered'),
    });
    expect((await health()).concerns).toContain('dead_letters');
  });

  it('shows the last run of every cron, including one just run', async () => {
    const started = Date.now();
    const ctx = createExecutionContext();
    // On the hour: the sweep runs then whether or not work is expected (worker/cron.ts).
    const onTheHour = Math.floor(started / 3_600_000) * 3_600_000;
    await worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: onTheHour }), env, ctx);
    await waitOnExecutionContext(ctx);

    const h = await health();
    expect(h.crons!.map((c) => c.name).sort()).toEqual(
      Object.values(CRON_TASKS)
        .map((t) => t.name)
        .sort(),
    );
    const sweep = h.crons!.find((c) => c.name === 'outbox_sweep')!;
    expect(sweep).toMatchObject({ schedule: '* * * * *', last_status: 'ok', last_error: null, overdue: false });
    expect(Date.parse(sweep.last_started_at!)).toBeGreaterThanOrEqual(started - 5_000);
    expect(Date.parse(sweep.last_finished_at!)).toBeGreaterThanOrEqual(Date.parse(sweep.last_started_at!));
  });

  it('lists a driver on shift without GPS for longer than the stale threshold, and not one with a fresh fix', async () => {
    const silent = await newDriver({ full_name: 'Silent Sally' });
    const fresh = await newDriver({ full_name: 'Fresh Fran' });
    drivers.push(silent, fresh);
    await db((d) =>
      d.execute(sql`
        UPDATE driver_profiles SET location_updated_at = CASE WHEN id = ${silent.profile_id}::uuid THEN now() - interval '40 days' ELSE now() END
        WHERE id IN (${silent.profile_id}::uuid, ${fresh.profile_id}::uuid)`),
    );
    const h = await health();
    expect(h.stale_drivers!.threshold_minutes).toBeGreaterThanOrEqual(1);
    const listed = h.stale_drivers!.drivers;
    expect(listed.find((x) => x.id === silent.profile_id)).toMatchObject({
      full_name: 'Silent Sally',
      status: 'available',
      silent_minutes: expect.any(Number),
    });
    expect(listed.find((x) => x.id === silent.profile_id)!.silent_minutes).toBeGreaterThanOrEqual(40 * 24 * 60 - 1);
    expect(listed.some((x) => x.id === fresh.profile_id)).toBe(false);
    expect(h.concerns).toContain('stale_drivers');
  });

  it('measures how far the GPS log trails a driver’s live position', async () => {
    const driver = await newDriver({ full_name: 'Lagging Lou' });
    drivers.push(driver);
    await db(async (d) => {
      await d.execute(
        sql`UPDATE driver_profiles SET location_updated_at = now() WHERE id = ${driver.profile_id}::uuid`,
      );
      // The newest logged fix is two days older than the live one: the log consumer is behind.
      await d.execute(sql`
        INSERT INTO driver_location_log (driver_id, coordinates, recorded_at, received_at)
        VALUES (${driver.profile_id}::uuid, ST_SetSRID(ST_MakePoint(-71.54, 43.2), 4326)::geography, now() - interval '2 days', now() - interval '2 days')`);
    });
    const h = await health();
    expect(h.gps_log!.on_shift).toBeGreaterThanOrEqual(1);
    expect(h.gps_log!.max_lag_seconds).toBeGreaterThanOrEqual(2 * 86_400 - 5);
    const lou = h.gps_log!.lagging.find((x) => x.driver_id === driver.profile_id);
    expect(lou?.lag_seconds).toBeGreaterThanOrEqual(2 * 86_400 - 5);
    expect(lou?.lag_seconds).toBeLessThanOrEqual(2 * 86_400 + 60);
    expect(h.concerns).toContain('gps_log_lag');
  });
});

describe('cronPeriodMinutes', () => {
  it('reads the periods of the expressions wrangler.toml uses', () => {
    expect(['* * * * *', '*/5 * * * *', '0 * * * *', '30 6 * * *', '0 3 1 * *'].map(cronPeriodMinutes)).toEqual([
      1, 5, 60, 1440, 44_640,
    ]);
    expect(cronPeriodMinutes('0 9 * * 1')).toBeNull();
    expect(Object.keys(CRON_TASKS).every((expr) => cronPeriodMinutes(expr) !== null)).toBe(true);
  });
});

beforeAll(async () => {
  await admin();
});
