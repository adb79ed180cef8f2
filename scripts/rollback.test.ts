import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JOURNAL,
  migrate,
  migrationsStatus,
  missingDownMigrations,
  pgConnectionString,
  rollback,
  type QueryFn,
} from './lib/migrate';
import { schemaDump, type SchemaDump } from './lib/schema-dump';
import { openScratchDatabase, type ScratchDatabase } from './lib/scratch-db';

/**
 * Migrations forward and back on a scratch database: the embedded PGlite in `npm test`, a
 * fresh database on the server in DATABASE_URL in CI's Debian PostgreSQL section.
 */

const ROOT = new URL('..', import.meta.url).pathname;
const SLOW = 240_000;
const TAGS = JOURNAL.map((e) => e.tag);
const run = promisify(execFile);

let scratch: ScratchDatabase;

async function withQuery<T>(fn: (query: QueryFn) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgConnectionString(scratch.url) });
  await client.connect();
  try {
    return await fn(async (text) => (await client.query(text)).rows);
  } finally {
    await client.end();
  }
}
const dump = () => withQuery(schemaDump);

const NOTHING: Omit<SchemaDump, 'migrations_recorded'> = {
  columns: [],
  constraints: [],
  indexes: [],
  triggers: [],
  functions: [],
  sequences: [],
  views: [],
  types: [],
};

beforeAll(async () => {
  scratch = await openScratchDatabase({ root: ROOT, prefix: 'plow_rollback' });
  console.log(`migrations round trip on ${scratch.label}`);
}, SLOW);

afterAll(async () => {
  await scratch?.drop();
}, SLOW);

describe('down migrations', () => {
  it('exist for every migration in the journal', async () => {
    expect(TAGS.length).toBeGreaterThan(3);
    expect(await missingDownMigrations()).toEqual([]);
  });
});

describe('migrations forward and back', () => {
  let migrated: SchemaDump;

  it(
    'migrates a scratch database up',
    async () => {
      expect(await migrate(scratch.url)).toEqual({ applied: TAGS.length });
      migrated = await dump();
      expect(migrated.migrations_recorded).toBe(TAGS.length);
      expect(migrated.columns.some((c) => c.startsWith('jobs.status text'))).toBe(true);
      expect(migrated.triggers.length).toBeGreaterThan(10);
      expect(migrated.functions.some((f) => f.startsWith('ensure_location_log_partitions('))).toBe(true);
    },
    SLOW,
  );

  it(
    'rolls back one step by default, and that step goes forward again',
    async () => {
      expect(await rollback(scratch.url)).toEqual({ rolledBack: [TAGS.at(-1)], at: TAGS.at(-2) });
      expect(await migrationsStatus(scratch.url)).toMatchObject({ applied: TAGS.at(-2), current: false });
      const back = await dump();
      expect(back).not.toEqual(migrated);
      expect(await migrate(scratch.url)).toEqual({ applied: 1 });
      expect(await dump()).toEqual(migrated);
    },
    SLOW,
  );

  it(
    'refuses a tag that is unknown, changing nothing',
    async () => {
      await expect(rollback(scratch.url, { to: '0099_nothing' })).rejects.toThrow(
        /0099_nothing is not a migration in migrations\/meta\/_journal.json/,
      );
      expect(await dump()).toEqual(migrated);
    },
    SLOW,
  );

  it(
    'undoes nothing when a down file fails part-way: one transaction',
    async () => {
      // Drift the database so 0003's down file fails on its second statement.
      await withQuery((q) => q('DROP INDEX "idx_jobs_driver_id_active"'));
      const drifted = await dump();
      await expect(rollback(scratch.url, { to: TAGS[0] })).rejects.toThrow(
        /rolling back 0003_domain failed, nothing was changed: .*idx_jobs_driver_id_active/,
      );
      expect(await dump()).toEqual(drifted);
      await withQuery((q) =>
        q(
          `CREATE INDEX "idx_jobs_driver_id_active" ON "jobs" USING btree ("driver_id") WHERE "jobs"."status" IN ('assigned', 'en_route', 'arrived', 'in_progress')`,
        ),
      );
      expect(await dump()).toEqual(migrated);
    },
    SLOW,
  );

  it(
    'rolls back to a tag, then all the way to a database without any of our objects',
    async () => {
      expect(await rollback(scratch.url, { to: TAGS[1] })).toEqual({
        rolledBack: TAGS.slice(2).reverse(),
        at: TAGS[1],
      });
      await expect(rollback(scratch.url, { to: TAGS.at(-1) })).rejects.toThrow(
        /is not applied to this database; the database is at 0001_schema/,
      );

      expect(await rollback(scratch.url, { all: true })).toEqual({ rolledBack: TAGS.slice(0, 2).reverse(), at: null });
      const { migrations_recorded, ...objects } = await dump();
      expect(objects).toEqual(NOTHING);
      expect(migrations_recorded).toBe(0);
      expect(await migrationsStatus(scratch.url)).toMatchObject({ applied: null, current: false });
      expect(await rollback(scratch.url)).toEqual({ rolledBack: [], at: null });
    },
    SLOW,
  );

  it(
    'migrates up again to the same schema',
    async () => {
      expect(await migrate(scratch.url)).toEqual({ applied: TAGS.length });
      expect(await dump()).toEqual(migrated);
    },
    SLOW,
  );
});

describe('npm run db:rollback', () => {
  const cli = (args: string[], env: Record<string, string>) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/rollback.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );

  it(
    'rolls back to a tag on DATABASE_URL and says where the database is',
    async () => {
      const res = await cli(['--to', TAGS.at(-2)!], { DATABASE_URL: scratch.url, APP_ENV: 'staging' });
      expect(res).toMatchObject({ code: 0 });
      expect(res.out).toContain(`Rolled back ${TAGS.at(-1)}; the database is at ${TAGS.at(-2)}`);
      expect(await migrate(scratch.url)).toEqual({ applied: 1 });
    },
    SLOW,
  );

  it(
    'refuses production, and bad arguments, without touching the database',
    async () => {
      const before = await dump();
      const prod = await cli(['--all'], { DATABASE_URL: scratch.url, APP_ENV: 'production' });
      expect(prod.code).toBe(1);
      expect(prod.out).toMatch(/Refusing to roll back a production database.*forward-only/s);
      const bad = await cli(['--to'], { DATABASE_URL: scratch.url, APP_ENV: 'staging' });
      expect(bad.code).toBe(2);
      expect(bad.out).toMatch(/usage: npm run db:rollback/);
      expect(await dump()).toEqual(before);
    },
    SLOW,
  );
});
