import { ApiError } from './errors';

/** An opaque keyset cursor: the (timestamp, id) of the last row of a page, newest first. */
export const encodeCursor = (at: Date, id: string): string => btoa(`${at.toISOString()}|${id}`);

export function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = atob(cursor).split('|');
    const date = new Date(at ?? '');
    if (Number.isNaN(date.getTime()) || !id || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw new ApiError(400, 'validation_failed', 'The cursor is not one this API gave out.', [{ field: 'cursor', message: 'invalid' }]);
  }
}
