import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freePort, ROOT } from './app';
import { findDirectPort } from './direct-port';

export interface WranglerDev {
  /** `http://127.0.0.1:<port>`: the public port, behind wrangler's dev proxy. */
  url: string;
  port: number;
  /** Its own workerd past that proxy (answering `/healthz`), or null when it cannot be found. */
  directUrl: string | null;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * One of the benchmarks' yardstick Workers (bench/reference-*) under its own `wrangler dev`
 * on `port`, with its own inspector port and a throwaway state directory, once `ready(url)`
 * says so (within 90 s). The benchmarks measure yardsticks as they measure the app: past
 * the dev proxy, at `directUrl`, when it is found.
 */
export async function startWranglerDev(opts: {
  config: string;
  port: number;
  vars?: Record<string, string>;
  ready: (url: string) => Promise<boolean>;
}): Promise<WranglerDev> {
  const persistDir = path.join(
    ROOT,
    '.data',
    `wrangler-bench-${path.basename(path.dirname(opts.config))}-${process.pid}`,
  );
  const vars = Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'dev',
      '--config',
      opts.config,
      '--port',
      String(opts.port),
      '--ip',
      '127.0.0.1',
      '--inspector-port',
      String(await freePort()),
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
      '--persist-to',
      persistDir,
      ...vars,
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }).then(() => rmSync(persistDir, { recursive: true, force: true }));
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev for ${opts.config} exited with ${child.exitCode}`);
    }
    if (await opts.ready(url).catch(() => false)) {
      const direct = await findDirectPort(opts.port, child.pid);
      return { url, port: opts.port, directUrl: direct ? `http://127.0.0.1:${direct}` : null, child, stop };
    }
  }
  await stop();
  throw new Error(`wrangler dev for ${opts.config} did not start`);
}
