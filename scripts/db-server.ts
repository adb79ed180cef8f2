/**
 * `npm run db:up`: the local dev database (embedded PGlite+PostGIS in `.data/pglite`, or
 * DATABASE_URL if set) plus the WebSocket bridge the Worker's neon driver dials. Runs until
 * Ctrl-C; PGlite must be closed cleanly or its data dir may need recovery on next start.
 */
import { fileURLToPath } from 'node:url';
import { openDatabase } from './lib/database';
import { startWsBridge } from './lib/ws-bridge';

const root = fileURLToPath(new URL('..', import.meta.url));
const t0 = performance.now();
const db = await openDatabase({ mode: 'dev', root });
const bridge = await startWsBridge({
  port: Number(process.env.DB_BRIDGE_PORT ?? 54330),
  allowedTargets: [db.targetHostPort],
  log: (msg) => console.warn(msg),
}).catch(async (err: unknown) => {
  await db.stop();
  throw err;
});

console.log(
  `database ${db.embedded ? '(embedded PGlite + PostGIS)' : '(DATABASE_URL)'} ready in ${Math.round(performance.now() - t0)} ms`,
);
console.log(`  DATABASE_URL=${db.url}`);
console.log(`  ws proxy:    ${bridge.proxy}?address=${db.targetHostPort}`);
console.log('Ctrl-C to stop.');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    console.warn(`${signal} again: forcing exit (data dir may need recovery)`);
    process.exit(1);
  }
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  try {
    await bridge.stop();
    await db.stop();
    console.log('stopped cleanly');
    process.exit(0);
  } catch (err) {
    console.error('error while stopping:', err);
    process.exit(1);
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
