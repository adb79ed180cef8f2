/**
 * A comparable description of the app's own database objects: tables and columns,
 * constraints, indexes, triggers, functions, sequences, views and types in `public` that no
 * extension owns (PostGIS's `spatial_ref_sys` and functions are not ours), plus the number
 * of migrations drizzle has recorded. Two databases with equal dumps have the same schema;
 * an empty dump means none of our objects is left. Used by the migrations round-trip test.
 */
import type { QueryFn } from './migrate';

export interface SchemaDump {
  columns: string[];
  constraints: string[];
  indexes: string[];
  triggers: string[];
  functions: string[];
  sequences: string[];
  views: string[];
  types: string[];
  /** Rows in drizzle.__drizzle_migrations (0 when the table is absent). */
  migrations_recorded: number;
}

/** `pg_depend` says an extension owns this object. */
const NOT_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

const QUERIES: Record<Exclude<keyof SchemaDump, 'migrations_recorded'>, string> = {
  columns: `
    SELECT c.table_name || '.' || c.column_name || ' ' || c.udt_name || ' ' || c.is_nullable || ' ' || coalesce(c.column_default, '') AS line
    FROM information_schema.columns c
    JOIN pg_class r ON r.relname = c.table_name AND r.relnamespace = 'public'::regnamespace
    WHERE c.table_schema = 'public' AND ${NOT_EXTENSION('pg_class', 'r.oid')}`,
  constraints: `
    SELECT r.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) AS line
    FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid
    WHERE r.relnamespace = 'public'::regnamespace AND ${NOT_EXTENSION('pg_class', 'r.oid')}`,
  indexes: `
    SELECT i.indexdef AS line FROM pg_indexes i
    JOIN pg_class r ON r.relname = i.tablename AND r.relnamespace = 'public'::regnamespace
    WHERE i.schemaname = 'public' AND ${NOT_EXTENSION('pg_class', 'r.oid')}`,
  triggers: `
    SELECT pg_get_triggerdef(t.oid) AS line FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
    WHERE NOT t.tgisinternal AND r.relnamespace = 'public'::regnamespace`,
  functions: `
    SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(coalesce(p.prosrc, '')) AS line
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND ${NOT_EXTENSION('pg_proc', 'p.oid')}`,
  sequences: `
    SELECT c.relname AS line FROM pg_class c
    WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace AND ${NOT_EXTENSION('pg_class', 'c.oid')}`,
  views: `
    SELECT c.relname || ' ' || c.relkind::text AS line FROM pg_class c
    WHERE c.relkind IN ('v', 'm') AND c.relnamespace = 'public'::regnamespace AND ${NOT_EXTENSION('pg_class', 'c.oid')}`,
  types: `
    SELECT t.typname || ' ' || t.typtype::text AS line FROM pg_type t
    WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r') AND ${NOT_EXTENSION('pg_type', 't.oid')}`,
};

export async function schemaDump(query: QueryFn): Promise<SchemaDump> {
  const dump = { migrations_recorded: 0 } as SchemaDump;
  for (const [key, text] of Object.entries(QUERIES)) {
    const rows = await query(text);
    dump[key as keyof typeof QUERIES] = rows.map((r) => String(r.line)).sort();
  }
  const [reg] = await query(`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`);
  if (reg?.present)
    dump.migrations_recorded = Number(
      (await query('SELECT count(*) AS n FROM drizzle.__drizzle_migrations'))[0]?.n ?? 0,
    );
  return dump;
}
