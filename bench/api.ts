/**
 * API benchmark (`npm run bench:api`): the app as `npm start` runs it (wrangler dev,
 * Durable Objects, real Postgres+PostGIS — set DATABASE_URL for a real server, else the
 * embedded one), driven open-loop at a fixed rate per scenario: job list, estimate, job
 * create, then each created job through the day's flow through the API (a dispatcher's
 * assignment, the driver's accept, "en route"). Prints p50/p90/p99 and achieved throughput.
 *
 * With DATABASE_URL the Worker reaches the server through PgBouncer in transaction mode
 * (Debian's `pgbouncer`), as it reaches Neon through its pooled endpoint in production;
 * BENCH_POOLER=off measures without one. The load comes from many accounts, as it would
 * in a storm, so the per-user rate limit (300/min) is not what is measured.
 *
 * Requests go to the app's own workerd, past the proxy Worker `wrangler dev` puts in front
 * of it for live reload (production has none); BENCH_DEV_PROXY=on measures through it.
 * After each scenario the CPU every process spent per request is printed, so the budget of
 * the 2-core machine can be read off by part (docs/decisions/0058).
 *
 * First runs yardsticks at the same rate, a bare Worker (bench/reference-api) on the same
 * driver, bridge and pooler: the list's query, alone and for a signed-in user (the user's
 * revocation object read, the rate limit asked); the least a status change writes (one
 * transaction of five round trips), alone and signed in (an acceptance); that, told to the
 * operator's object (a create); and told to the job's new room too (an assignment) or to its
 * room woken from sleep (a status change). Each is the floor this stack and machine set for
 * the routes doing that work, and the bench prints each route against its floor
 * (docs/decisions/0059, 0093). BENCH_REFERENCE=off skips them, =only runs them alone.
 *
 * Each scenario starts on a quiet machine, so what the one before left queued is not
 * counted in it; what it leaves behind itself (queue consumers delivering its
 * notifications) is printed apart. BENCH_ROUNDS=n runs everything n times and reports each
 * route against its floor pooled over the rounds (docs/decisions/0096).
 *
 *   DATABASE_URL=postgres://… BENCH_ROUNDS=3 BENCH_RATE=200 BENCH_SECONDS=10 npm run bench:api
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startApp } from '../scripts/lib/app';
import { freePort, machine, ROOT } from './lib/app';
import { printTable, runOpenLoop, type LoadResult } from './lib/load';
import { startPooler, type Pooler } from './lib/pooler';
import { seedFleet } from './lib/seed-fleet';
import { findDirectPort } from './lib/direct-port';
import { httpClient } from './lib/http';
import { cpuPerRequest, type CpuShare, untilQuiet } from './lib/proc-cpu';
import { startReferenceApi } from './lib/reference-api';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Rounds of every scenario, yardsticks and routes alike; each route is also reported pooled over them. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
/** Accounts per role: each customer sends its share of two scenarios inside a minute, under 300/min. */
const ACCOUNTS = Math.max(20, Math.ceil((RATE * SECONDS * 2) / 250));
/**
 * `wrangler dev` carries each console line from workerd to its own process through the
 * inspector, about 5 ms of CPU per line on this machine, which production's Workers Logs do
 * not cost: the bench runs with the request line off (BENCH_LOG_LEVEL=info measures with it).
 */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
/** The yardsticks that are a route's floor: the least that does the same kind of work. */
const FLOOR = {
  read: 'reference: bare Worker, that query signed in (a list, an estimate)',
  accept: 'reference: bare Worker, that write signed in (an acceptance)',
  create: 'reference: bare Worker, that write signed in and told to the operator (a create)',
  assign: "reference: bare Worker, and told to the job's new room (an assignment)",
  status: "reference: bare Worker, and told to the job's sleeping room (a status change)",
};
/** Past how long an object with nothing to do stays in memory (Cloudflare: 10 s; locally it varies, so with a wide margin). */
const ROOM_IDLE_MS = 30_000;
const usePooler = Boolean(process.env.DATABASE_URL) && process.env.BENCH_POOLER !== 'off';

const keys = { JWT_SECRET: randomBytes(32).toString('hex'), JWT_KID: 'bench' };
const pooler: Pooler | null = usePooler
  ? await startPooler(process.env.DATABASE_URL!, { poolSize: Number(process.env.BENCH_POOL_SIZE ?? 20) })
  : null;
const app = await startApp({
  root: ROOT,
  mode: 'test',
  port: await freePort(),
  web: false,
  vars: { ...keys, JWT_SECRET_PREVIOUS: '', JWT_KID_PREVIOUS: '', LOG_LEVEL },
  ...(pooler ? { workerDatabaseUrl: pooler.url } : {}),
  log: () => {},
}).catch(async (err) => {
  await pooler?.stop();
  throw err;
});
const db = new pg.Client({ connectionString: app.databaseUrl });
const publicPort = Number(new URL(app.url).port);
const directPort = process.env.BENCH_DEV_PROXY === 'on' ? null : await findDirectPort(publicPort, app.pid);
const http = httpClient(directPort ? `http://127.0.0.1:${directPort}` : app.url);
try {
  await db.connect();
  let fleet = await seedFleet(app.databaseUrl, keys, ACCOUNTS, ACCOUNTS);
  const customersOf = (f: typeof fleet) =>
    f.jobs.map((j) => ({ token: j.watcher_tokens[0]!, location_id: j.location_id }));
  let customers = customersOf(fleet);
  const { rows: tiers } = await db.query<{ id: number }>(
    'SELECT id FROM pricing_config WHERE is_active ORDER BY sort_order',
  );
  const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const admin = (i: number) => fleet.dispatcher_tokens[i % ACCOUNTS]!;

  // Warm-up: first requests pay for module load and connection setup.
  const warmUp = async (client: typeof http, path: string, headers?: (i: number) => Record<string, string>) => {
    for (let i = 0; i < 40; i++) await (await client.request(path, { headers: headers?.(i) })).arrayBuffer();
  };
  await warmUp(http, '/api/v1/jobs?limit=20', (i) => json(admin(i)));

  const rounds: Measured[][] = [];
  const opts = { rate: RATE, seconds: SECONDS };
  /**
   * One scenario, open-loop, with the CPU each process spent on it, from a quiet machine (what
   * the scenario before left queued is not counted here) — and, apart, what it left behind:
   * the CPU from its last response until the machine is quiet again (queue consumers
   * delivering its notifications, a backlog still being served).
   */
  const scenario = async (...args: Parameters<typeof runOpenLoop>): Promise<Measured> => {
    console.log(`${args[0]}…`);
    await untilQuiet();
    const measured = await cpuPerRequest(() => runOpenLoop(...args));
    const after = await cpuPerRequest(async () => {
      await untilQuiet();
      return { sent: measured.sent };
    });
    return { ...measured, after: after.cpu };
  };
  /** Each app route's floor, by the route's scenario name. */
  const floorOf = new Map<string, string>();
  /** An app route's scenario, measured against `floor`. */
  const route = (floor: string, ...args: Parameters<typeof runOpenLoop>) => {
    floorOf.set(args[0], floor);
    return scenario(...args);
  };
  for (let round = 1; round <= ROUNDS; round++) {
    if (ROUNDS > 1) console.log(`\nround ${round}/${ROUNDS}`);
    if (round > 1) {
      // Access tokens last 15 minutes, about two rounds on this machine: each round signs its own.
      fleet = await fleet.renew();
      customers = customersOf(fleet);
    }
    const results: Measured[] = [];
    rounds.push(results);
    const run = `${Date.now().toString(36)}-${round}`;
    if (process.env.BENCH_REFERENCE !== 'off') {
      // The yardstick, first, while the app is idle: a bare Worker running the list's query on
      // the same driver, bridge and pooler, so the table shows what the platform and the
      // machine allow and what our code adds.
      const reference = await startReferenceApi(pooler?.url ?? app.databaseUrl);
      const ref = httpClient(reference.url);
      try {
        await warmUp(ref, '/jobs');
        results.push(await scenario('reference: bare Worker, the list query only', opts, () => ref.request('/jobs')));
        results.push(
          await scenario(FLOOR.read, opts, (i) =>
            ref.request(`/jobs?user=${fleet.jobs[i % fleet.jobs.length]!.driver_id}`),
          ),
        );
        results.push(
          await scenario('reference: bare Worker, the least a status change writes', opts, (i) =>
            ref.request(`/write?job=${fleet.jobs[i % fleet.jobs.length]!.job_id}`, { method: 'POST' }),
          ),
        );
        const trackedWrite =
          (room: (i: number) => string, hub = '') =>
          (i: number) => {
            const job = fleet.jobs[i % fleet.jobs.length]!;
            return ref.request(`/tracked-write?job=${job.job_id}&user=${job.driver_id}&room=${room(i)}&hub=${hub}`, {
              method: 'POST',
            });
          };
        results.push(
          await scenario(
            FLOOR.accept,
            opts,
            trackedWrite(() => 'none', 'none'),
          ),
        );
        results.push(
          await scenario(
            FLOOR.create,
            opts,
            trackedWrite(() => 'none'),
          ),
        );
        // A job's room opens at its assignment; between two of its changes (minutes apart in
        // a storm, seconds here) it is out of memory, as the app's are by the time they are
        // measured: the second pass wakes the rooms the first opened, left alone past the
        // runtime's 10 s of idleness.
        const roomOf = (i: number) => `${run}-${i}`;
        results.push(await scenario(FLOOR.assign, opts, trackedWrite(roomOf)));
        await new Promise((r) => setTimeout(r, ROOM_IDLE_MS));
        results.push(await scenario(FLOOR.status, opts, trackedWrite(roomOf)));
      } finally {
        await ref.close().catch(() => {});
        await reference.stop();
      }
    }
    // BENCH_REFERENCE=only: the yardstick alone, for a sweep of rates.
    if (process.env.BENCH_REFERENCE !== 'only') {
      results.push(
        await route(FLOOR.read, 'GET /api/v1/jobs (admin list, 20 per page)', opts, (i) =>
          http.request(`/api/v1/jobs?limit=20`, { headers: json(admin(i)) }),
        ),
      );
      results.push(
        await route(FLOOR.read, 'POST /api/v1/pricing/estimate', opts, (i) =>
          http.request(`/api/v1/pricing/estimate`, {
            method: 'POST',
            headers: json(customers[i % ACCOUNTS]!.token),
            body: JSON.stringify({
              driveway_tier_id: tiers[i % tiers.length]!.id,
              lat: 43.2 + Math.random() * 0.05,
              lng: -71.55 + Math.random() * 0.05,
            }),
          }),
        ),
      );
      /** Created jobs by the index of the customer (and so the driver) they belong to. */
      const created: { id: string; account: number }[] = [];
      results.push(
        await route(FLOOR.create, 'POST /api/v1/jobs (create)', { ...opts, expect: (s) => s === 201 }, async (i) => {
          const c = customers[i % ACCOUNTS]!;
          const res = await http.request(`/api/v1/jobs`, {
            method: 'POST',
            headers: json(c.token),
            body: JSON.stringify({
              location_id: c.location_id,
              driveway_tier_id: tiers[i % tiers.length]!.id,
              client_event_id: `bench-${run}-${i}`,
            }),
          });
          if (res.status === 201)
            created.push({ id: ((await res.clone().json()) as { job: { id: string } }).job.id, account: i % ACCOUNTS });
          return res;
        }),
      );
      // The day's flow for each created job: a dispatcher assigns it to its customer's
      // driver (the job's room opens here), the driver accepts it, then sets off.
      const followUp = { rate: RATE, seconds: Math.min(SECONDS, created.length / RATE) };
      const driverOf = (i: number) => fleet.jobs[created[i]!.account]!;
      results.push(
        await route(FLOOR.assign, 'POST /api/v1/jobs/:id/assign', { ...followUp, expect: (s) => s === 200 }, (i) =>
          http.request(`/api/v1/jobs/${created[i]!.id}/assign`, {
            method: 'POST',
            headers: json(admin(i)),
            body: JSON.stringify({ driver_id: driverOf(i).driver_id }),
          }),
        ),
      );
      results.push(
        await route(
          FLOOR.accept,
          'POST /api/v1/drivers/me/jobs/:id/accept',
          { ...followUp, expect: (s) => s === 200 },
          (i) =>
            http.request(`/api/v1/drivers/me/jobs/${created[i]!.id}/accept`, {
              method: 'POST',
              headers: json(driverOf(i).driver_token),
            }),
        ),
      );
      results.push(
        await route(FLOOR.status, 'PATCH /api/v1/drivers/me/jobs/:id/status', followUp, (i) =>
          http.request(`/api/v1/drivers/me/jobs/${created[i]!.id}/status`, {
            method: 'PATCH',
            headers: json(fleet.jobs[created[i]!.account]!.driver_token),
            body: JSON.stringify({ status: 'en_route', client_event_id: `bench-status-${run}-${i}` }),
          }),
        ),
      );
    }
  }
  console.log(
    `\nAPI benchmark — ${machine()}; ${pooler ? 'Worker → PgBouncer (transaction mode) → PostgreSQL' : 'no pooler'}; ${directPort ? "the app's workerd directly (no dev proxy)" : "through wrangler dev's proxy"}; ${ACCOUNTS} accounts per role; LOG_LEVEL=${LOG_LEVEL}`,
  );
  rounds.forEach((results, i) => {
    if (ROUNDS > 1) console.log(`\n## Round ${i + 1} of ${ROUNDS}`);
    report(results, floorOf);
  });
  if (ROUNDS > 1) reportPooled(rounds, floorOf);
} finally {
  await db.end().catch(() => {});
  await http.close().catch(() => {});
  await app.stop();
  await pooler?.stop();
}

type Measured = LoadResult & { cpu: CpuShare[]; after: CpuShare[] };

/** The app's (or the yardstick's) workerd CPU per request in one measured scenario. */
function workerdMs(r: Measured | undefined): number | undefined {
  return r?.cpu.find((p) => p.name === 'workerd')?.ms;
}

/** The same process's CPU per request after the scenario's last response, until the machine was quiet. */
function afterMs(r: Measured): number {
  const pid = r.cpu.find((p) => p.name === 'workerd')?.pid;
  return r.after.find((p) => p.pid === pid)?.ms ?? 0;
}

/** One round: the latency table, the CPU per request by process, each route against its floor. */
function report(results: Measured[], floorOf: Map<string, string>): void {
  printTable(results);
  const label = (p: CpuShare) =>
    p.pid === process.pid ? 'bench (load + ws-bridge)' : p.name === 'workerd' ? `workerd ${p.pid}` : p.name;
  console.log('\nCPU per request (ms) by process:');
  for (const r of results) {
    const left = afterMs(r);
    console.log(
      `  ${r.name}: ${r.cpu.map((p) => `${label(p)} ${p.ms.toFixed(2)}`).join(', ')}${left >= 0.05 ? `; and after its last response, that workerd ${left.toFixed(2)} more` : ''}`,
    );
  }
  const byName = new Map(results.map((r) => [r.name, r]));
  const against = results.flatMap((r) => {
    const floor = floorOf.get(r.name);
    const ms = workerdMs(r);
    const floorMs = floor ? workerdMs(byName.get(floor)) : undefined;
    return ms && floorMs
      ? [`  ${r.name}: ${(ms / floorMs).toFixed(2)}× (${ms.toFixed(2)} against ${floorMs.toFixed(2)}, ${floor})`]
      : [];
  });
  if (against.length > 0) console.log(`\nEach route's workerd CPU against its floor:\n${against.join('\n')}`);
  for (const r of results) if (r.errors) console.log(`${r.name}: statuses ${JSON.stringify(r.statuses)}`);
}

/**
 * Every scenario's workerd CPU per request pooled over the rounds (all their CPU over all
 * their requests), each route against its floor pooled the same way, with the range of the
 * rounds' own ratios: a floor whose objects' SQLite files land on a busy disk moves by a
 * fifth from one round to the next.
 */
function reportPooled(rounds: Measured[][], floorOf: Map<string, string>): void {
  const pooled = new Map<string, { ms: number; after: number; sent: number }>();
  for (const r of rounds.flat()) {
    const ms = workerdMs(r);
    if (ms === undefined) continue;
    const p = pooled.get(r.name) ?? { ms: 0, after: 0, sent: 0 };
    p.ms += ms * r.sent;
    p.after += afterMs(r) * r.sent;
    p.sent += r.sent;
    pooled.set(r.name, p);
  }
  const perRequest = (name: string) => {
    const p = pooled.get(name);
    return p && p.sent > 0 ? p.ms / p.sent : undefined;
  };
  console.log(`\n## Pooled over ${rounds.length} rounds: workerd CPU per request (ms), each route against its floor`);
  for (const [name, p] of pooled) {
    const ms = perRequest(name)!;
    const left = p.after / p.sent;
    const leftNote = left >= 0.05 ? `; ${left.toFixed(2)} more after its last response` : '';
    const floor = floorOf.get(name);
    const floorMs = floor ? perRequest(floor) : undefined;
    if (!floor || !floorMs) {
      console.log(`  ${name}: ${ms.toFixed(2)}${leftNote}`);
      continue;
    }
    const ratios = rounds.flatMap((results) => {
      const a = workerdMs(results.find((r) => r.name === name));
      const b = workerdMs(results.find((r) => r.name === floor));
      return a && b ? [a / b] : [];
    });
    console.log(
      `  ${name}: ${ms.toFixed(2)} against ${floorMs.toFixed(2)} = ${(ms / floorMs).toFixed(2)}× (rounds ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)${leftNote}`,
    );
  }
}
