import path from 'node:path';
import { hostPortOf } from '../../scripts/lib/database';
import { startWsBridge } from '../../scripts/lib/ws-bridge';
import { freePort, ROOT } from './app';
import { startWranglerDev } from './wrangler-dev';

/**
 * The bare-Worker yardstick (bench/reference-api) under its own `wrangler dev`, reaching
 * `databaseUrl` (the pooler the app uses) through its own WebSocket→TCP bridge in this
 * process, as the app does. `url` is its own workerd, past the dev proxy, as the app is
 * measured.
 */
export async function startReferenceApi(databaseUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const bridge = await startWsBridge({ allowedTargets: [hostPortOf(databaseUrl)] });
  try {
    const dev = await startWranglerDev({
      config: path.join(ROOT, 'bench/reference-api/wrangler.toml'),
      port: await freePort(),
      vars: { DATABASE_URL: databaseUrl, DB_WS_PROXY: bridge.proxy },
      ready: (url) => fetch(`${url}/healthz`).then((r) => r.ok),
    });
    return {
      url: dev.directUrl ?? dev.url,
      stop: () => dev.stop().finally(() => bridge.stop()),
    };
  } catch (err) {
    await bridge.stop();
    throw err;
  }
}
