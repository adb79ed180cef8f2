import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { hostPortOf, openDatabase } from './database';
import { migrate } from './migrate';
import { seedDemo } from './seed';
import { startWsBridge } from './ws-bridge';
import { randomBytes } from 'node:crypto';

export interface RunningApp {
  url: string;
  databaseUrl: string;
  /** The `wrangler dev` process: its descendants are the app's workerd processes. */
  pid: number;
  /** Where its local Durable Object / R2 / Queue state lives (`wrangler … --persist-to`). */
  persistTo: string;
  stop(): Promise<void>;
}

/** A local TCP port nothing listens on now, for a server started next. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface StartAppOptions {
  root: string;
  mode: 'dev' | 'test';
  port?: number;
  /** Extra Worker variables (e.g. provider URLs pointed at stand-ins in tests). */
  vars?: Record<string, string>;
  /** Build the web app first (skipped when dist/web is current and `build` is false). */
  build?: boolean;
  /** false: serve no web app at all (API/WebSocket-only runs such as benchmarks). */
  web?: boolean;
  /** false: no demo data (the operator guide's run starts from an empty database). */
  seed?: boolean;
  /** Where wrangler keeps local Durable Object / R2 / Queue state (default: under .data/). */
  persistTo?: string;
  /**
   * The Worker's connection string when it differs from the one migrations and seeding use:
   * a pooler in front of the server, as Neon's pooled endpoint is in production.
   */
  workerDatabaseUrl?: string;
  /**
   * Another entry module in place of wrangler.toml's `main`, with the same configuration:
   * a benchmark's wrapper around the Worker (bench/cost-meter counts what the app bills).
   */
  entry?: string;
  log?: (line: string) => void;
}

const BIN = (root: string, name: string) => path.join(root, 'node_modules', '.bin', name);

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, stdio: 'inherit', env });
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

/**
 * Creates `.dev.vars` from the example, or adds keys the example gained since (a pull that
 * brought a new secret must not leave `npm start` refusing to serve). Signing secrets get
 * fresh random values instead of the example's placeholders.
 */
export function ensureDevVars(root: string): void {
  const target = path.join(root, '.dev.vars');
  const example = readFileSync(path.join(root, '.dev.vars.example'), 'utf8');
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  const have = new Set([...current.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
  const added: string[] = [];
  for (const line of example.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m || have.has(m[1]!)) continue;
    const key = m[1]!;
    const value = /^(JWT_SECRET|FILES_SIGNING_SECRET)$/.test(key) ? randomBytes(32).toString('hex') : m[2];
    added.push(`${key}=${value}`);
  }
  if (added.length === 0) return;
  const prefix = current === '' || current.endsWith('\n') ? current : `${current}\n`;
  writeFileSync(target, `${prefix}${added.join('\n')}\n`, { mode: 0o600 });
}

/**
 * The whole app locally: database (embedded PGlite+PostGIS or DATABASE_URL), migrations,
 * demo data, the WebSocket bridge for the Neon driver, the web build, and `wrangler dev`
 * serving Worker, Durable Objects, R2, Queues and Cron on one URL.
 */
export async function startApp(opts: StartAppOptions): Promise<RunningApp> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const db = await openDatabase({ mode: opts.mode, root: opts.root });
  const cleanups: (() => Promise<void>)[] = [db.stop];
  const stop = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const applied = await migrate(db.url);
    log(
      `database: ${db.embedded ? 'embedded PGlite+PostGIS' : 'DATABASE_URL'} (${applied.applied} migration(s) applied)`,
    );
    if (opts.seed !== false) {
      const seeded = await seedDemo(db.url);
      if (seeded.seeded) log('demo data loaded');
    }
    const bridgePort = opts.mode === 'dev' ? Number(process.env.DB_BRIDGE_PORT ?? 54330) : 0;
    const workerDatabaseUrl = opts.workerDatabaseUrl ?? db.url;
    const bridge = await startWsBridge({
      port: bridgePort,
      allowedTargets: [db.targetHostPort, hostPortOf(workerDatabaseUrl)],
    });
    cleanups.push(bridge.stop);
    if (opts.web === false) {
      mkdirSync(path.join(opts.root, 'dist/web'), { recursive: true });
    } else if (opts.build !== false || !existsSync(path.join(opts.root, 'dist/web/index.html'))) {
      await run(BIN(opts.root, 'vite'), ['build', '--logLevel', 'warn'], opts.root, {
        ...process.env,
        NODE_ENV: 'production',
      });
    }
    ensureDevVars(opts.root);
    const port = opts.port ?? 8787;
    const vars: Record<string, string> = {
      DATABASE_URL: workerDatabaseUrl,
      DB_WS_PROXY: bridge.proxy,
      ...(opts.mode === 'test' ? { APP_ENV: 'test' } : {}),
      ...opts.vars,
    };
    const args = [
      'dev',
      ...(opts.entry ? [opts.entry] : []),
      '--port',
      String(port),
      '--ip',
      '127.0.0.1',
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ];
    const persistDir =
      opts.persistTo ??
      path.join(opts.root, '.data', opts.mode === 'dev' ? 'wrangler' : `wrangler-test-${process.pid}-${port}`);
    args.push('--persist-to', persistDir);
    if (opts.mode === 'test') cleanups.push(() => rm(persistDir, { recursive: true, force: true }));
    for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
    const child: ChildProcess = spawn(BIN(opts.root, 'wrangler'), args, {
      cwd: opts.root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitForReady(url, child);
    return { url, databaseUrl: db.url, pid: child.pid!, persistTo: persistDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForReady(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the app at ${url} was not ready within ${timeoutMs} ms`);
}
