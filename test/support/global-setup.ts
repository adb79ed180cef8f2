import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../scripts/lib/database';
import { migrate } from '../../scripts/lib/migrate';
import { seedDemo } from '../../scripts/lib/seed';
import { startWsBridge } from '../../scripts/lib/ws-bridge';
import { startDbGate } from './db-gate';
import { startStandIns } from './stand-ins';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    dbWsProxy: string;
    standInUrl: string;
    dbGateUrl: string;
    dbGateControl: string;
  }
}

/**
 * Runs in Node before the Worker tests: a real Postgres+PostGIS (a fresh embedded copy,
 * or DATABASE_URL), migrated and loaded with the demo data, and the WebSocket bridge the
 * Neon driver inside workerd connects through. Outside SaaS is stood in for by local
 * HTTP servers that record requests. The reliability tests reach the same database
 * through a fault-injecting gate as well (test/support/db-gate.ts).
 */
export default async function setup(project: TestProject) {
  const root = new URL('../..', import.meta.url).pathname;
  const db = await openDatabase({ mode: 'test', root });
  await migrate(db.url);
  await seedDemo(db.url);
  await withoutRequiredAfterPhoto(db.url);
  const gate = await startDbGate({ upstream: db.targetHostPort, databaseUrl: db.url });
  const bridge = await startWsBridge({
    allowedTargets: [db.targetHostPort, gate.targetHostPort],
    log: process.env.PLOW_DEBUG_BRIDGE ? (l) => console.error(l) : undefined,
  });
  const standIns = await startStandIns();
  project.provide('databaseUrl', db.url);
  project.provide('dbWsProxy', bridge.proxy);
  project.provide('standInUrl', standIns.url);
  project.provide('dbGateUrl', gate.databaseUrl);
  project.provide('dbGateControl', gate.controlUrl);
  return async () => {
    await standIns.stop();
    await bridge.stop();
    await gate.stop();
    await db.stop();
  };
}

/**
 * The suite's operator does not require an "after" photo to finish a job: most files walk
 * jobs to completed without one. test/worker/job-photos.test.ts requires it per job (the
 * job's own setting wins), so no file has to flip the operator-wide switch under the others.
 */
async function withoutRequiredAfterPhoto(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('UPDATE operator_settings SET require_after_photo = false');
  } finally {
    await client.end();
  }
}
