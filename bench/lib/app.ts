import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { freePort, startApp, type RunningApp, type StartAppOptions } from '../../scripts/lib/app';
import { totpAt } from '../../worker/auth/totp';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export { freePort };

/** The app as `npm start` runs it, on a throw-away copy of the embedded DB (or DATABASE_URL). */
export async function startBenchApp(): Promise<RunningApp> {
  return startApp({ root: ROOT, mode: 'test', port: await freePort(), build: false, log: () => {} });
}

/**
 * The API alone (no web app) as `npm start` runs it, on a free port, with a fresh signing key
 * the benchmark signs its own tokens with (seed-fleet.ts); `vars` and `options` add to it.
 */
export async function startApiApp(
  vars: Record<string, string> = {},
  options: Partial<StartAppOptions> = {},
): Promise<{ app: RunningApp; keys: { JWT_SECRET: string; JWT_KID: string } }> {
  const keys = { JWT_SECRET: randomBytes(32).toString('hex'), JWT_KID: 'bench' };
  const app = await startApp({
    root: ROOT,
    mode: 'test',
    port: await freePort(),
    web: false,
    vars: { ...keys, JWT_SECRET_PREVIOUS: '', JWT_KID_PREVIOUS: '', ...vars },
    log: () => {},
    ...options,
  });
  return { app, keys };
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
