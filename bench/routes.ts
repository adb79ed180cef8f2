/**
 * Benchmark of the storm route planner (worker/routing/planner.ts).
 *
 *   npm run bench:routes
 *
 * 1. Inside workerd (bench/route-planner under `wrangler dev`, measured past the dev proxy):
 *    500 stops / 20 drivers and 2,000 stops / 50 drivers around Concord, NH (seeded, a third
 *    of the stops with deadlines). Each plan and each re-plan is one request, timed from
 *    here (BENCH_RUNS of each after warm-up); total distance and missed deadlines against
 *    the greedy baseline.
 * 2. An outside yardstick: single closed tours of 25 and 60 stops on projected coordinates
 *    (local equirectangular metres), nearest neighbour vs pgRouting's `pgr_TSPeuclidean` vs
 *    ours (`solveTour`, and `planRoutes` with one driver returning to its start), all
 *    measured on the same Euclidean matrix. pgRouting runs on Debian's PostgreSQL 15; run
 *    as root, the bench installs `postgresql-15-pgrouting` and starts the cluster if needed,
 *    otherwise it says why it skips. BENCH_PGROUTING=off skips it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { rng } from '../test/support/prng';
import { CONCORD, pointNear } from '../test/support/storm-instances';
import {
  nearestNeighbourTour,
  planRoutes,
  solveTour,
  tourLength,
  type DistanceMatrix,
  type LatLng,
} from '../worker/routing/planner';
import { freePort, machine, ROOT } from './lib/app';
import { ms, summarize } from './lib/stats';
import { startWranglerDev } from './lib/wrangler-dev';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARMUP = 5;
const SIZES = [
  { stops: 500, drivers: 20 },
  { stops: 2000, drivers: 50 },
];
const TOUR_SIZES = [25, 60];
const TOURS_PER_SIZE = Number(process.env.BENCH_TOURS ?? 5);
/** 10 miles. */
const AREA_M = 16_093;

interface Summary {
  insideMs: number;
  meters: number;
  misses: number;
  unassigned: number;
  rounds: number;
  moves: number;
}

async function get(base: string, route: string): Promise<{ body: Summary; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${base}${route}`);
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as Summary;
  return { body, ms: performance.now() - t0 };
}

interface Timed {
  /** Around the request, from here. */
  times: number[];
  /** Around the call, inside the isolate. */
  inside: number[];
  last: Summary;
}

async function timed(base: string, route: (k: number) => string, runs: number): Promise<Timed> {
  for (let k = 0; k < WARMUP; k++) await get(base, route(-1 - k));
  const times: number[] = [];
  const inside: number[] = [];
  let last: Summary | undefined;
  for (let k = 0; k < runs; k++) {
    const r = await get(base, route(k));
    times.push(r.ms);
    inside.push(r.body.insideMs);
    last = r.body;
  }
  return { times, inside, last: last! };
}

/** "p50 / p99" of both timers: in the isolate, then around the request. */
function both(t: Timed): string {
  const a = summarize(t.inside);
  const b = summarize(t.times);
  return `${ms(a.p50)} / ${ms(a.p99)} (${ms(b.p50)} / ${ms(b.p99)})`;
}

async function inWorkerd(): Promise<void> {
  const dev = await startWranglerDev({
    config: path.join(ROOT, 'bench/route-planner/wrangler.toml'),
    port: await freePort(),
    ready: (url) => fetch(`${url}/healthz`).then((r) => r.ok),
  });
  const base = dev.directUrl ?? dev.url;
  try {
    const noop = await timed(base, () => '/noop', RUNS);
    console.log(
      `\nworkerd (${dev.directUrl ? 'past the dev proxy' : 'through the dev proxy'}): times are p50 / p99 ms inside the isolate, (around the request); an empty request takes p50 ${ms(summarize(noop.times).p50)} ms`,
    );
    console.log(
      '\n| stops / drivers | plan | distance km (greedy) | shorter than greedy | missed deadlines (greedy) | re-plan: add a stop | re-plan: move a stop |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const size of SIZES) {
      const q = `stops=${size.stops}&drivers=${size.drivers}`;
      const plan = await timed(base, () => `/plan?${q}`, RUNS);
      const greedy = (await get(base, `/greedy?${q}`)).body;
      const add = await timed(base, (k) => `/replan?${q}&kind=add&k=${k}`, RUNS);
      const move = await timed(base, (k) => `/replan?${q}&kind=move&k=${k}`, RUNS);
      const gain = 100 * (1 - plan.last.meters / greedy.meters);
      console.log(
        `| ${size.stops} / ${size.drivers} | ${both(plan)} | ${(plan.last.meters / 1000).toFixed(1)} (${(greedy.meters / 1000).toFixed(1)}) | ` +
          `${gain.toFixed(1)} % | ${plan.last.misses} (${greedy.misses}) | ${both(add)} | ${both(move)} |`,
      );
      console.log(
        `  (${plan.last.rounds} ruin-and-recreate rounds, ${plan.last.unassigned} unassigned, ${RUNS} runs each after ${WARMUP} warm-up)`,
      );
    }
  } finally {
    await dev.stop();
  }
}

/** Local equirectangular projection around Concord, metres. */
function project(p: LatLng): { x: number; y: number } {
  const k = 111_320;
  return { x: (p.lng - CONCORD.lng) * k * Math.cos((CONCORD.lat * Math.PI) / 180), y: (p.lat - CONCORD.lat) * k };
}

interface Psql {
  run(sql: string): string;
  close(): void;
}

/** psql on Debian's PostgreSQL 15 as the postgres user in a scratch database, or why not. */
function pgRouting(): Psql | string {
  if (process.env.BENCH_PGROUTING === 'off') return 'BENCH_PGROUTING=off';
  const root = process.getuid?.() === 0;
  const control = '/usr/share/postgresql/15/extension/pgrouting.control';
  if (!existsSync(control)) {
    if (!root) return 'pgRouting is not installed (apt-get install postgresql-15-pgrouting) and this is not root';
    console.log('\ninstalling postgresql-15-pgrouting (apt-get)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
    const install = spawnSync('apt-get', ['install', '-y', '-q', 'postgresql-15-pgrouting'], { stdio: 'ignore', env });
    if (update.status !== 0 || install.status !== 0 || !existsSync(control))
      return 'apt-get could not install postgresql-15-pgrouting';
  }
  if (!root) return 'not root: cannot run psql as the postgres user';
  let started = false;
  const clusters = execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  if (!/^15\s+main\s/m.test(clusters)) execFileSync('pg_createcluster', ['15', 'main'], { stdio: 'ignore' });
  if (!/^15\s+main\s+\d+\s+online/m.test(execFileSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }))) {
    execFileSync('pg_ctlcluster', ['15', 'main', 'start'], { stdio: 'ignore' });
    started = true;
  }
  const psql = (db: string, sql: string): string => {
    const out = spawnSync(
      'runuser',
      ['-u', 'postgres', '--', 'psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db],
      { input: sql, encoding: 'utf8' },
    );
    if (out.status !== 0) throw new Error(`psql: ${out.stderr}`);
    return out.stdout;
  };
  for (let k = 0; k < 30 && spawnSync('pg_isready', ['-q']).status !== 0; k++) execFileSync('sleep', ['1']);
  const db = `plow_bench_routes_${process.pid}`;
  psql('postgres', `CREATE DATABASE ${db};`);
  psql(db, 'CREATE EXTENSION pgrouting CASCADE;');
  const version = psql(db, 'SELECT pgr_version();').trim();
  console.log(
    `\npgRouting ${version} on PostgreSQL 15 (scratch database ${db}${started ? ', cluster started by the bench' : ''})`,
  );
  return {
    run: (sql) => psql(db, sql),
    close: () => {
      psql('postgres', `DROP DATABASE IF EXISTS ${db};`);
      if (started) execFileSync('pg_ctlcluster', ['15', 'main', 'stop'], { stdio: 'ignore' });
    },
  };
}

function singleRoutes(): void {
  const pg = pgRouting();
  if (typeof pg === 'string') console.log(`\npgRouting yardstick skipped: ${pg}`);
  console.log("\nSingle closed tours from the driver's position, Euclidean metres on projected coordinates (km):");
  console.log(
    '\n| stops | instance | nearest neighbour | pgr_TSPeuclidean | solveTour | planRoutes (1 driver) | ours vs pgRouting |',
  );
  console.log('|---|---|---|---|---|---|---|');
  try {
    for (const n of TOUR_SIZES) {
      let worse = 0;
      for (let inst = 0; inst < TOURS_PER_SIZE; inst++) {
        const r = rng(n * 1000 + inst);
        // Node 0 is the driver; stops 1..n.
        const points = Array.from({ length: n + 1 }, () => pointNear(r, CONCORD, AREA_M));
        const xy = points.map(project);
        const size = n + 1;
        const d = new Float64Array(size * size);
        for (let i = 0; i < size; i++)
          for (let j = 0; j < size; j++) d[i * size + j] = Math.hypot(xy[i]!.x - xy[j]!.x, xy[i]!.y - xy[j]!.y);
        const m: DistanceMatrix = { n: size, d };
        const nn = tourLength(m, nearestNeighbourTour(m, 0), true);
        const ours = tourLength(m, solveTour(m, { start: 0, closed: true, seed: 1 }), true);
        // The same metric as the matrix, as a swapped-in travel model (no matrix fill).
        const euclid = (a: LatLng, b: LatLng) => {
          const pa = project(a);
          const pb = project(b);
          const meters = Math.hypot(pa.x - pb.x, pa.y - pb.y);
          return { meters, minutes: meters / 500 };
        };
        const plan = planRoutes(
          {
            stops: points.slice(1).map((p, i) => ({ id: String(i + 1), ...p, serviceMinutes: 0 })),
            drivers: [{ id: 'd', ...points[0]!, equipment: [], returnToStart: true }],
            startTime: 0,
            travel: euclid,
          },
          { seed: 1, timeBudgetMs: 10_000 },
        );
        const planned = tourLength(m, [0, ...plan.routes[0]!.stops.map((s) => Number(s.stopId))], true);
        let pgr = NaN;
        if (typeof pg !== 'string') {
          const values = xy.map((p, i) => `(${i + 1}, ${p.x.toFixed(6)}::float8, ${p.y.toFixed(6)}::float8)`).join(',');
          const out = pg.run(
            `SET client_min_messages = warning;\nSELECT node FROM pgr_TSPeuclidean($$SELECT * FROM (VALUES ${values}) AS t(id, x, y)$$, start_id => 1) ORDER BY seq;`,
          );
          const order = out
            .trim()
            .split('\n')
            .map((s) => Number(s) - 1);
          pgr = tourLength(m, order.slice(0, -1), true);
        }
        const best = Math.min(ours, planned);
        if (Number.isFinite(pgr) && best > pgr + 1e-6) worse++;
        const vs = Number.isFinite(pgr) ? `${(100 * (1 - best / pgr)).toFixed(1)} % shorter` : '—';
        const km = (v: number) => (Number.isFinite(v) ? (v / 1000).toFixed(2) : '—');
        console.log(`| ${n} | ${inst + 1} | ${km(nn)} | ${km(pgr)} | ${km(ours)} | ${km(planned)} | ${vs} |`);
      }
      if (typeof pg !== 'string')
        console.log(`  ${n} stops: ours longer than pgRouting on ${worse} of ${TOURS_PER_SIZE} instances`);
    }
  } finally {
    if (typeof pg !== 'string') pg.close();
  }
}

console.log(`bench:routes — ${machine().replace(/, database:.*$/, '')}`);
await inWorkerd();
singleRoutes();
