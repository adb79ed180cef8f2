/**
 * Applies migrations/ with drizzle's node-postgres migrator, and reports whether a database is
 * current (for /readyz). `pg` and the migrator are imported lazily so `migrationsStatus` can be
 * used from the Worker with its own query function, without pulling Node-only code into the path.
 */
import journal from '../../migrations/meta/_journal.json' with { type: 'json' };

/** drizzle's bookkeeping table (drizzle-orm defaults). */
const MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations';
/** Serialises concurrent migrators (parallel test workers, two deploys) on one database. */
const ADVISORY_LOCK_KEY = 727_465_301;

/** Runs one SQL statement and returns its rows. */
export type QueryFn = (text: string) => Promise<Array<Record<string, unknown>>>;

/**
 * pg already treats `sslmode=require` (what Neon's URLs carry) as verify-full, but warns on every
 * process; spelling it out keeps the same security without the noise.
 */
export function pgConnectionString(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.searchParams.get('sslmode') === 'require') url.searchParams.set('sslmode', 'verify-full');
  return url.toString();
}

async function withClient<T>(databaseUrl: string, fn: (query: QueryFn, client: import('pg').Client) => Promise<T>) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: pgConnectionString(databaseUrl) });
  await client.connect();
  try {
    return await fn(async (text) => (await client.query(text)).rows, client);
  } finally {
    await client.end();
  }
}

async function appliedMillis(query: QueryFn): Promise<number[]> {
  const [reg] = await query(`SELECT to_regclass('${MIGRATIONS_TABLE}') IS NOT NULL AS present`);
  if (!reg?.present) return [];
  const rows = await query(`SELECT created_at::text AS created_at FROM ${MIGRATIONS_TABLE} ORDER BY created_at`);
  return rows.map((r) => Number(r.created_at));
}

/** Applies every pending migration in one transaction. Safe to re-run: returns `{ applied: 0 }`. */
export async function migrate(databaseUrl: string): Promise<{ applied: number }> {
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate: runMigrations } = await import('drizzle-orm/node-postgres/migrator');
  const { fileURLToPath } = await import('node:url');
  const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

  return withClient(databaseUrl, async (query, client) => {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]); // released by client.end()
    const before = (await appliedMillis(query)).length;
    await runMigrations(drizzle(client), { migrationsFolder });
    return { applied: (await appliedMillis(query)).length - before };
  });
}

export interface MigrationsStatus {
  /** Tag of the newest migration shipped with this code, e.g. "0002_triggers_partitions". */
  latest: string;
  /** Tag of the newest migration recorded in the database; null when none has run. */
  applied: string | null;
  /** True when the database has everything this code expects (or more). */
  current: boolean;
}

/**
 * Compares drizzle.__drizzle_migrations with migrations/meta/_journal.json. Pass a URL (Node, uses
 * pg) or a query function over an existing connection (e.g. the Worker's Neon client).
 */
export async function migrationsStatus(db: string | QueryFn): Promise<MigrationsStatus> {
  const applied = typeof db === 'string' ? await withClient(db, appliedMillis) : await appliedMillis(db);
  const entries = journal.entries;
  const latest = entries[entries.length - 1];
  const last = applied.at(-1);
  if (!latest) return { latest: '', applied: null, current: true };
  return {
    latest: latest.tag,
    applied: last === undefined ? null : (entries.find((e) => e.when === last)?.tag ?? `unknown (${last})`),
    current: last !== undefined && last >= latest.when,
  };
}
