import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startApiApp } from './app';
import { type AppSocket, Clients, sleep } from './cost-clients';
import { findDirectListener } from './direct-port';
import { addUnits, billed, diff, readMeter, scaleUnits, tableBytes, type Units, writeXacts } from './meter';
import type { MeterTally } from './meter-tally';
import { processCpuMs } from './proc-cpu';
import { gpsLogRows } from './fleet-stream';
import { locationPing } from './location-ping';
import { seedFleet } from './seed-fleet';

/** The driver app's GPS cadence while moving (web/src/driver/use-gps-stream.ts MIN_INTERVAL_MS). */
export const PING_EVERY_MS = 5_000;
/** The apps' socket keep-alive (web/src/lib/realtime.ts KEEPALIVE_MS). */
export const KEEPALIVE_MS = 30_000;
/** Access tokens live 15 minutes (worker/auth/tokens.ts): each app refreshes, and its socket reconnects, 4 times an hour. */
export const TOKEN_RENEWALS_PER_HOUR = 4;

export interface ScenarioOptions {
  jobs: number;
  drivers: number;
  streamSeconds: number;
  watchSeconds: number;
  photoBytes: number;
  gbPerObject: number;
  messagesPerRequest: number;
  log: (line: string) => void;
}

/** Per-unit counts measured on the running app, with what they came from. */
export interface Measured {
  perJob: Units;
  perDriverHour: Units;
  perWatcherHour: Units;
  /**
   * The scheduled work of one month with nobody using the app: the fixed tasks' runs, and
   * each idle task's ticks that find nothing due plus its hourly run (worker/cron.ts).
   */
  cronPerMonth: Units;
  /** An idle task's run beyond a tick that finds nothing due, per storm hour (it runs every tick while work is expected). */
  cronPerStormHour: Units;
  /** The minutes of each hour in which a cron touches Postgres with nobody using the app. */
  quietHourDbMinutes: number[];
  notificationsPerJob: Record<string, number>;
  gps: { fixesSent: number; acked: number; logRows: number; driverHours: number; bytesPerFix: number };
  jobRows: Record<string, number>;
  baseDbBytes: number;
  retentionDays: number;
  clientRequestsPerJob: number;
  meterRequestsPerJob: number;
  raw: Record<string, MeterTally>;
}

/** Rows the GPS log is grown by to size one row. */
const GPS_CALIBRATION_ROWS = 20_000;

/** How long the app's idle CPU is sampled, to take it off each phase. */
const IDLE_SAMPLE_MS = 10_000;

/**
 * Crons of wrangler.toml with their runs per 30-day month; the idle tasks (worker/cron.ts)
 * with their runs per hour while work is expected (they also run on the hour regardless).
 */
const CRONS: { cron: string; runs: number; idlePerHour?: number }[] = [
  { cron: '* * * * *', runs: 30 * 24 * 60, idlePerHour: 60 },
  { cron: '*/5 * * * *', runs: 30 * 24 * 12, idlePerHour: 12 },
  { cron: '0 * * * *', runs: 30 * 24 },
  { cron: '1 * * * *', runs: 30 * 24 },
  { cron: '2 * * * *', runs: 30 * 24 },
  { cron: '0 3 1 * *', runs: 1 },
];
const HOURS_PER_30_DAYS = 30 * 24;

/**
 * Runs the app as `npm start` does (embedded Postgres, `wrangler dev`) with the meter Worker
 * as its entry, and drives it the way the three apps do, in phases with a meter reading
 * between them: whole job lives, drivers streaming GPS, customers watching, the crons.
 */
export async function measure(opts: ScenarioOptions): Promise<Measured> {
  const { app, keys } = await startApiApp({ LOG_LEVEL: 'warn' }, { entry: 'bench/cost-meter/index.ts' });
  const db = new pg.Client({ connectionString: app.databaseUrl });
  const open: AppSocket[] = [];
  try {
    await db.connect();
    const listener = await findDirectListener(Number(new URL(app.url).port), app.pid);
    if (!listener) throw new Error("could not find the app's own workerd (Linux `ps` and `ss` are needed)");
    const base = `http://127.0.0.1:${listener.port}`;
    const clients = new Clients(base);
    const raw: Record<string, MeterTally> = {};

    // Accounts: one driver and one customer per job and per streaming driver, one dispatcher.
    const people = opts.jobs + 1 + opts.drivers;
    const fleet = await seedFleet(app.databaseUrl, keys, people, 1);
    await db.query('DELETE FROM jobs WHERE id = ANY($1::uuid[])', [fleet.jobs.map((j) => j.job_id)]);
    await db.query(`UPDATE driver_profiles SET status = 'available' WHERE id = ANY($1::uuid[])`, [
      fleet.jobs.map((j) => j.driver_id),
    ]);
    const admin = fleet.dispatcher_tokens[0]!;
    const tiers = (await clients.call<{ tiers: { id: number }[] }>('GET', '/api/v1/pricing/tiers', null)).body.tiers;
    const retentionDays = Number(
      (await db.query<{ d: number }>('SELECT location_retention_days AS d FROM operator_settings LIMIT 1')).rows[0]
        ?.d ?? 90,
    );
    const baseDbBytes = await tableBytes(db);

    /** A reading of everything counted, for a phase's before and after. */
    const reading = async () => ({
      at: performance.now(),
      meter: await readMeter(base),
      cpu: processCpuMs(listener.pid),
      writes: await writeXacts(db),
      ws: clients.wsSent,
      requests: clients.totalRequests,
    });
    type Reading = Awaited<ReturnType<typeof reading>>;
    let idleCpuPerMs = 0;
    const unitsBetween = (name: string, a: Reading, b: Reading, notifications = 0): Units => {
      const d = diff(b.meter, a.meter);
      raw[name] = d;
      return billed(
        d,
        {
          clientWsMessages: b.ws - a.ws,
          cpuMs: Math.max(0, b.cpu - a.cpu - idleCpuPerMs * (b.at - a.at)),
          // less the reading's own transaction id
          pgWrites: b.writes - a.writes - 1,
          // set from the rows each phase added (`bytesAdded`)
          pgBytes: 0,
          notifications,
        },
        opts.gbPerObject,
        opts.messagesPerRequest,
      );
    };

    /**
     * A job's status steps as its driver makes them, each followed by the reloads the apps
     * make when a socket message says the job changed (DriverData, LiveJobPage, AdminData).
     */
    const jobSteps = (i: number, jobId: string, reactions: boolean) => {
      const person = fleet.jobs[i]!;
      const customer = person.watcher_tokens[0]!;
      const driver = person.driver_token;
      const react = async (completed = false) => {
        if (!reactions) return;
        await clients.call('GET', '/api/v1/drivers/me/jobs', driver);
        await clients.call(
          'GET',
          `/api/v1/jobs/${jobId}/status-history`,
          customer,
          undefined,
          'GET /jobs/:id/status-history',
        );
        if (completed)
          await clients.call(
            'GET',
            `/api/v1/customers/me/jobs/${jobId}`,
            customer,
            undefined,
            '/customers/me/jobs/:id',
          );
        await clients.call('GET', '/api/v1/drivers', admin);
        await clients.call('GET', '/api/v1/admin/board?per_column=100', admin, undefined, '/admin/board');
      };
      const step = async (status: string, extra: Record<string, unknown> = {}) => {
        await clients.call('PATCH', `/api/v1/drivers/me/jobs/${jobId}/status`, driver, { status, ...extra }, '/status');
        await react(status === 'completed');
      };
      return { react, step };
    };

    /** One job from request to paid, as the customer, dispatcher and driver apps make it. */
    const jobLife = async (i: number, watch: boolean, reactions: boolean): Promise<string> => {
      const person = fleet.jobs[i]!;
      const customer = person.watcher_tokens[0]!;
      const driver = person.driver_token;
      const tier = tiers[i % tiers.length]!.id;
      await clients.call('POST', '/api/v1/pricing/estimate', customer, {
        driveway_tier_id: tier,
        location_id: person.location_id,
      });
      const created = await clients.call<{ job: { id: string } }>('POST', '/api/v1/jobs', customer, {
        location_id: person.location_id,
        driveway_tier_id: tier,
        client_event_id: `cost-${i}-${Date.now()}`,
      });
      const jobId = created.body.job.id;
      const { react, step } = jobSteps(i, jobId, reactions);
      if (reactions) await clients.call('GET', '/api/v1/admin/board?per_column=100', admin, undefined, '/admin/board');
      let watcher: AppSocket | null = null;
      if (watch) {
        watcher = await clients.socket(customer, `job:${jobId}`);
        open.push(watcher);
      }
      await clients.call(
        'POST',
        `/api/v1/jobs/${jobId}/assign`,
        admin,
        { driver_id: person.driver_id },
        '/jobs/:id/assign',
      );
      await react();
      await clients.call('POST', `/api/v1/drivers/me/jobs/${jobId}/accept`, driver, undefined, '/accept');
      await step('en_route');
      return jobId;
    };

    /** From en_route to paid, with the completion photo; returns when the invoice PDF exists. */
    const finishJob = async (i: number, jobId: string, reactions: boolean) => {
      const driver = fleet.jobs[i]!.driver_token;
      const customer = fleet.jobs[i]!.watcher_tokens[0]!;
      const { step } = jobSteps(i, jobId, reactions);
      await step('arrived');
      const photo = randomBytes(opts.photoBytes);
      photo.set([0xff, 0xd8, 0xff, 0xe0]);
      const presigned = await clients.call<{ upload_url: string; public_url: string }>(
        'POST',
        '/api/v1/uploads/presign',
        driver,
        { content_type: 'image/jpeg', purpose: 'job_completion', job_id: jobId, size: photo.length },
      );
      const uploadUrl = new URL(presigned.body.upload_url);
      await clients.call(
        'PUT',
        `${base}${uploadUrl.pathname}${uploadUrl.search}`,
        null,
        new Uint8Array(photo),
        'PUT /files/upload/*',
      );
      await step('in_progress');
      await step('completed', { completion_photo_url: presigned.body.public_url });
      await clients.call(
        'POST',
        `/api/v1/drivers/me/jobs/${jobId}/payment`,
        driver,
        {
          method: 'cash',
          client_event_id: `cost-pay-${jobId}`,
        },
        '/payment',
      );
      let invoiceId: string | null = null;
      for (let t = 0; t < 60 && !invoiceId; t++) {
        const { rows } = await db.query<{ id: string }>(
          'SELECT id FROM invoices WHERE job_id = $1 AND pdf_key IS NOT NULL LIMIT 1',
          [jobId],
        );
        invoiceId = rows[0]?.id ?? null;
        if (!invoiceId) await sleep(500);
      }
      if (!invoiceId) throw new Error(`job ${jobId}: no invoice PDF after 30 s`);
      // The customer opens the invoice once.
      await clients.call('GET', `/api/v1/invoices/${invoiceId}/pdf`, customer, undefined, '/invoices/:id/pdf');
    };

    // Warm-up: a whole job, so module loading and first-use table creation are not counted.
    opts.log('warm-up job…');
    await finishJob(0, await jobLife(0, true, true), true);
    await sleep(4000);
    // What the app's workerd burns doing nothing: taken off every phase's CPU.
    const idleFrom = processCpuMs(listener.pid);
    await sleep(IDLE_SAMPLE_MS);
    idleCpuPerMs = Math.max(0, processCpuMs(listener.pid) - idleFrom) / IDLE_SAMPLE_MS;

    // ---- phase 1: whole job lives ----
    opts.log(`${opts.jobs} job(s), request to payment…`);
    const sizesBefore = await tableSizes(db);
    const j0 = await reading();
    const jobIds: string[] = [];
    for (let i = 1; i <= opts.jobs; i++) {
      const id = await jobLife(i, true, true);
      await finishJob(i, id, true);
      jobIds.push(id);
    }
    for (const s of open.splice(0)) await s.close();
    await drainNotifications(db, jobIds);
    await sleep(3000);
    const j1 = await reading();
    const sizesAfter = await tableSizes(db);
    const notificationsPerJob: Record<string, number> = {};
    for (const r of (
      await db.query<{ channel: string; n: string }>(
        'SELECT channel, count(*) AS n FROM notification_log WHERE job_id = ANY($1::uuid[]) GROUP BY channel',
        [jobIds],
      )
    ).rows)
      notificationsPerJob[r.channel] = Number(r.n) / opts.jobs;
    const notifications = Object.values(notificationsPerJob).reduce((a, b) => a + b, 0);
    const perJob = scaleUnits(unitsBetween('job', j0, j1, notifications * opts.jobs), 1 / opts.jobs);
    const jobGrowth = await bytesAdded(db, sizesBefore, sizesAfter);
    perJob.pg_bytes = jobGrowth.bytes / opts.jobs;
    const jobRows: Record<string, number> = {};
    for (const [t, n] of Object.entries(jobGrowth.rows)) jobRows[t] = n / opts.jobs;

    // ---- phase 2: drivers streaming GPS on their dispatch sockets, as the driver app does ----
    opts.log(`${opts.drivers} driver(s) streaming for ${opts.streamSeconds} s…`);
    const streamers = Array.from({ length: opts.drivers }, (_, k) => opts.jobs + 1 + k);
    const liveJobs = new Map<number, string>();
    for (const i of streamers) liveJobs.set(i, await jobLife(i, false, false));
    const acked = { n: 0 };
    const drivers: AppSocket[] = [];
    for (const i of streamers) {
      const p = fleet.jobs[i]!;
      const s = await clients.socket(p.driver_token, undefined, (m) => {
        if (m.type === 'ack') acked.n++;
      });
      s.send({ type: 'subscribe', payload: { topic: `driver:${p.driver_id}` } });
      drivers.push(s);
      open.push(s);
    }
    let seq = 0;
    const ping = (k: number) => {
      const n = ++seq;
      drivers[k]!.send(locationPing(43.2 + (n % 300) / 1e4, -71.55 + k / 1e3, `cost-gps-${k}-${n}`));
    };
    // First fix of each driver (the dispatch object looks their job up), then its flush.
    for (let k = 0; k < drivers.length; k++) ping(k);
    await sleep(18_000);
    const driverIds = streamers.map((i) => fleet.jobs[i]!.driver_id);
    const logRows = () => gpsLogRows((q, params) => db.query<{ n: string }>(q, params), driverIds);
    const g0 = await reading();
    const gpsSizes0 = await tableSizes(db);
    const logBefore = await logRows();
    const ackedBefore = acked.n;
    const sentBefore = seq;
    const started = performance.now();
    const timers: NodeJS.Timeout[] = [];
    drivers.forEach((s, k) => {
      const offset = (k * PING_EVERY_MS) / drivers.length;
      timers.push(
        setTimeout(() => {
          ping(k);
          timers.push(setInterval(() => ping(k), PING_EVERY_MS));
        }, offset),
      );
      timers.push(setInterval(() => s.keepAlive(), KEEPALIVE_MS));
    });
    await sleep(opts.streamSeconds * 1000);
    for (const t of timers) clearTimeout(t);
    const streamed = (performance.now() - started) / 1000;
    const fixesSent = seq - sentBefore;
    // The last flush (15 s alarm) and the consumer's write.
    await sleep(17_000);
    for (let t = 0; t < 40 && (await logRows()) - logBefore < fixesSent; t++) await sleep(500);
    const g1 = await reading();
    const gpsGrowth = await bytesAdded(db, gpsSizes0, await tableSizes(db));
    const logAdded = (await logRows()) - logBefore;
    const driverHours = (opts.drivers * streamed) / 3600;
    const perDriverHourStream = scaleUnits(unitsBetween('gps', g0, g1), 1 / driverHours);
    // Other tables the stream grew (the log is sized below).
    perDriverHourStream.pg_bytes = (gpsGrowth.bytes - gpsGrowth.logBytes) / driverHours;

    // ---- phase 3: customers watching their live jobs ----
    opts.log(`${opts.drivers} customer(s) watching for ${opts.watchSeconds} s…`);
    const w0 = await reading();
    const watchers: AppSocket[] = [];
    for (const i of streamers) {
      const s = await clients.socket(fleet.jobs[i]!.watcher_tokens[0]!, `job:${liveJobs.get(i)}`);
      watchers.push(s);
      open.push(s);
    }
    await sleep(2000);
    const w1 = await reading();
    const kept: NodeJS.Timeout[] = watchers.map((s) => setInterval(() => s.keepAlive(), KEEPALIVE_MS));
    const watchStart = performance.now();
    await sleep(opts.watchSeconds * 1000);
    for (const t of kept) clearInterval(t);
    const watched = (performance.now() - watchStart) / 1000;
    const w2 = await reading();
    const perConnect = scaleUnits(unitsBetween('watch-connect', w0, w1), 1 / opts.drivers);
    const watcherHours = (opts.drivers * watched) / 3600;
    const perWatcherHourIdle = scaleUnits(unitsBetween('watch', w1, w2), 1 / watcherHours);
    // A token renewal each 15 minutes: one refresh request, and the socket reconnects.
    const renewals = scaleUnits(perConnect, TOKEN_RENEWALS_PER_HOUR);
    renewals.worker_requests += TOKEN_RENEWALS_PER_HOUR;
    const perWatcherHour = addUnits(perWatcherHourIdle, renewals);
    const perDriverHour = addUnits(perDriverHourStream, renewals);
    for (const s of open.splice(0)) await s.close();

    // ---- phase 4: the crons ----
    // Each fixed task once; each idle task as a tick that finds nothing due (after a first
    // tick that catches up on what the phases above left) and as its hourly run.
    opts.log('crons…');
    let cronPerMonth = scaleUnits(perJob, 0);
    let cronPerStormHour = scaleUnits(perJob, 0);
    const dbMinutes = new Set<number>();
    const runCron = async (cron: string, timeMs = Date.now()) => {
      const res = await fetch(`${app.url}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}&time=${timeMs}`);
      await res.arrayBuffer();
      await sleep(3000);
    };
    const measureCron = async (cron: string, timeMs?: number) => {
      const c0 = await reading();
      const sizes0 = await tableSizes(db);
      await runCron(cron, timeMs);
      const once = unitsBetween(`cron ${cron}`, c0, await reading());
      once.pg_bytes = (await bytesAdded(db, sizes0, await tableSizes(db))).bytes;
      return once;
    };
    const hour = 3_600_000;
    const onTheHour = Math.floor(Date.now() / hour) * hour;
    for (const { cron, runs, idlePerHour } of CRONS) {
      await runCron(cron, onTheHour + 7 * 60_000);
      if (!idlePerHour) {
        const once = await measureCron(cron);
        if (once.pg_write_xacts > 0 && runs >= HOURS_PER_30_DAYS) dbMinutes.add(Number(cron.split(' ')[0]));
        cronPerMonth = addUnits(cronPerMonth, scaleUnits(once, runs));
        continue;
      }
      // What the phases above wrote may still be due for a moment; then a tick finds nothing.
      let tick = await measureCron(cron, onTheHour + 7 * 60_000);
      for (let i = 0; tick.pg_write_xacts > 0 && i < 6; i++) {
        await sleep(10_000);
        tick = await measureCron(cron, onTheHour + 7 * 60_000);
      }
      if (tick.pg_write_xacts > 0) throw new Error(`cron ${cron}: every tick found work due`);
      const hourly = await measureCron(cron, onTheHour);
      if (hourly.pg_write_xacts > 0) dbMinutes.add(0);
      const extra = addUnits(hourly, scaleUnits(tick, -1));
      cronPerMonth = addUnits(cronPerMonth, scaleUnits(tick, runs), scaleUnits(extra, HOURS_PER_30_DAYS));
      cronPerStormHour = addUnits(cronPerStormHour, scaleUnits(extra, idlePerHour));
    }

    // A few hundred logged fixes are too few for page-granular sizes: copy them until the
    // log has grown by GPS_CALIBRATION_ROWS rows and take the size delta per row.
    const bytesPerFix = await logBytesPerRow(db, driverIds, GPS_CALIBRATION_ROWS);
    perDriverHour.pg_bytes += (logAdded / driverHours) * bytesPerFix;
    return {
      perJob,
      perDriverHour,
      perWatcherHour,
      cronPerMonth,
      cronPerStormHour,
      quietHourDbMinutes: [...dbMinutes].sort((a, b) => a - b),
      notificationsPerJob,
      gps: {
        fixesSent,
        acked: acked.n - ackedBefore,
        logRows: logAdded,
        driverHours,
        bytesPerFix,
      },
      jobRows,
      baseDbBytes,
      retentionDays,
      clientRequestsPerJob: (j1.requests - j0.requests) / opts.jobs,
      meterRequestsPerJob: raw.job!.worker.fetch / opts.jobs,
      raw,
    };
  } finally {
    for (const s of open) await s.close().catch(() => {});
    await db.end().catch(() => {});
    await app.stop();
  }
}

/** Rows and bytes (`pg_total_relation_size`: indexes and TOAST included) of every table, partitions summed. */
async function tableSizes(db: pg.Client): Promise<Map<string, { rows: number; bytes: number }>> {
  const { rows } = await db.query<{ name: string; bytes: string }>(`
    SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`);
  const out = new Map<string, { rows: number; bytes: number }>();
  for (const { name, bytes } of rows) {
    const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${name}"`);
    const table = name.startsWith('driver_location_log') ? 'driver_location_log' : name;
    const t = out.get(table) ?? { rows: 0, bytes: 0 };
    t.rows += Number(r.rows[0]!.n);
    t.bytes += Number(bytes);
    out.set(table, t);
  }
  return out;
}

/**
 * What rows added between two readings occupy: each table's rows added times the bytes of
 * its average row (`rowBytes`). A size delta of a few rows would show whole 8 KB pages.
 */
async function bytesAdded(
  db: pg.Client,
  before: Map<string, { rows: number; bytes: number }>,
  after: Map<string, { rows: number; bytes: number }>,
): Promise<{ bytes: number; logBytes: number; rows: Record<string, number> }> {
  let bytes = 0;
  let logBytes = 0;
  const rows: Record<string, number> = {};
  for (const [t, a] of after) {
    const added = a.rows - (before.get(t)?.rows ?? 0);
    if (added <= 0) continue;
    rows[t] = added;
    const b = added * (await rowBytes(db, t));
    bytes += b;
    if (t === 'driver_location_log') logBytes = b;
  }
  return { bytes, logBytes, rows };
}

/**
 * The stored bytes of a table's average row: the row as stored (`pg_column_size`, tuple
 * header included) and its line pointer, plus one entry in each index (8-byte header and the
 * key, 8-aligned, its line pointer) at B-tree leaves' 90 % fill.
 */
async function rowBytes(db: pg.Client, table: string): Promise<number> {
  const { rows: indexes } = await db.query<{ cols: string[] }>(
    `SELECT array_agg(a.attname::text ORDER BY a.attnum) AS cols
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
      WHERE c.relname = $1 GROUP BY i.indexrelid`,
    [table],
  );
  const keys = indexes.map(
    (ix, n) => `avg(${ix.cols.map((col) => `coalesce(pg_column_size("${col}"), 0)`).join(' + ')}) AS k${n}`,
  );
  const { rows } = await db.query<Record<string, string | null>>(
    `SELECT avg(pg_column_size(t.*)) AS heap${keys.length ? `, ${keys.join(', ')}` : ''} FROM "${table}" t`,
  );
  const r = rows[0]!;
  const align = (n: number) => Math.ceil(n / 8) * 8;
  let bytes = Number(r.heap ?? 0) + 4;
  for (let n = 0; n < indexes.length; n++) bytes += (align(8 + Number(r[`k${n}`] ?? 0)) + 4) / 0.9;
  return bytes;
}

/** Bytes the GPS log grows by per row (indexes included), from copies of these drivers' logged fixes. */
async function logBytesPerRow(db: pg.Client, driverIds: string[], rows: number): Promise<number> {
  const size = async () => (await tableSizes(db)).get('driver_location_log') ?? { rows: 0, bytes: 0 };
  const have = Number(
    (
      await db.query<{ n: string }>('SELECT count(*) AS n FROM driver_location_log WHERE driver_id = ANY($1::uuid[])', [
        driverIds,
      ])
    ).rows[0]!.n,
  );
  if (have === 0) return 0;
  const before = await size();
  await db.query(
    `INSERT INTO driver_location_log (driver_id, job_id, coordinates, accuracy_m, heading, speed, recorded_at, received_at, client_event_id)
     SELECT driver_id, job_id, coordinates, accuracy_m, heading, speed, recorded_at + g * interval '1 millisecond', received_at, client_event_id || '-' || g
       FROM driver_location_log, generate_series(1, $2::int) AS g
      WHERE driver_id = ANY($1::uuid[])`,
    [driverIds, Math.ceil(rows / have)],
  );
  const after = await size();
  return (after.bytes - before.bytes) / (after.rows - before.rows);
}

/** Waits until the notifications of these jobs have left `queued` (sent, or kept in the outbox). */
async function drainNotifications(db: pg.Client, jobIds: string[]): Promise<void> {
  for (let t = 0; t < 40; t++) {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM notification_log WHERE job_id = ANY($1::uuid[]) AND status = 'queued'`,
      [jobIds],
    );
    if (Number(rows[0]!.n) === 0) return;
    await sleep(500);
  }
}
