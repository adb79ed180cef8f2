import { type SQL, sql } from 'drizzle-orm';
import type { JobStatus } from '../contract/enums';

/**
 * A vocabulary (a named status set from `contract/`) as an SQL list of literals, `'a', 'b'`.
 * Inlined rather than bound, so the planner can match partial indexes written the same way;
 * safe because the words come from the contract, never from input, and are checked here.
 */
export function sqlList(words: readonly string[]): SQL {
  for (const w of words) if (!/^[a-z_]+$/.test(w)) throw new Error(`not a vocabulary word: ${w}`);
  return sql.raw(words.map((w) => `'${w}'`).join(', '));
}

/** One job status as an SQL literal, checked against the contract by the compiler. */
export const sqlStatus = (status: JobStatus): SQL => sqlList([status]);
