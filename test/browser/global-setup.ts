import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { freePort, startApp } from '../../scripts/lib/app';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the app under test: the Worker (API, /ws) and the built web apps. */
    appUrl: string;
    /** Where that app's wrangler keeps local R2 (for `npm run tiles:load -- … --persist-to`). */
    appPersistTo: string;
  }
}

/**
 * The whole app as a user meets it, once per run: a fresh embedded Postgres+PostGIS with
 * the demo data, the web apps built by Vite, and `wrangler dev` serving both.
 */
export default async function setup(project: TestProject) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  // Iterating on the UI: BROWSER_APP_URL points the tests at an app you already run.
  if (process.env.BROWSER_APP_URL) {
    project.provide('appUrl', process.env.BROWSER_APP_URL);
    project.provide('appPersistTo', root + '.data/wrangler'); // what `npm start` uses
    return async () => {};
  }
  const started = Date.now();
  // Many sign-ins from one IP in a few minutes: loosen the auth rate limit for the run.
  // A port found free can be taken again before wrangler binds it (the DB bridge also asks
  // the kernel for one): try another on "address in use".
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  for (let attempt = 1; !app; attempt++) {
    try {
      app = await startApp({
        root,
        mode: 'test',
        port: await freePort(),
        build: attempt === 1,
        log: () => {},
        vars: { RATE_LIMIT_AUTH: '1000/60' },
      });
    } catch (err) {
      if (attempt >= 3) throw err;
      console.warn(`[browser] app did not start (${String(err)}); retrying`);
    }
  }
  console.log(`[browser] app ready at ${app.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('appUrl', app.url);
  project.provide('appPersistTo', app.persistTo);
  return async () => {
    await app.stop();
  };
}
