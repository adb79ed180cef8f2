/**
 * Picks the database for local dev / tests (Node only):
 * - `DATABASE_URL` set → use it as is (real Postgres, e.g. CI with Debian's PostGIS);
 * - otherwise the embedded PGlite+PostGIS server: a persistent `.data/pglite` in dev, a
 *   throw-away clone of `.data/pglite-template` per test run (fresh schema, ~3 s instead of ~15 s).
 */
import { access, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { cloneDataDir, isProcessAlive, prepareTemplate, startEmbeddedPostgres } from './embedded-db';

export interface OpenDatabaseOptions {
  mode: 'dev' | 'test';
  /** Repo root; data lives in `<root>/.data` (git-ignored). */
  root: string;
}

export interface OpenedDatabase {
  /** Connection string for `pg` / drizzle-kit / the Worker's DATABASE_URL. */
  url: string;
  /** "host:port" the Worker dials; pass it to the ws-bridge's `allowedTargets`. */
  targetHostPort: string;
  /** True when this process runs the embedded server (false: external DATABASE_URL). */
  embedded: boolean;
  stop(): Promise<void>;
}

const DEFAULT_DEV_PORT = 54329;

/** "host:port" from a postgres URL (default port 5432; IPv6 brackets stripped). */
export function hostPortOf(url: string): string {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '') || 'localhost';
  return `${host}:${u.port || '5432'}`;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) {
    return { url: external, targetHostPort: hostPortOf(external), embedded: false, stop: async () => {} };
  }
  const dataRoot = path.join(opts.root, '.data');
  const template = path.join(dataRoot, 'pglite-template');

  if (opts.mode === 'dev') {
    // Persistent: only seeded from the template the first time, never reset here.
    const dataDir = path.join(dataRoot, 'pglite');
    const fresh = await access(path.join(dataDir, 'PG_VERSION')).then(
      () => false,
      () => true,
    );
    if (fresh) {
      await prepareTemplate(template);
      await rm(dataDir, { recursive: true, force: true }); // a half-copied dir from a killed run
      await cloneDataDir(template, dataDir);
    }
    const port = Number(process.env.PGLITE_PORT ?? DEFAULT_DEV_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`bad PGLITE_PORT: ${process.env.PGLITE_PORT}`);
    const db = await startEmbeddedPostgres({ dataDir, port });
    return { url: db.url, targetHostPort: `${db.host}:${db.port}`, embedded: true, stop: db.stop };
  }

  await prepareTemplate(template);
  await removeStaleTestDirs(dataRoot);
  const dataDir = path.join(dataRoot, `test-${process.pid}-${Date.now()}`);
  await cloneDataDir(template, dataDir);
  try {
    const db = await startEmbeddedPostgres({ dataDir, port: 0 });
    const stop = async (): Promise<void> => {
      await db.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
    return { url: db.url, targetHostPort: `${db.host}:${db.port}`, embedded: true, stop };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Deletes `test-<pid>-*` dirs (and locks) left by runs killed before they could clean up. */
async function removeStaleTestDirs(dataRoot: string): Promise<void> {
  const names = await readdir(dataRoot).catch(() => [] as string[]);
  for (const name of names) {
    const pid = /^test-(\d+)-\d+(\.lock)?$/.exec(name)?.[1];
    if (pid && !isProcessAlive(Number(pid))) await rm(path.join(dataRoot, name), { recursive: true, force: true });
  }
}
