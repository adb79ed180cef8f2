import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../scripts/lib/app';
import { totpAt } from '../../worker/auth/totp';

export const ROOT = path.resolve(import.meta.dirname, '../..');

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

/** The app as `npm start` runs it, on a throw-away copy of the embedded DB (or DATABASE_URL). */
export async function startBenchApp(): Promise<RunningApp> {
  return startApp({ root: ROOT, mode: 'test', port: await freePort(), build: false, log: () => {} });
}

export async function login(url: string, email: string): Promise<{ access_token: string; user: { id: string } }> {
  const body: Record<string, string> = { email, password: 'plow-demo-2026' };
  if (email.startsWith('admin')) body.totp_code = await totpAt('JBSWY3DPEHPK3PXP', Math.floor(Date.now() / 30_000));
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { access_token: string; user: { id: string } };
}

export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, database: ${process.env.DATABASE_URL ? 'DATABASE_URL (real PostgreSQL)' : 'embedded PGlite'}`;
}
