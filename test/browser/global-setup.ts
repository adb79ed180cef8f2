import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startApp } from '../../scripts/lib/app';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the app under test: the Worker (API, /ws) and the built web apps. */
    appUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The whole app as a user meets it, once per run: a fresh embedded Postgres+PostGIS with
 * the demo data, the web apps built by Vite, and `wrangler dev` serving both.
 */
export default async function setup(project: TestProject) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const started = Date.now();
  const app = await startApp({ root, mode: 'test', port: await freePort(), build: true, log: () => {} });
  console.log(`[browser] app ready at ${app.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('appUrl', app.url);
  return async () => {
    await app.stop();
  };
}
