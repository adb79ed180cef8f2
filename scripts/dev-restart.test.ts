import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './lib/database';
import { migrate } from './lib/migrate';
import { DEMO_USERS, seedDemo } from './lib/seed';
import { CONTRACT_CUSTOMERS } from './lib/seed-contracts';

/**
 * `npm start`'s database across a restart: the embedded Postgres+PostGIS in `.data/pglite`
 * (here under a scratch root, on any free port) is migrated and seeded once, keeps what was
 * written when it is stopped and started again, and the second start applies nothing.
 */
describe('the embedded development database', () => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, PGLITE_PORT: process.env.PGLITE_PORT };
  let root = '';
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  it('keeps its data when stopped and started again, and the restart migrates and seeds nothing', async () => {
    delete process.env.DATABASE_URL;
    process.env.PGLITE_PORT = '0';
    root = await mkdtemp(path.join(os.tmpdir(), 'plow-dev-restart-'));

    const first = await openDatabase({ mode: 'dev', root });
    expect(first.embedded).toBe(true);
    try {
      expect((await migrate(first.url)).applied).toBeGreaterThan(0);
      expect((await seedDemo(first.url)).seeded).toBe(true);
      await query(first.url, `UPDATE operator_settings SET business_name = 'Kept Across Restarts'`);
    } finally {
      await first.stop();
    }

    const second = await openDatabase({ mode: 'dev', root });
    try {
      expect((await migrate(second.url)).applied).toBe(0);
      expect((await seedDemo(second.url)).seeded).toBe(false);
      expect(await query(second.url, 'SELECT business_name FROM operator_settings')).toEqual([
        { business_name: 'Kept Across Restarts' },
      ]);
      const users = await query<{ n: number }>(
        second.url,
        `SELECT count(*)::int AS n FROM users WHERE email LIKE '%@demo.test'`,
      );
      expect(users[0]!.n).toBe(DEMO_USERS.length + CONTRACT_CUSTOMERS.length);
    } finally {
      await second.stop();
    }
  }, 180_000);
});
