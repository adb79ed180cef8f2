/**
 * True when Postgres refused a write for a unique constraint (SQLSTATE 23505) — the
 * losing side of a race that a prior SELECT could not rule out. Drizzle may wrap the
 * driver's error, so the cause chain is searched.
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const pg = e as { code?: string; constraint?: string };
    if (pg.code === '23505') return constraint === undefined || pg.constraint === constraint;
  }
  return false;
}

/** Seconds a client is asked to wait (Retry-After) when the database is unreachable. */
export const DB_RETRY_AFTER_SECONDS = 5;

/**
 * How the pg client inside `@neondatabase/serverless` reports a connection that could not
 * be opened or was lost mid-query (its own wording; not SQL errors, which say nothing of
 * the connection). "Client was closed" is left out on purpose: that is our own `end()`.
 */
const CONNECTION_LOST = [
  'Connection terminated unexpectedly',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'All attempts to open a WebSocket to connect to the database failed',
];

/**
 * SQLSTATEs of a server that is not there for us right now: class 08 (connection
 * exception), 57P01–57P03 (admin/crash shutdown, cannot connect now — Neon's compute
 * restarting), 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATE = /^(08\w{3}|57P0[123]|53300)$/;

/**
 * True when `err` means the database could not be reached or the connection was lost —
 * an outage the client should retry after a pause (503), not a bug (500). Drizzle wraps
 * the driver's error ("Failed query: …"), so the cause chain is searched; the driver
 * passes a WebSocket `error` event through as is.
 */
export function isDbUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_SQLSTATE.test(code)) return true;
    const message = e instanceof Error ? e.message : '';
    if (CONNECTION_LOST.some((m) => message.startsWith(m))) return true;
    if (typeof Event !== 'undefined' && e instanceof Event && e.type === 'error') return true;
  }
  return false;
}
