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

/** The journal's migrations, oldest first (`tag` names the SQL file, `when` is its drizzle timestamp). */
export const JOURNAL: ReadonlyArray<{ tag: string; when: number }> = journal.entries;

/** `migrations/down/<tag>.down.sql`: the hand-written reverse of one migration. */
export function downMigrationUrl(tag: string): URL {
  return new URL(`../../migrations/down/${tag}.down.sql`, import.meta.url);
}

/** Journal tags without a down migration (a new migration needs one: scripts/rollback.test.ts checks). */
export async function missingDownMigrations(): Promise<string[]> {
  const { access } = await import('node:fs/promises');
  const missing: string[] = [];
  for (const e of JOURNAL) await access(downMigrationUrl(e.tag)).catch(() => missing.push(e.tag));
  return missing;
}

/** drizzle's file format: statements separated by `--> statement-breakpoint` lines. */
function statements(text: string): string[] {
  return text
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter((s) => s.replace(/^--.*$/gm, '').trim() !== '');
}

export interface RollbackOptions {
  /** Keep migrations up to and including this tag; undo the ones after it. */
  to?: string;
  /** Undo every applied migration. */
  all?: boolean;
}

export interface RollbackResult {
  /** Tags undone, newest first. */
  rolledBack: string[];
  /** Tag the database is at afterwards; null when no migration is applied. */
  at: string | null;
}

/**
 * Undoes applied migrations with their hand-written down files (migrations/down/), newest
 * first, in ONE transaction: a failing down file leaves the database as it was. Each undone
 * migration's row leaves drizzle's bookkeeping, so `migrate` applies it again. Default: the
 * newest one. For staging and dev only — production is forward-only (docs/decisions/0045).
 */
export async function rollback(databaseUrl: string, opts: RollbackOptions = {}): Promise<RollbackResult> {
  const { readFile } = await import('node:fs/promises');
  return withClient(databaseUrl, async (query, client) => {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]); // released by client.end()
    const applied = (await appliedMillis(query)).map((when) => {
      const entry = JOURNAL.find((e) => e.when === when);
      if (!entry)
        throw new Error(
          `the database has a migration this code does not know (created_at ${when}); roll back with the code that applied it`,
        );
      return entry;
    });
    let keep: number;
    if (opts.all) keep = 0;
    else if (opts.to !== undefined) {
      const i = applied.findIndex((e) => e.tag === opts.to);
      if (i < 0) {
        const known = JOURNAL.some((e) => e.tag === opts.to);
        throw new Error(
          `${opts.to} is ${known ? 'not applied to this database' : 'not a migration in migrations/meta/_journal.json'}; the database is at ${applied.at(-1)?.tag ?? 'nothing'}`,
        );
      }
      keep = i + 1;
    } else keep = Math.max(0, applied.length - 1);
    const undo = applied.slice(keep).reverse();
    const files = await Promise.all(
      undo.map(async (e) => ({
        tag: e.tag,
        when: e.when,
        sql: await readFile(downMigrationUrl(e.tag), 'utf8').catch(() => {
          throw new Error(`no down migration for ${e.tag}: write migrations/down/${e.tag}.down.sql`);
        }),
      })),
    );
    if (files.length === 0) return { rolledBack: [], at: applied.at(-1)?.tag ?? null };
    await client.query('BEGIN');
    let current = '';
    try {
      for (const f of files) {
        current = f.tag;
        for (const statement of statements(f.sql)) await client.query(statement);
        await client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE created_at = $1`, [f.when]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw new Error(
        `rolling back ${current} failed, nothing was changed: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    return { rolledBack: files.map((f) => f.tag), at: applied[keep - 1]?.tag ?? null };
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
