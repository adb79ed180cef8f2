import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { ApiError } from './errors';

/**
 * Keyset-pagination cursors: an opaque token for the last row's (timestamp, id), so the
 * next page starts strictly after it however many rows arrive meanwhile. The timestamp
 * travels as Postgres' own microsecond text: a JS Date keeps only milliseconds, and rows
 * inside one millisecond would be skipped or repeated.
 */

/** Select expression: a timestamptz column as exact UTC text, for `encodeCursor`. */
export function cursorAt(col: SQLWrapper): SQL<string> {
  return sql<string>`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

export const encodeCursor = (at: string, id: string): string => btoa(`${at}|${id}`);

export function decodeCursor(cursor: string): { at: string; id: string } {
  try {
    const [at, id] = atob(cursor).split('|');
    if (!at || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(at) || Number.isNaN(Date.parse(at)))
      throw new Error('bad time');
    if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new Error('bad id');
    return { at, id };
  } catch {
    throw new ApiError(400, 'validation_failed', 'The cursor is not one this API gave out.', [
      { field: 'cursor', message: 'invalid' },
    ]);
  }
}

/**
 * Rows strictly after the cursor in `(col, id)` order, newest first by default (a row
 * comparison, which an index on (col, id) serves directly).
 */
export function afterCursor(col: SQLWrapper, idCol: SQLWrapper, cursor: string, dir: 'asc' | 'desc' = 'desc'): SQL {
  const { at, id } = decodeCursor(cursor);
  return dir === 'desc'
    ? sql`(${col}, ${idCol}) < (${at}::timestamptz, ${id}::uuid)`
    : sql`(${col}, ${idCol}) > (${at}::timestamptz, ${id}::uuid)`;
}

/** Splits the `limit + 1` rows a page query fetched into the page and the next cursor. */
export function page<R extends { _cursor_at: string; id: string }>(
  rows: R[],
  limit: number,
): { items: Omit<R, '_cursor_at'>[]; next_cursor: string | null } {
  const slice = rows.slice(0, limit);
  const last = slice.at(-1);
  return {
    items: slice.map(({ _cursor_at: _c, ...rest }) => rest),
    next_cursor: rows.length > limit && last ? encodeCursor(last._cursor_at, last.id) : null,
  };
}
