/**
 * API benchmark (`npm run bench:api`): the app as `npm start` runs it (wrangler dev,
 * Durable Objects, real Postgres+PostGIS — set DATABASE_URL for a real server, else the
 * embedded one), driven open-loop at a fixed rate per scenario: job list, estimate, job
 * create, status change. Prints p50/p90/p99 and achieved throughput.
 *
 *   BENCH_RATE=200 BENCH_SECONDS=10 npm run bench:api
 */
import pg from 'pg';
import { printTable, runOpenLoop, type LoadResult } from './lib/load';
import { login, machine, startBenchApp } from './lib/app';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const app = await startBenchApp();
try {
  const customer = await login(app.url, 'customer1@demo.test');
  const admin = await login(app.url, 'admin@demo.test');
  const driver = await login(app.url, 'driver1@demo.test');
  const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
  const locations = (await (await fetch(`${app.url}/api/v1/customers/me/locations`, { headers: auth(customer.access_token) })).json()) as { locations: { id: string; label: string }[] };
  const home = locations.locations.find((l) => l.label === 'Home')!;
  const driverId = ((await (await fetch(`${app.url}/api/v1/drivers/me`, { headers: auth(driver.access_token) })).json()) as { driver: { id: string } }).driver.id;

  // Warm-up: first requests pay for module load and connection setup.
  for (let i = 0; i < 20; i++) await (await fetch(`${app.url}/api/v1/jobs?limit=20`, { headers: auth(admin.access_token) })).arrayBuffer();

  const results: LoadResult[] = [];
  results.push(await runOpenLoop('GET /api/v1/jobs (admin list, 20 per page)', { rate: RATE, seconds: SECONDS }, () => fetch(`${app.url}/api/v1/jobs?limit=20`, { headers: auth(admin.access_token) })));
  results.push(
    await runOpenLoop('POST /api/v1/pricing/estimate', { rate: RATE, seconds: SECONDS }, () =>
      fetch(`${app.url}/api/v1/pricing/estimate`, { method: 'POST', headers: auth(customer.access_token), body: JSON.stringify({ driveway_tier_id: 2, lat: 43.2 + Math.random() * 0.05, lng: -71.55 + Math.random() * 0.05 }) }),
    ),
  );
  const created: string[] = [];
  results.push(
    await runOpenLoop('POST /api/v1/jobs (create)', { rate: RATE, seconds: SECONDS }, async (i) => {
      const res = await fetch(`${app.url}/api/v1/jobs`, { method: 'POST', headers: auth(customer.access_token), body: JSON.stringify({ location_id: home.id, driveway_tier_id: 1 + (i % 6), client_event_id: `bench-${Date.now()}-${i}` }) });
      if (res.status === 201) {
        const body = (await res.clone().json()) as { job: { id: string } };
        created.push(body.job.id);
      }
      return res;
    }),
  );
  // Status change needs assigned jobs: assign the created ones to driver1 directly.
  const client = new pg.Client({ connectionString: app.databaseUrl });
  await client.connect();
  await client.query(`UPDATE jobs SET status = 'assigned', driver_id = $1, assigned_at = now(), version = version + 1 WHERE id = ANY($2::uuid[])`, [driverId, created]);
  await client.end();
  results.push(
    await runOpenLoop('PATCH /api/v1/drivers/me/jobs/:id/status', { rate: RATE, seconds: Math.min(SECONDS, created.length / RATE) }, (i) =>
      fetch(`${app.url}/api/v1/drivers/me/jobs/${created[i]}/status`, { method: 'PATCH', headers: auth(driver.access_token), body: JSON.stringify({ status: 'en_route', client_event_id: `bench-status-${i}-${Date.now()}` }) }),
    ),
  );
  console.log(`\nAPI benchmark — ${machine()}`);
  printTable(results);
} finally {
  await app.stop();
}
