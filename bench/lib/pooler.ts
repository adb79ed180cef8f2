import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './app';

export interface Pooler {
  /** `databaseUrl` with host and port replaced by the pooler's. */
  url: string;
  stop(): Promise<void>;
}

/**
 * PgBouncer (Debian's `pgbouncer` package) in transaction mode in front of a real
 * PostgreSQL, as Neon's pooled (`-pooler`) endpoint stands in front of a Neon database in
 * production. The Worker opens a connection per request (Workers cannot keep sockets
 * between requests), so without a pooler every request costs a Postgres backend start-up
 * and a burst of requests runs the server out of connections.
 *
 * Clients are not authenticated (`auth_type = any`, loopback only); the pooler logs in to
 * the server with the credentials of `databaseUrl`.
 */
export async function startPooler(databaseUrl: string, opts: { poolSize?: number } = {}): Promise<Pooler> {
  const bin = findPgBouncer();
  const target = new URL(databaseUrl);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'plow-pgbouncer-'));
  const port = await freePort();
  const dbName = decodeURIComponent(target.pathname.slice(1)) || 'postgres';
  const conn = [
    `host=${target.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1'}`,
    `port=${target.port || '5432'}`,
    `dbname=${dbName}`,
    `user=${decodeURIComponent(target.username)}`,
    target.password ? `password=${decodeURIComponent(target.password)}` : '',
  ].filter(Boolean);
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `${dbName} = ${conn.join(' ')}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      `default_pool_size = ${opts.poolSize ?? 20}`,
      'max_client_conn = 5000',
      'ignore_startup_parameters = extra_float_digits,options',
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root: run it as the postgres system user then.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
    chownSync(path.join(dir, 'pgbouncer.ini'), uid, gid);
  }
  const [cmd, args] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', bin, path.join(dir, 'pgbouncer.ini')]]
    : [bin, [path.join(dir, 'pgbouncer.ini')]];
  const child: ChildProcess = spawn(cmd, args as string[], { stdio: ['ignore', 'ignore', 'inherit'] });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child);
  } catch (err) {
    await stop();
    throw err;
  }
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return { url: url.toString(), stop };
}

function findPgBouncer(): string {
  for (const p of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) {
    try {
      execFileSync(p, ['--version'], { stdio: 'ignore' });
      return p;
    } catch {
      // next
    }
  }
  throw new Error(
    "PgBouncer not found: install Debian's package (apt-get install pgbouncer), or set BENCH_POOLER=off to measure without one",
  );
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pgbouncer did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}
