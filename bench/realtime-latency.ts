/**
 * `npm run bench:realtime` — ping→watcher latency and sustained fan-out of the live
 * location path, against the whole app as `npm start` runs it (wrangler dev: Worker,
 * Durable Objects, Queue; embedded Postgres+PostGIS), and against yardsticks under the
 * same load in the same run.
 *
 * Yardsticks: "bare DO" (a minimal Durable Object relay on the same runtime, behind the
 * same `wrangler dev`: the floor ours is held to), "durable DO" (the same relay writing each
 * fix's event id before its ack, straight to its workerd: the floor of exactly-once on this
 * machine's disk), "bare ws" (a minimal relay on the `ws`
 * package) and "Socket.IO + Redis, 2 nodes" (two Socket.IO relays on the Redis adapter,
 * with a Redis from Debian's `redis-server` started here). `wrangler dev` adds a proxy
 * process in front of the app that production does not have; where it can be found, the
 * app's own workerd is measured too ("no dev proxy"), and so is the bare relay's.
 *
 * Scenarios (targets: ours ≤ 1.3× and ≤ 1.2× the bare DO relay at p50 and p99):
 *   fleet — 50 drivers, each on their own job, 10 watchers per job, 1 ping/s each;
 *   fast — 1 driver at 20 pings/s, 200 watchers on that one job;
 *   crowd — 1 driver, 500 watchers on that one job, 1 ping/s.
 *
 * Environment: BENCH_SECONDS (measured seconds per run, default 20), BENCH_WARMUP
 * (default 3), BENCH_ROUNDS (default 1; samples of all rounds are pooled), BENCH_PORT
 * (default 8799, and the next port for the bare-DO yardstick), BENCH_SCENARIOS (comma-
 * separated parts of scenario names: `drivers`, `500 watchers`) and BENCH_TARGETS
 * (`;`-separated target names) to run a subset. Results are printed as a table and written to
 * bench/results/realtime-latency-<time>.json.
 *
 * `BENCH_CEILING=1` instead steps the load up until p99 passes 100 ms or deliveries drop
 * below 99 %: watchers on one job room (500 → 4,000), and drivers at 1 Hz streaming through
 * the operator's one Dispatch object (50 → 800, two watchers per job). The load generator
 * shares the machine's cores, so the ceiling found is this machine's, a lower bound.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningApp, startApp } from '../scripts/lib/app';
import { freePort } from './lib/app';
import { findDirectPort } from './lib/direct-port';
import { startWranglerDev } from './lib/wrangler-dev';
import type { LoadJob, RunResult, Scenario, Target } from './lib/ws-load';
import { type Fleet, seedFleet } from './lib/seed-fleet';
import type { SigningEnv } from '../worker/auth/tokens';
import { mergeRounds, type MergedResult } from './lib/merge';
import { ms } from './lib/stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const PORT = Number(process.env.BENCH_PORT ?? 8799);
/** Rounds of every scenario × target, interleaved so a noisy neighbour hits all targets alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** Optional filters (comma-separated substrings) for quicker experiments. */
const ONLY_SCENARIOS = process.env.BENCH_SCENARIOS?.split(',');
/** Exact target names, separated by `;` (names contain commas). */
const ONLY_TARGETS = process.env.BENCH_TARGETS?.split(';');
/** BENCH_PERSIST=memory keeps local Durable Object storage on tmpfs (/dev/shm). */
const PERSIST_TO = process.env.BENCH_PERSIST === 'memory' ? mkdtempSync('/dev/shm/plowdispatch-bench-') : undefined;
/** Ours at most this many times the bare Durable Object relay, at p50 and p99, per scenario. */
const FLOOR_RATIO: Record<string, number> = { '50 drivers × 10 watchers': 1.3, '1 job × 200 watchers, 20 Hz': 1.2 };
const CEILING = { p99Ms: 100, delivered: 0.99 };
const CEILING_STEPS = {
  watchers: (process.env.BENCH_CEILING_WATCHERS ?? '500,1000,2000,4000').split(',').map(Number),
  drivers: (process.env.BENCH_CEILING_DRIVERS ?? '50,100,200,400,800').split(',').map(Number),
};

const log = (l: string) => console.log(l);

/**
 * Our app. Drivers stream on their job's socket (`?topic=job:{id}`, the path the driver
 * app uses while on a job), or — `via: 'dispatch'` — on their dispatch channel socket,
 * one object hop further from the watchers.
 */
function appTarget(url: string, name = 'plowdispatch', via: 'room' | 'dispatch' = 'room'): Target {
  const ws = url.replace(/^http/, 'ws');
  const driverUrl =
    via === 'room' ? `${ws}/ws?token={driver_token}&topic=job:{job_id}` : `${ws}/ws?token={driver_token}`;
  return { name, driverUrl, watcherUrl: `${ws}/ws?token={watcher_token}&topic=job:{job_id}` };
}

function referenceTarget(port: number): Target {
  return {
    name: 'bare ws',
    driverUrl: `ws://127.0.0.1:${port}/?driver={driver_id}&job={job_id}`,
    watcherUrl: `ws://127.0.0.1:${port}/?job={job_id}`,
  };
}

/** The bare Durable Object relay; `store`: the durable one, which writes each fix's event id before its ack. */
function referenceDoTarget(url: string, name = 'bare DO', store = false): Target {
  const ws = url.replace(/^http/, 'ws');
  return {
    name,
    driverUrl: `${ws}/?driver={driver_id}&job={job_id}${store ? '&store=1' : ''}`,
    watcherUrl: `${ws}/?job={job_id}`,
  };
}

/** The bare Durable Object relay (bench/reference-do) under its own `wrangler dev`. */
function startReferenceDo(port: number) {
  return startWranglerDev({
    config: path.join(ROOT, 'bench/reference-do/wrangler.toml'),
    port,
    ready: (url) => fetch(`${url}/?job=ready`).then((r) => r.status === 426),
  });
}

/** Runs one scenario against one target in a separate load-generator process. */
function runIsolated(target: Target, scenario: Scenario): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'bench/lib/load-runner.ts')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as RunResult)
        : reject(new Error(`load run for ${target.name} exited with ${code}`)),
    );
    child.stdin!.end(JSON.stringify({ target, scenario }));
  });
}

/** Starts a yardstick relay script as a child process; resolves once it prints `listening <port>`. */
async function startRelay(script: string, ...args: string[]): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'bench/lib', script), '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(String(d));
      if (m) resolve(Number(m[1]));
    });
  });
  return { port, child };
}

/**
 * The Socket.IO yardstick: a Redis (Debian's `redis-server`, started here on a free port,
 * nothing saved) and two relay nodes on its adapter. The driver talks to the first node;
 * watchers take the nodes in turn, so half of every fan-out crosses Redis. Null, with the
 * reason said, when the machine has no `redis-server`.
 */
async function startSocketIo(): Promise<{ target: Target; stop: () => void } | null> {
  const which = spawnSync('sh', ['-c', 'command -v redis-server']);
  if (which.status !== 0) {
    log('Socket.IO + Redis yardstick skipped: no redis-server (apt-get install redis-server)');
    return null;
  }
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    redis.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    redis.stdout!.on('data', (d: Buffer) => {
      if (String(d).includes('Ready to accept connections')) resolve();
    });
  });
  const url = `redis://127.0.0.1:${port}`;
  const nodes = [await startRelay('socketio-relay.ts', url), await startRelay('socketio-relay.ts', url)];
  const base = (n: { port: number }) => `http://127.0.0.1:${n.port}/`;
  return {
    target: {
      name: 'Socket.IO + Redis, 2 nodes',
      protocol: 'socket.io',
      driverUrl: `${base(nodes[0]!)}?driver={driver_id}&job={job_id}`,
      watcherUrl: nodes.map((n) => `${base(n)}?job={job_id}`),
    },
    stop: () => {
      for (const n of nodes) n.child.kill('SIGTERM');
      redis.kill('SIGTERM');
    },
  };
}

function table(results: MergedResult[]): string {
  const head = ['scenario', 'target', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'samples', 'msgs/s', 'delivered'];
  const rows = results.map((r) => [
    r.scenario,
    r.target,
    ms(r.latency.p50),
    ms(r.latency.p90),
    ms(r.latency.p99),
    ms(r.latency.max),
    String(r.latency.samples),
    r.deliveredPerSecond.toFixed(0),
    `${(r.deliveredShare * 100).toFixed(1)}%`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/**
 * Steps one kind of load up on one target until a step misses the ceiling's p99 or
 * delivery; returns every step run (the last may be the one that missed).
 */
async function stepUntilCeiling(target: Target, steps: Scenario[]): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const s of steps) {
    log(`ceiling: ${s.name} on ${target.name}`);
    const r = await runIsolated(target, s);
    runs.push(r);
    if (r.latency.p99 > CEILING.p99Ms || r.deliveredShare < CEILING.delivered) break;
  }
  return runs;
}

/** The largest step that kept p99 within the ceiling and delivered everything, in words. */
function ceilingOf(runs: RunResult[]): string {
  const held = runs.filter((r) => r.latency.p99 <= CEILING.p99Ms && r.deliveredShare >= CEILING.delivered);
  const missed = runs.find((r) => !held.includes(r));
  const top = held.at(-1);
  return `${runs[0]?.target}: ${top ? `holds ${top.scenario} (p99 ${ms(top.latency.p99)} ms)` : 'no step held'}${
    missed
      ? `; ${missed.scenario} misses (p99 ${ms(missed.latency.p99)} ms, ${(missed.deliveredShare * 100).toFixed(1)} % delivered)`
      : '; the largest step tried still held'
  }`;
}

/** Ceiling mode: the steps for one job room and for the Dispatch object, their table and verdicts. */
async function ceiling(app: RunningApp, keys: SigningEnv, direct: string, bareDo: string): Promise<void> {
  const most = Math.max(...CEILING_STEPS.drivers);
  // Enough people that no one opens more than ten screens (the per-user budget).
  const fleet = await seedFleet(app.databaseUrl, keys, most, Math.ceil(Math.max(...CEILING_STEPS.watchers) / 10));
  const crowd: LoadJob = {
    ...fleet.jobs[0]!,
    watcher_tokens: [...fleet.jobs[0]!.watcher_tokens, ...fleet.dispatcher_tokens],
  };
  const step = (name: string, jobs: LoadJob[], watchersPerJob: number): Scenario => ({
    name,
    jobs,
    watchersPerJob,
    rateHz: 1,
    warmupSeconds: WARMUP,
    seconds: SECONDS,
  });
  const roomSteps = CEILING_STEPS.watchers.map((n) => step(`1 job × ${n} watchers`, [crowd], n));
  const dispatchSteps = CEILING_STEPS.drivers.map((n) =>
    step(`${n} drivers × 2 watchers, via dispatch`, fleet.jobs.slice(0, n), 2),
  );
  const rows: RunResult[] = [];
  const lines: string[] = [];
  for (const [target, steps] of [
    [referenceDoTarget(bareDo, 'bare DO'), roomSteps],
    [appTarget(direct, 'plowdispatch'), roomSteps],
    [appTarget(direct, 'plowdispatch, drivers via dispatch', 'dispatch'), dispatchSteps],
  ] as const) {
    const runs = await stepUntilCeiling(target, steps);
    rows.push(...runs);
    lines.push(ceilingOf(runs));
  }
  log('');
  log(table(mergeRounds(rows)));
  log(`\nceiling (p99 ≤ ${CEILING.p99Ms} ms, ≥ ${CEILING.delivered * 100} % delivered):`);
  for (const l of lines) log(`  ${l}`);
}

async function main(): Promise<void> {
  const keys = { JWT_SECRET: randomBytes(32).toString('hex'), JWT_KID: 'bench' };
  log(`durable storage: ${PERSIST_TO ? `tmpfs (${PERSIST_TO})` : 'disk (.data/)'}`);
  log(
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  log('starting the app (wrangler dev + embedded Postgres+PostGIS)…');
  const app = await startApp({
    root: ROOT,
    mode: 'test',
    port: PORT,
    web: false,
    persistTo: PERSIST_TO,
    vars: { ...keys, JWT_SECRET_PREVIOUS: '', JWT_KID_PREVIOUS: '' },
    log,
  });
  const reference = await startRelay('reference-broadcaster.ts');
  const socketIo = await startSocketIo();
  const referenceDo = await startReferenceDo(PORT + 1);
  // Looked for under the app's own wrangler: the bare DO's workerd answers /healthz too.
  const directPort = await findDirectPort(PORT, app.pid);
  log(
    directPort
      ? `the app's own workerd (past wrangler's dev proxy) answers on port ${directPort}`
      : 'could not find the app workerd behind the dev proxy; measuring through wrangler dev only',
  );
  const targets = [
    referenceTarget(reference.port),
    ...(socketIo ? [socketIo.target] : []),
    referenceDoTarget(referenceDo.url),
    ...(referenceDo.directUrl ? [referenceDoTarget(referenceDo.directUrl, 'bare DO, no dev proxy')] : []),
    ...(referenceDo.directUrl ? [referenceDoTarget(referenceDo.directUrl, 'durable DO, no dev proxy', true)] : []),
    appTarget(app.url),
    ...(directPort ? [appTarget(`http://127.0.0.1:${directPort}`, 'plowdispatch, no dev proxy')] : []),
    appTarget(app.url, 'plowdispatch, driver on dispatch socket', 'dispatch'),
  ];
  const runs: RunResult[] = [];
  try {
    if (process.env.BENCH_CEILING) {
      const direct = directPort ? `http://127.0.0.1:${directPort}` : app.url;
      await ceiling(app, keys, direct, referenceDo.directUrl ?? referenceDo.url);
      return;
    }
    const seeded = await seedFleet(app.databaseUrl, keys, 50, 50);
    const scenariosOf = (fleet: Fleet): Scenario[] => {
      // The crowd: the first job, watched by its customer and 50 dispatchers, ten screens each.
      const crowdJob: LoadJob = {
        ...fleet.jobs[0]!,
        watcher_tokens: [...fleet.jobs[0]!.watcher_tokens, ...fleet.dispatcher_tokens],
      };
      return [
        {
          name: '50 drivers × 10 watchers',
          jobs: fleet.jobs,
          watchersPerJob: 10,
          rateHz: 1,
          warmupSeconds: WARMUP,
          seconds: SECONDS,
        },
        {
          name: '1 job × 200 watchers, 20 Hz',
          jobs: [crowdJob],
          watchersPerJob: 200,
          rateHz: 20,
          warmupSeconds: WARMUP,
          seconds: SECONDS,
        },
        {
          name: '1 job × 500 watchers',
          jobs: [crowdJob],
          watchersPerJob: 500,
          rateHz: 1,
          warmupSeconds: WARMUP,
          seconds: SECONDS,
        },
      ];
    };
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round with tokens signed for it: a run of several rounds outlasts a 15-minute token.
      const scenarios = scenariosOf(round === 1 ? seeded : await seeded.renew());
      for (const s of scenarios.filter((x) => !ONLY_SCENARIOS || ONLY_SCENARIOS.some((o) => x.name.includes(o)))) {
        log(`round ${round}/${ROUNDS}, scenario: ${s.name} (${SECONDS} s measured after ${WARMUP} s warm-up)`);
        for (const target of targets.filter((t) => !ONLY_TARGETS || ONLY_TARGETS.some((o) => t.name === o))) {
          runs.push(await runIsolated(target, s));
        }
      }
    }
  } finally {
    reference.child.kill('SIGTERM');
    socketIo?.stop();
    await referenceDo.stop();
    await app.stop();
    if (PERSIST_TO) rmSync(PERSIST_TO, { recursive: true, force: true });
  }

  const results = mergeRounds(runs);
  log('');
  log(table(results));
  log('');
  const verdicts: string[] = [];
  const pct = (r: MergedResult) => `${(r.deliveredShare * 100).toFixed(1)} % delivered`;
  for (const name of new Set(results.map((r) => r.scenario))) {
    const of = (target: string) => results.find((r) => r.scenario === name && r.target === target);
    for (const yardstick of results.filter((r) => r.scenario === name && !r.target.startsWith('plowdispatch'))) {
      verdicts.push(
        `${name}, ${yardstick.target}: p50 ${ms(yardstick.latency.p50)} / p99 ${ms(yardstick.latency.p99)} ms, ${pct(yardstick)}`,
      );
    }
    // Ours against the bare Durable Object relay measured the same way (through wrangler's
    // dev proxy, or straight to workerd): the floor this runtime sets.
    for (const ours of results.filter((r) => r.scenario === name && r.target.startsWith('plowdispatch'))) {
      /** Ours ÷ a yardstick at p50 and p99, as printed. */
      const versus = (y: MergedResult) => {
        const p50 = ours.latency.p50 / y.latency.p50;
        const p99 = ours.latency.p99 / y.latency.p99;
        return { p50, p99, text: `${p50.toFixed(2)}× / ${p99.toFixed(2)}× ${y.target}` };
      };
      const floor = ours.target.endsWith('no dev proxy') ? of('bare DO, no dev proxy') : of('bare DO');
      const limit = FLOOR_RATIO[name];
      const vsFloor = floor ? versus(floor) : undefined;
      const met =
        limit !== undefined && !!vsFloor && vsFloor.p50 <= limit && vsFloor.p99 <= limit && ours.deliveredShare === 1;
      // The durable relay pays what storing each fix costs on this disk: the floor of any
      // design that keeps SPEC's exactly-once promise, printed beside the target's ratio.
      const durable = ours.target.endsWith('no dev proxy') ? of('durable DO, no dev proxy') : undefined;
      verdicts.push(
        `${name}, ${ours.target}: p50 ${ms(ours.latency.p50)} / p99 ${ms(ours.latency.p99)} ms, ${pct(ours)}` +
          (vsFloor ? `; ${vsFloor.text} at p50 / p99` : '') +
          (vsFloor && limit !== undefined ? ` (target ≤ ${limit}× and all delivered: ${met ? 'met' : 'MISSED'})` : '') +
          (durable ? `; ${versus(durable).text}` : ''),
      );
    }
  }
  for (const v of verdicts) log(v);

  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `realtime-latency-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg() },
        seconds: SECONDS,
        rounds: ROUNDS,
        results,
        verdicts,
      },
      null,
      2,
    ),
  );
  log(`\nwritten to ${path.relative(ROOT, file)}`);
}

await main();
