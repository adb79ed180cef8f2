import { describe, expect, it } from 'vitest';
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import * as t from '../../db/schema';
import worker from '../../worker/index';
import { cleanupStaleDrivers } from '../../worker/cron/stale-drivers';
import { dispatchStub } from '../../worker/realtime';
import { cronSchedule } from '../../worker/cron/schedule';
import { admin, jobAt, newCustomer, newDriver, newJob, walkJob } from './fixtures';
import { connect } from './helpers';
import { flushLocations } from './realtime-fixtures';
import { db, notificationsFor, waitFor } from './background-fixtures';
import { emailsTo } from './stand-in';

/** Fires a Cron Trigger through the Worker's own `scheduled` handler and waits for it. */
async function trigger(cron: string, scheduledTime = Date.now()): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime }), env, ctx);
  await waitOnExecutionContext(ctx);
}

async function cronRun(name: string) {
  const [row] = await db((d) => d.select().from(t.cron_runs).where(eq(t.cron_runs.name, name)));
  return row;
}

/** Writes without firing triggers — here, to put `updated_at` in the past. */
async function backdate(query: ReturnType<typeof sql>): Promise<void> {
  await db((d) =>
    d.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL session_replication_role = replica`);
      await tx.execute(query);
    }),
  );
}

/** A driver's phone sends one fix, now, has it acknowledged and goes quiet. */
async function oneFixThenQuiet(token: string, lat: number, lng: number, client_event_id: string): Promise<void> {
  const phone = await connect(token);
  phone.send({ type: 'location_ping', payload: { lat, lng, recorded_at: new Date().toISOString(), client_event_id } });
  await phone.next((m) => m.type === 'ack');
  phone.close();
}

/** A time today at `minute` past some hour, in the past. */
function atMinute(minute: number): number {
  return Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000 + minute * 60_000;
}

/** One schedule object of its own per test (the Worker's is `default`). */
function scheduleNamed(name: string) {
  return env.CRON_SCHEDULE.get(env.CRON_SCHEDULE.idFromName(name));
}

describe('the cron schedule: the database sleeps while the idle crons have nothing to do', () => {
  it('is due until a check reports; then only when its time comes or someone expects work', async () => {
    const s = scheduleNamed(`fresh-${crypto.randomUUID()}`);
    expect(await s.due('outbox_sweep')).toBe(true); // never reported: due
    await s.ran('outbox_sweep', null);
    expect(await s.due('outbox_sweep')).toBe(false);
    expect(await s.due('stale_drivers')).toBe(true); // each task on its own

    await s.expect('outbox_sweep', Date.now() + 60_000);
    expect(await s.due('outbox_sweep')).toBe(false); // not yet
    await s.expect('outbox_sweep', Date.now() - 1);
    expect(await s.due('outbox_sweep')).toBe(true);
    await s.ran('outbox_sweep', Date.now() + 3_600_000);
    // Both expectations arrived moments before the check started, so its read may have
    // missed their rows: the earliest keeps its time.
    expect(await s.due('outbox_sweep')).toBe(true);
  });

  it('refuses a time that is not one and stays as it was', async () => {
    const s = scheduleNamed(`bad-${crypto.randomUUID()}`);
    await s.due('outbox_sweep');
    await s.ran('outbox_sweep', null);
    expect(await s.expect('outbox_sweep', Number.NaN)).toBe(false);
    expect(await s.due('outbox_sweep')).toBe(false);
  });

  it('runs anyway on the hour, and a check that fails stays due', async () => {
    const s = scheduleNamed(`hour-${crypto.randomUUID()}`);
    await s.due('stale_drivers');
    await s.ran('stale_drivers', Date.now() + 3_600_000);
    expect(await s.due('stale_drivers')).toBe(false);
    expect(await s.due('stale_drivers', true)).toBe(true);
    // No `ran`: the check failed. Its time has not moved, and the hour still catches it.
    expect(await s.due('stale_drivers')).toBe(false);
    expect(await s.due('stale_drivers', true)).toBe(true);
  });

  it('keeps the database asleep between the hours, and sweeps as soon as a write expects work', async () => {
    const schedule = cronSchedule(env);
    const quiet = atMinute(7);
    // A check that found nothing pending for the next hour.
    await schedule.due('outbox_sweep', true);
    await runInDurableObject(schedule, async (_o, state) => {
      for (const task of ['outbox_sweep', 'stale_drivers'])
        await state.storage.put(task, { next_ms: Date.now() + 3_600_000, started_ms: null, wakes: [] });
    });
    const before = (await cronRun('outbox_sweep'))?.last_started_at ?? null;
    await trigger('* * * * *', quiet);
    expect((await cronRun('outbox_sweep'))?.last_started_at ?? null).toEqual(before);

    // A driver takes a customer's job: its notifications are written, and the outbox tells
    // the schedule.
    const customer = await newCustomer({ preferred_contact: 'email' });
    const driver = await newDriver();
    const job = await newJob(customer);
    const asked = Date.now();
    await walkJob(job.id, driver, 'en_route');
    await waitFor(() => notificationsFor({ job_id: job.id }).then((rows) => rows.length > 0), {
      what: 'the job’s notifications',
    });
    const state = await waitFor(
      () =>
        runInDurableObject(schedule, async (_o, st) => {
          const v = await st.storage.get<{ next_ms: number | null }>('outbox_sweep');
          return v && v.next_ms !== null && v.next_ms <= Date.now() + 2 * 60_000 ? v : undefined;
        }),
      { what: 'the outbox to tell the schedule' },
    );
    expect(state.next_ms).toBeGreaterThan(asked); // rows just written are not stuck yet
    // The driver is on shift now, so the stale-driver check is due.
    const drivers = await runInDurableObject(schedule, (_o, st) =>
      st.storage.get<{ next_ms: number | null }>('stale_drivers'),
    );
    expect(drivers!.next_ms).toBeLessThanOrEqual(Date.now());

    // Its time come, the next tick sweeps.
    await runInDurableObject(schedule, (_o, st) => st.storage.put('outbox_sweep', { ...state, next_ms: Date.now() }));
    await trigger('* * * * *', quiet);
    const ran = await cronRun('outbox_sweep');
    expect(ran?.last_status).toBe('ok');
    expect(Date.parse(String(ran!.last_started_at))).toBeGreaterThanOrEqual(asked - 5_000);
  });
});

describe('outbox sweep (when work is expected, and on the hour)', () => {
  it('sends a notification whose commit was never followed by an enqueue on the hour, and records the run', async () => {
    const customer = await newCustomer({ preferred_contact: 'email' });
    const key = `test:lost:${customer.user_id}`;
    // As if the Worker died right after committing: a queued row, no queue message.
    await db((d) =>
      d.execute(sql`
        INSERT INTO notification_log (user_id, kind, channel, recipient, subject, body, idempotency_key, created_at, updated_at)
        VALUES (${customer.user_id}, 'test_lost', 'email', ${customer.email}, 'Still here', 'Sent by the sweep', ${key}, now() - interval '5 minutes', now() - interval '5 minutes')`),
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect((await notificationsFor({ user_id: customer.user_id, kind: 'test_lost' }))[0]?.status).toBe('queued');

    // Its writer died before telling anyone, so the hourly run is what finds it.
    await trigger('* * * * *', atMinute(60));
    expect(await cronRun('outbox_sweep')).toMatchObject({ last_status: 'ok', last_error: null });
    const row = await waitFor(
      async () =>
        (await notificationsFor({ user_id: customer.user_id, kind: 'test_lost' })).find((r) => r.status === 'sent'),
      { what: 'the swept row to be sent' },
    );
    expect(row.attempts).toBe(1);
    expect((await emailsTo(customer.email)).filter((m) => m.subject === 'Still here')).toHaveLength(1);
  });

  it('leaves fresh rows and rows held for quiet hours alone', async () => {
    const customer = await newCustomer();
    await db((d) =>
      d.execute(sql`
        INSERT INTO notification_log (user_id, kind, channel, recipient, body, idempotency_key, send_after, created_at, updated_at)
        VALUES (${customer.user_id}, 'test_held', 'sms', ${customer.phone}, 'later', ${`test:held:${customer.user_id}`}, now() + interval '3 hours', now() - interval '1 hour', now() - interval '1 hour'),
               (${customer.user_id}, 'test_fresh', 'sms', ${customer.phone}, 'now', ${`test:fresh:${customer.user_id}`}, NULL, now(), now())`),
    );
    const { stuckNotifications } = await import('../../worker/cron/outbox-sweep');
    const stuck = await db((d) => stuckNotifications(d));
    const mine = await notificationsFor({ user_id: customer.user_id });
    expect(stuck.filter((s) => mine.some((m) => m.id === s.id))).toEqual([]);
  });
});

describe('stale drivers (every 5 minutes)', () => {
  it('takes a silent driver offline, clears their location, forgets them in Dispatch and tells the admins', async () => {
    const silent = await newDriver({ full_name: 'Silent Sam' });
    const active = await newDriver({ full_name: 'Active Alex' });
    // The silent driver's phone sent one fix, then nothing.
    await oneFixThenQuiet(silent.token, 43.21, -71.53, `stale-${silent.profile_id.slice(0, 8)}`);
    expect((await dispatchStub(env).fleet()).some((f) => f.driver_id === silent.profile_id)).toBe(true);
    await backdate(sql`
      UPDATE driver_profiles SET updated_at = now() - interval '1 hour', location_updated_at = now() - interval '1 hour',
        current_location = ST_SetSRID(ST_MakePoint(-71.53, 43.21), 4326)::geography
      WHERE id = ${silent.profile_id}`);

    const board = await connect(await admin());
    const { stale } = await cleanupStaleDrivers(env, { onlyDrivers: [silent.profile_id, active.profile_id] });
    expect(stale).toEqual([{ id: silent.profile_id, previous_status: 'available' }]);
    const msg = await board.next((m) => m.type === 'driver_status_change' && m.payload.driver_id === silent.profile_id);
    expect(msg.payload.status).toBe('offline');
    board.close();

    const rows = await db((d) =>
      d
        .select({ id: t.driver_profiles.id, status: t.driver_profiles.status, loc: t.driver_profiles.current_location })
        .from(t.driver_profiles)
        .where(sql`${t.driver_profiles.id} IN (${silent.profile_id}, ${active.profile_id})`),
    );
    expect(rows.find((r) => r.id === silent.profile_id)).toMatchObject({ status: 'offline', loc: null });
    expect(rows.find((r) => r.id === active.profile_id)).toMatchObject({ status: 'available' });
    expect((await dispatchStub(env).fleet()).some((f) => f.driver_id === silent.profile_id)).toBe(false);
  });
});

describe('stale drivers: the */5 tick through scheduled()', () => {
  it('takes a driver silent past the limit at the tick’s time offline, clears their live location, and leaves one heard from within it', async () => {
    // The tick judges silence as of its scheduled time. A tick dated 2000-01-01 sweeps only
    // drivers last heard from before then — the two made here — never other files' drivers.
    const [minutes] = (
      await db((d) =>
        d.execute<{ m: number }>(
          sql`SELECT coalesce((SELECT stale_driver_minutes FROM operator_settings LIMIT 1), 10) AS m`,
        ),
      )
    ).rows.map((r) => r.m);
    const tick = Date.parse('2000-01-01T01:00:00Z');
    const silentSince = new Date(tick - (minutes! + 50) * 60_000).toISOString();
    const recentSince = new Date(tick - Math.floor(minutes! / 2) * 60_000).toISOString();
    const silent = await newDriver({ full_name: 'Silent Sal' });
    const recent = await newDriver({ full_name: 'Recent Rae' });

    // One fix from the silent driver's phone, written through to Postgres, then nothing.
    await oneFixThenQuiet(silent.token, 43.22, -71.52, `tick-${silent.profile_id.slice(0, 8)}`);
    await flushLocations();
    await waitFor(
      async () =>
        (
          await db((d) =>
            d
              .select({ at: t.driver_profiles.location_updated_at })
              .from(t.driver_profiles)
              .where(eq(t.driver_profiles.id, silent.profile_id)),
          )
        )[0]?.at,
      { what: 'the live position in Postgres' },
    );
    expect((await dispatchStub(env).fleet()).some((f) => f.driver_id === silent.profile_id)).toBe(true);
    // On break, so no auto-dispatch elsewhere offers them a job meanwhile.
    await backdate(
      sql`UPDATE driver_profiles SET status = 'break', updated_at = ${silentSince}::timestamptz, location_updated_at = ${silentSince}::timestamptz WHERE id = ${silent.profile_id}`,
    );
    await backdate(
      sql`UPDATE driver_profiles SET updated_at = ${recentSince}::timestamptz, current_location = ST_SetSRID(ST_MakePoint(-71.51, 43.23), 4326)::geography WHERE id = ${recent.profile_id}`,
    );

    await trigger('*/5 * * * *', tick);
    expect(await cronRun('stale_drivers')).toMatchObject({ last_status: 'ok', last_error: null });

    const after = await db((d) =>
      d
        .select({ id: t.driver_profiles.id, status: t.driver_profiles.status, loc: t.driver_profiles.current_location })
        .from(t.driver_profiles)
        .where(sql`${t.driver_profiles.id} IN (${silent.profile_id}, ${recent.profile_id})`),
    );
    expect(after.find((r) => r.id === silent.profile_id)).toEqual({
      id: silent.profile_id,
      status: 'offline',
      loc: null,
    });
    expect(after.find((r) => r.id === recent.profile_id)).toMatchObject({
      status: 'available',
      loc: { lat: 43.23, lng: -71.51 },
    });
    expect((await dispatchStub(env).fleet()).some((f) => f.driver_id === silent.profile_id)).toBe(false);
    await db((d) =>
      d
        .update(t.driver_profiles)
        .set({ status: 'offline', current_location: null })
        .where(eq(t.driver_profiles.id, recent.profile_id)),
    );
  });
});

describe('daily revenue report (hourly tick, 06:00 operator time)', () => {
  it('emails each admin yesterday’s jobs and money at 06:00 New York time, once', async () => {
    const { driver, job } = await jobAt('completed', {
      customer: { preferred_contact: 'none' },
      driver: { full_name: 'Report Rita' },
    });
    // Move the job to a quiet day of its own: 2024-11-19, 15:00 in New York.
    await db(async (d) => {
      await d
        .update(t.jobs)
        .set({ completed_at: new Date('2024-11-19T20:00:00Z') })
        .where(eq(t.jobs.id, job.id));
      await d.insert(t.payments).values({
        job_id: job.id,
        method: 'cash',
        amount_cents: 8500,
        recorded_by_user_id: driver.user_id,
        recorded_at: new Date('2024-11-19T20:05:00Z'),
      });
    });

    await trigger('0 * * * *', Date.parse('2024-11-20T10:00:00Z')); // 05:00 EST: not yet
    await trigger('0 * * * *', Date.parse('2024-11-20T11:00:00Z')); // 06:00 EST
    await trigger('0 * * * *', Date.parse('2024-11-20T11:00:30Z')); // a repeated tick
    expect(await cronRun('daily_report')).toMatchObject({ last_status: 'ok' });

    const reports = await waitFor(
      async () => {
        const mails = (await emailsTo('admin@demo.test')).filter((m) => m.subject.includes('2024-11-19'));
        return mails.length ? mails : null;
      },
      { what: 'the report email' },
    );
    expect(reports).toHaveLength(1);
    expect(reports[0]!.subject).toBe('Granite State Plowing: daily report for 2024-11-19 — 1 jobs, $85.00');
    expect(reports[0]!.text).toContain('Completed jobs: 1');
    expect(reports[0]!.text).toMatch(/cash\s+\$85\.00/);
    expect(reports[0]!.text).toContain('Report Rita: 1 job, $85.00');
  });
});

describe('partition upkeep (monthly)', () => {
  it('creates the coming months’ GPS-log partitions and drops months past retention', async () => {
    await db((d) =>
      d.execute(
        sql`CREATE TABLE IF NOT EXISTS driver_location_log_y2020m01 PARTITION OF driver_location_log FOR VALUES FROM ('2020-01-01') TO ('2020-02-01')`,
      ),
    );
    await trigger('0 3 1 * *');
    expect(await cronRun('partition_upkeep')).toMatchObject({ last_status: 'ok' });
    const [old] = (
      await db((d) =>
        d.execute<{ t: string | null }>(sql`SELECT to_regclass('driver_location_log_y2020m01')::text AS t`),
      )
    ).rows;
    expect(old!.t).toBeNull();
    const months = [0, 1, 2, 3].map((i) => {
      const d = new Date();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + i);
      return `driver_location_log_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    });
    const found = (
      await db((d) =>
        d.execute<{ t: string | null }>(
          sql`SELECT to_regclass(x)::text AS t FROM unnest(${`{${months.join(',')}}`}::text[]) AS x`,
        ),
      )
    ).rows;
    expect(found.map((r) => r.t)).toEqual(months);
  });
});
