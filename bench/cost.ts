/**
 * `npm run bench:cost` — what running PlowDispatch costs, from counts measured on this code.
 *
 * Runs the app as `npm start` does with a meter around its Worker (bench/cost-meter), drives
 * it as the customer, dispatcher and driver apps do (bench/lib/cost-scenario.ts), prices the
 * per-unit counts at the list prices in bench/cost-prices.json for three operators
 * (bench/lib/cost-model.ts), and writes docs/cost.md. Counts scale linearly, so the run is
 * short:
 *
 *   BENCH_JOBS=4 BENCH_DRIVERS=8 BENCH_SECONDS=120 BENCH_WATCH_SECONDS=65 npm run bench:cost   (defaults)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { machine, ROOT } from './lib/app';
import { renderConsole, renderDoc, scenarioTables } from './lib/cost-doc';
import { fmt, prices, usd } from './lib/cost-model';
import { measure } from './lib/cost-scenario';
import { UNIT_KEYS } from './lib/meter';

const run = {
  date: new Date().toISOString().slice(0, 10),
  machine: machine(),
  jobs: Number(process.env.BENCH_JOBS ?? 4),
  drivers: Number(process.env.BENCH_DRIVERS ?? 8),
  streamSeconds: Number(process.env.BENCH_SECONDS ?? 120),
  watchSeconds: Number(process.env.BENCH_WATCH_SECONDS ?? 65),
  photoBytes: 400_000,
};

const m = await measure({
  ...run,
  gbPerObject: prices.durable_objects.duration.gb_per_object,
  messagesPerRequest: prices.durable_objects.requests.websocket_messages_per_request,
  log: (l) => console.log(l),
});

const doc = renderDoc(m, run);
writeFileSync(path.join(ROOT, 'docs/cost.md'), doc);

console.log(`\nPer unit — ${run.machine}`);
console.log('| | job | driver-hour | watcher-hour | crons/month |');
console.log('|---|---|---|---|---|');
for (const k of UNIT_KEYS)
  console.log(
    `| ${k} | ${fmt(m.perJob[k])} | ${fmt(m.perDriverHour[k])} | ${fmt(m.perWatcherHour[k])} | ${fmt(m.cronPerMonth[k])} |`,
  );
console.log('\nPer month of the season:');
const tables = scenarioTables(m);
console.log(`| line | ${tables.map((t) => t.s.name).join(' | ')} |`);
for (let i = 0; i < tables[0]!.lines.length; i++)
  console.log(`| ${tables[0]!.lines[i]!.line} | ${tables.map((t) => usd(t.lines[i]!.usd)).join(' | ')} |`);
console.log(`| total | ${tables.map((t) => usd(t.total)).join(' | ')} |`);
console.log(`\n${renderConsole(m)}\nwrote docs/cost.md`);
