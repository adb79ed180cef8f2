import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { hostPortOf } from '../../scripts/lib/database';
import { startWsBridge } from '../../scripts/lib/ws-bridge';
import { freePort, ROOT } from './app';
import { findDirectPort } from './direct-port';

export interface ReferenceApi {
  /** The reference's own workerd (past wrangler's dev proxy), as the app is measured. */
  url: string;
  /** The `wrangler dev` process tree's root, whose workerd the CPU table names. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * The bare-Worker yardstick (bench/reference-api) under its own `wrangler dev`, reaching
 * `databaseUrl` (the pooler the app uses) through its own WebSocket→TCP bridge in this
 * process, as the app does.
 */
export async function startReferenceApi(databaseUrl: string): Promise<ReferenceApi> {
  const bridge = await startWsBridge({ allowedTargets: [hostPortOf(databaseUrl)] });
  const port = await freePort();
  const persistDir = path.join(ROOT, '.data', `wrangler-bench-api-${process.pid}`);
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'dev',
      '--config',
      path.join(ROOT, 'bench/reference-api/wrangler.toml'),
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--inspector-port',
      String(await freePort()),
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
      '--persist-to',
      persistDir,
      '--var',
      `DATABASE_URL:${databaseUrl}`,
      '--var',
      `DB_WS_PROXY:${bridge.proxy}`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  const stop = async () => {
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    await bridge.stop();
    rmSync(persistDir, { recursive: true, force: true });
  };
  const publicUrl = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    if (child.exitCode !== null) break;
    if (!(await fetch(`${publicUrl}/healthz`).then((r) => r.ok, () => false))) continue;
    const direct = await findDirectPort(port, child.pid);
    return { url: direct ? `http://127.0.0.1:${direct}` : publicUrl, pid: child.pid!, stop };
  }
  await stop();
  throw new Error('the reference API Worker did not start');
}
