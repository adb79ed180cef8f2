/**
 * Smoke test for the local database stack, useful when CI's DB tests fail mysteriously:
 *   tsx scripts/lib/verify-db.ts            # embedded PGlite clone (test mode)
 *   DATABASE_URL=postgres://… tsx scripts/lib/verify-db.ts   # a real Postgres with PostGIS
 * Goes through the same path as the Worker: neon driver → ws-bridge → Postgres protocol.
 */
import { fileURLToPath } from 'node:url';
import { Pool, neonConfig } from '@neondatabase/serverless';
import { WebSocket } from 'ws';
import { openDatabase } from './database';
import { startWsBridge } from './ws-bridge';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ms = (t: number): string => `${(performance.now() - t).toFixed(1)} ms`;
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`verify-db: ${what}`);
}

let t = performance.now();
const db = await openDatabase({ mode: 'test', root });
console.log(`open database (${db.embedded ? 'embedded clone' : 'DATABASE_URL'}): ${ms(t)}  ${db.targetHostPort}`);
const bridge = await startWsBridge({ allowedTargets: [db.targetHostPort], log: (m) => console.warn(m) });
let pool: Pool | undefined;
try {
  neonConfig.webSocketConstructor = WebSocket;
  neonConfig.wsProxy = (host, port) => `${bridge.proxy}?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  pool = new Pool({ connectionString: db.url, max: 8 });
  pool.on('error', (err: Error) => console.error('pool error:', err.message));

  t = performance.now();
  const v = await pool.query<{ v: string }>('SELECT postgis_full_version() AS v');
  console.log(`postgis_full_version (incl. connect): ${ms(t)}\n  ${v.rows[0]?.v.slice(0, 90)}…`);

  t = performance.now();
  const d = await pool.query<{ m: number }>(
    `SELECT ST_Distance('SRID=4326;POINT(-71.06 42.36)'::geography, 'SRID=4326;POINT(-71.1 42.4)'::geography) AS m`,
  );
  const meters = Number(d.rows[0]?.m);
  check(meters > 5000 && meters < 6000, `unexpected ST_Distance ${meters}`);
  console.log(`ST_Distance = ${meters.toFixed(1)} m: ${ms(t)}`);

  t = performance.now();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('CREATE TABLE verify_db_rollback (id int, geom geography(Point, 4326))');
    await client.query(`INSERT INTO verify_db_rollback VALUES (1, 'SRID=4326;POINT(-71 42)')`);
    await client.query('ROLLBACK');
    const r = await client.query<{ t: string | null }>(`SELECT to_regclass('verify_db_rollback')::text AS t`);
    check(r.rows[0]?.t === null, 'table survived ROLLBACK');
  } finally {
    client.release();
  }
  console.log(`transaction rolled back: ${ms(t)}`);

  t = performance.now();
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, i) => pool!.query<{ n: number }>('SELECT $1::int AS n, pg_sleep(0.02)', [i])),
  );
  check(
    results.every((r, i) => r.rows[0]?.n === i),
    'concurrent results mixed up',
  );
  console.log(`8 concurrent queries (each sleeps 20 ms): ${ms(t)}`);

  const lat: number[] = [];
  for (let i = 0; i < 50; i++) {
    const s = performance.now();
    await pool.query('SELECT 1');
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  console.log(`SELECT 1 latency over 50 runs: p50 ${lat[25]!.toFixed(2)} ms, p95 ${lat[47]!.toFixed(2)} ms`);

  // The bridge must refuse targets it was not told about.
  const code = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://${bridge.proxy}?address=127.0.0.1:1`);
    ws.on('close', (c) => resolve(c));
    ws.on('error', () => resolve(-1));
  });
  check(code === 1008, `bridge accepted a disallowed target (close code ${code})`);
  console.log('bridge refused disallowed target: ok');
  console.log('verify-db: OK');
} finally {
  t = performance.now();
  await pool?.end();
  await bridge.stop();
  await db.stop();
  console.log(`shutdown: ${ms(t)}`);
}
process.exit(0);
