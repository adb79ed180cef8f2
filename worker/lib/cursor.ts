import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { ApiError } from './errors';

/**
 * Keyset cursors for lists ordered by (timestamp DESC, id DESC). The timestamp travels
 * with Postgres' full microsecond precision — a JS Date would round it to milliseconds
 * and rows written in the same millisecond would be skipped between pages.
 */
export const cursorTimestamp = (col: AnyColumn) =>
  sql<string>`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const encodeCursor = (at: string, id: string) => btoa(`${at}|${id}`);

export function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = atob(cursor).split('|');
    if (!at || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at) || !id || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw new ApiError(400, 'validation_failed', 'The cursor is not one this API gave out.', [{ field: 'cursor', message: 'invalid' }]);
  }
}

/** The WHERE part that continues after `cursor` in (ts DESC, id DESC) order. */
export function afterCursor(ts: AnyColumn, id: AnyColumn, cursor: string): SQL {
  const c = decodeCursor(cursor);
  return sql`(${ts} < ${c.at}::timestamptz OR (${ts} = ${c.at}::timestamptz AND ${id} < ${c.id}::uuid))`;
}
