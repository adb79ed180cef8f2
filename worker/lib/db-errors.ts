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
