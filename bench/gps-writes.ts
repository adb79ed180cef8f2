/**
 * `npm run bench:gps-writes` — how many Postgres write transactions live GPS costs per
 * driver-hour (target ≤ 240: one per 15 s, i.e. batched, however often drivers ping).
 *
 * N drivers on jobs stream fixes at BENCH_HZ over their job sockets for BENCH_SECONDS,
 * against the app as `npm start` runs it, with nothing else going on. Postgres hands out a
 * transaction id only to transactions that write, so the difference between two
 * `pg_current_xact_id()` readings (less the reading's own) counts every write the stream
 * caused: GPS-log inserts from the queue consumer, driver position flushes, anything else.
 * The run starts after a warm-up and ends after the GPS log has drained, so batches that
 * straddle the edges are counted once.
 *
 *   BENCH_DRIVERS=50 BENCH_HZ=1 BENCH_SECONDS=120 npm run bench:gps-writes   (defaults)
 */
import pg from 'pg';
import { machine, startApiApp } from './lib/app';
import { gpsLogRows, streamFleet, writeTransactionId } from './lib/fleet-stream';
import { seedFleet } from './lib/seed-fleet';

const DRIVERS = Number(process.env.BENCH_DRIVERS ?? 50);
const HZ = Number(process.env.BENCH_HZ ?? 1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 120);
const TARGET = 240;

async function main(): Promise<void> {
  console.log(`GPS write load: ${DRIVERS} drivers at ${HZ} Hz for ${SECONDS} s — ${machine()}`);
  const { app, keys } = await startApiApp();
  const db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  try {
    const fleet = await seedFleet(app.databaseUrl, keys, DRIVERS, 0);
    const driverIds = fleet.jobs.map((j) => j.driver_id);
    const logRows = () => gpsLogRows((q, params) => db.query<{ n: string }>(q, params), driverIds);

    // Warm-up: each driver's first fix looks up their job; the flush alarm gets going.
    const warm = await streamFleet(app.url, fleet.jobs, 1000 / HZ, `warm-${Date.now().toString(36)}`);
    await new Promise((r) => setTimeout(r, 5000));
    await warm.stop();
    for (let i = 0; i < 40 && (await logRows()) < warm.acked(); i++) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 16_000)); // the position flush of the warm-up

    const before = await writeTransactionId((q) => db.query(q));
    const rowsBefore = await logRows();
    const started = performance.now();
    const run = await streamFleet(app.url, fleet.jobs, 1000 / HZ, `run-${Date.now().toString(36)}`);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    await run.stop();
    const streamed = (performance.now() - started) / 1000;
    let rows = 0;
    for (let i = 0; i < 60; i++) {
      rows = (await logRows()) - rowsBefore;
      if (rows >= run.acked()) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await new Promise((r) => setTimeout(r, 16_000)); // the last position flush
    const after = await writeTransactionId((q) => db.query(q));
    const writes = Number(after - before) - 1;
    const driverHours = (DRIVERS * streamed) / 3600;
    const perDriverHour = writes / driverHours;

    console.log('');
    console.log(
      '| drivers | Hz | seconds | fixes sent | acked | GPS-log rows | write transactions | per driver-hour | target |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${DRIVERS} | ${HZ} | ${streamed.toFixed(0)} | ${run.sent()} | ${run.acked()} | ${rows} | ${writes} | ${perDriverHour.toFixed(1)} | ≤ ${TARGET} |`,
    );
    console.log(
      `\nfixes per driver-hour: ${(run.sent() / driverHours) | 0}; rows per write: ${(rows / Math.max(1, writes)).toFixed(1)}`,
    );
    console.log(
      `verdict: ${perDriverHour <= TARGET && rows === run.acked() ? 'met' : 'MISSED'}${rows !== run.acked() ? ` (${run.acked() - rows} acknowledged fixes missing from the log)` : ''}`,
    );
    if (perDriverHour > TARGET || rows !== run.acked()) process.exitCode = 1;
  } finally {
    await db.end();
    await app.stop();
  }
}

await main();
