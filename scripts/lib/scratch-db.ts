/**
 * A throw-away database for tests that change the schema itself (migrations round trip):
 * a fresh database on the server in `DATABASE_URL` (dropped after; CI's Debian PostgreSQL),
 * or else a fresh embedded PGlite copy. Never the database other tests share.
 */
import pg from 'pg';
import { openDatabase } from './database';
import { pgConnectionString } from './migrate';

export interface ScratchDatabase {
  url: string;
  /** "PostgreSQL 15.x (scratch database …)" or "embedded PGlite …", for test output. */
  label: string;
  drop(): Promise<void>;
}

export async function openScratchDatabase(opts: { root: string; prefix: string }): Promise<ScratchDatabase> {
  const server = process.env.DATABASE_URL;
  if (!server) {
    const db = await openDatabase({ mode: 'test', root: opts.root });
    return { url: db.url, label: 'embedded PGlite', drop: db.stop };
  }
  const name = `${opts.prefix}_${process.pid}_${Date.now()}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: pgConnectionString(server) });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const version = await admin(async (c) => {
    await c.query(`CREATE DATABASE ${name}`);
    return String((await c.query(`SELECT current_setting('server_version') AS v`)).rows[0].v);
  });
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `PostgreSQL ${version} (scratch database ${name})`,
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}
