import { type Column, eq, type SQL } from 'drizzle-orm';

/**
 * `column = value` for each of `keys` the list query set, the query's parameter and the
 * table's column sharing the name; a parameter left out (or empty) filters nothing.
 */
export function equalityFilters<K extends string>(
  table: Record<K, Column>,
  query: Partial<Record<K, unknown>>,
  keys: readonly K[],
): SQL[] {
  return keys.flatMap((key) => (query[key] ? [eq(table[key], query[key])] : []));
}
