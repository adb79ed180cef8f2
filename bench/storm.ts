/**
 * `npm run bench:storm` — a snow storm's morning: customers request 2,000 plows in 10
 * minutes while 50 drivers on jobs stream GPS at 0.2 Hz and a dispatcher watches the
 * board. Against the app as `npm start` runs it (wrangler dev: Worker, Durable Objects,
 * Queues; the embedded Postgres+PostGIS, or DATABASE_URL).
 *
 * Afterwards it checks that nothing was lost: every accepted request is one job row with
 * one first (`pending`) status event and reached the dispatcher's board socket; every acknowledged GPS
 * fix is one row of the GPS log. Prints p50/p99 of job creation, job → board delivery and
 * ping → ack, and the errors seen (the target is none).
 *
 *   BENCH_JOBS=2000 BENCH_SECONDS=600 npm run bench:storm    (defaults)
 *   BENCH_JOBS=200 BENCH_SECONDS=60 npm run bench:storm      (a quick look)
 */
import pg from 'pg';
import WebSocket from 'ws';
import { machine, startApiApp } from './lib/app';
import { streamFleet } from './lib/fleet-stream';
import { runOpenLoop } from './lib/load';
import { customerToken, seedFleet } from './lib/seed-fleet';
import { ms, summarize } from './lib/stats';

const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 600);
const DRIVERS = Number(process.env.BENCH_DRIVERS ?? 50);
const GPS_PERIOD_MS = 5000; // 0.2 Hz
/** Customers sharing the requests: few enough to be realistic, enough to stay under per-user rate limits. */
const CUSTOMERS = Math.max(10, Math.ceil(JOBS / 10));

const log = (l: string) => console.log(l);

async function seedCustomers(databaseUrl: string, keys: { JWT_SECRET: string; JWT_KID: string }, count: number) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tag = Date.now().toString(36);
    const { rows } = await client.query<{ user_id: string; customer_id: string; location_id: string }>(
      `WITH u AS (
         INSERT INTO users (email, role, full_name, password_hash, email_verified_at)
         SELECT 'storm-' || $1 || '-' || g || '@bench.test', 'customer', 'Storm Customer ' || g, 'x', now() FROM generate_series(1, $2) g
         RETURNING id, full_name
       ), c AS (
         INSERT INTO customer_profiles (user_id) SELECT id FROM u RETURNING id, user_id
       ), l AS (
         INSERT INTO service_locations (customer_id, label, address_line1, city, state_province, postal_code, coordinates, is_default)
         SELECT c.id, 'Home', (row_number() OVER ()) || ' Storm Rd', 'Concord', 'NH', '03301',
                ST_SetSRID(ST_MakePoint(-71.6 + random() * 0.1, 43.15 + random() * 0.1), 4326)::geography, true
         FROM c RETURNING id, customer_id
       )
       SELECT c.user_id, c.id AS customer_id, l.id AS location_id FROM c JOIN l ON l.customer_id = c.id`,
      [tag, count],
    );
    return Promise.all(
      rows.map(async (r, i) => ({
        ...r,
        token: await customerToken(keys, r.user_id, r.customer_id, `Storm Customer ${i}`),
      })),
    );
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  log(`storm: ${JOBS} job requests in ${SECONDS} s, ${DRIVERS} drivers streaming GPS every ${GPS_PERIOD_MS / 1000} s`);
  log(`machine: ${machine()}`);
  const { app, keys } = await startApiApp();
  const db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  try {
    const fleet = await seedFleet(app.databaseUrl, keys, DRIVERS, 1);
    const customers = await seedCustomers(app.databaseUrl, keys, CUSTOMERS);
    const {
      rows: [tier],
    } = await db.query<{ id: number }>('SELECT id FROM pricing_config WHERE is_active ORDER BY sort_order LIMIT 1');

    // The dispatcher's board: every new request should arrive here.
    const boardSeen = new Map<string, number>();
    let boardClosed = false;
    let stopping = false;
    const board = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`${app.url.replace(/^http/, 'ws')}/ws?token=${fleet.dispatcher_tokens[0]}`, {
        perMessageDeflate: false,
      });
      s.once('open', () => resolve(s));
      s.once('error', reject);
      s.once('close', () => {
        if (!stopping) boardClosed = true;
      });
      s.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; payload?: { job_id?: string } };
        if (msg.type === 'new_job_request' && msg.payload?.job_id) boardSeen.set(msg.payload.job_id, performance.now());
      });
    });

    const gps = await streamFleet(app.url, fleet.jobs, GPS_PERIOD_MS, `storm-${Date.now().toString(36)}`);
    /** When each accepted request was sent (the board can hear of a job before its 201 lands). */
    const createdAt = new Map<string, number>();
    const run = Date.now().toString(36);
    const result = await runOpenLoop(
      'POST /api/v1/jobs during the storm',
      { rate: JOBS / SECONDS, seconds: SECONDS, expect: (s) => s === 201 },
      async (i) => {
        const c = customers[i % customers.length]!;
        const sentAt = performance.now();
        const res = await fetch(`${app.url}/api/v1/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            location_id: c.location_id,
            driveway_tier_id: tier!.id,
            client_event_id: `storm-${run}-${i}`,
          }),
        });
        if (res.status === 201) {
          const body = (await res.clone().json()) as { job: { id: string } };
          createdAt.set(body.job.id, sentAt);
        }
        return res;
      },
    );
    await gps.stop();

    // Let the GPS log drain (Durable Object → Queue → Postgres) and the board catch up.
    const driverIds = fleet.jobs.map((j) => j.driver_id);
    let logged = 0;
    for (let i = 0; i < 60; i++) {
      logged = Number(
        (
          await db.query<{ n: string }>(
            'SELECT count(*) AS n FROM driver_location_log WHERE driver_id = ANY($1::uuid[])',
            [driverIds],
          )
        ).rows[0]!.n,
      );
      if (logged >= gps.acked() && boardSeen.size >= createdAt.size) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    stopping = true;
    board.close(1000);

    const ids = [...createdAt.keys()];
    const {
      rows: [stored],
    } = await db.query<{ jobs: string; events: string }>(
      `SELECT (SELECT count(*) FROM jobs WHERE id = ANY($1::uuid[])) AS jobs,
              (SELECT count(*) FROM job_status_events WHERE job_id = ANY($1::uuid[]) AND previous_status IS NULL AND new_status = 'pending') AS events`,
      [ids],
    );
    const boardLatency = summarize(
      ids.filter((id) => boardSeen.has(id)).map((id) => boardSeen.get(id)! - createdAt.get(id)!),
    );
    const ack = summarize(gps.ackLatencies);
    const missingOnBoard = ids.filter((id) => !boardSeen.has(id)).length;

    log('');
    log('| measure | count | p50 ms | p90 ms | p99 ms | max ms |');
    log('|---|---|---|---|---|---|');
    log(
      `| job request (201) | ${result.ok} of ${result.sent} | ${ms(result.p50)} | ${ms(result.p90)} | ${ms(result.p99)} | ${ms(result.max)} |`,
    );
    log(
      `| request sent → on the dispatcher's board | ${boardLatency.samples} | ${ms(boardLatency.p50)} | ${ms(boardLatency.p90)} | ${ms(boardLatency.p99)} | ${ms(boardLatency.max)} |`,
    );
    log(`| GPS ping → ack | ${ack.samples} | ${ms(ack.p50)} | ${ms(ack.p90)} | ${ms(ack.p99)} | ${ms(ack.max)} |`);
    log('');
    log(`request statuses: ${JSON.stringify(result.statuses)}; achieved ${result.throughput.toFixed(2)} req/s`);
    log(
      `jobs stored: ${stored!.jobs} of ${ids.length} accepted; first status events: ${stored!.events}; missing on the board: ${missingOnBoard}`,
    );
    log(
      `GPS: ${gps.sent()} sent, ${gps.acked()} acknowledged, ${logged} rows in the GPS log; socket errors: ${gps.errors().length}${gps.errors().length ? ` (${gps.errors().slice(0, 3).join('; ')})` : ''}`,
    );
    log(
      `sockets the server closed mid-run: ${gps.closed()} of ${fleet.jobs.length} drivers', board: ${boardClosed ? 'closed' : 'open'} (wrangler dev reloads on file changes: run benchmarks in a tree nobody edits)`,
    );
    const lost =
      ids.length -
      Number(stored!.jobs) +
      (ids.length - Number(stored!.events)) +
      missingOnBoard +
      Math.max(0, gps.acked() - logged);
    const verdict =
      result.errors === 0 &&
      gps.closed() === 0 &&
      !boardClosed &&
      gps.errors().length === 0 &&
      gps.acked() === gps.sent() &&
      lost === 0;
    log(
      `verdict: ${verdict ? 'no errors, no lost events' : `FAILED — ${result.errors} request errors, ${gps.sent() - gps.acked()} unacknowledged pings, ${lost} lost events`}`,
    );
    if (!verdict) process.exitCode = 1;
  } finally {
    await db.end();
    await app.stop();
  }
}

await main();
