import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../scripts/lib/database';
import { migrate } from '../../scripts/lib/migrate';
import { seedDemo } from '../../scripts/lib/seed';
import { startWsBridge } from '../../scripts/lib/ws-bridge';
import { startStandIns } from './stand-ins';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    dbWsProxy: string;
    standInUrl: string;
  }
}

/**
 * Runs in Node before the Worker tests: a real Postgres+PostGIS (a fresh embedded copy,
 * or DATABASE_URL), migrated and loaded with the demo data, and the WebSocket bridge the
 * Neon driver inside workerd connects through. Outside SaaS is stood in for by local
 * HTTP servers that record requests.
 */
export default async function setup(project: TestProject) {
  const root = new URL('../..', import.meta.url).pathname;
  const db = await openDatabase({ mode: 'test', root });
  await migrate(db.url);
  await seedDemo(db.url);
  const bridge = await startWsBridge({ allowedTargets: [db.targetHostPort], log: process.env.PLOW_DEBUG_BRIDGE ? (l) => console.error(l) : undefined });
  const standIns = await startStandIns();
  project.provide('databaseUrl', db.url);
  project.provide('dbWsProxy', bridge.proxy);
  project.provide('standInUrl', standIns.url);
  return async () => {
    await standIns.stop();
    await bridge.stop();
    await db.stop();
  };
}
