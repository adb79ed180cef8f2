import { sql } from 'drizzle-orm';
import { withDb } from '../lib/db';
import { ensureSettings } from '../services/operator-setup';

export const MONTHS_AHEAD = 3;

/**
 * Monthly upkeep of the partitioned GPS log (migrations/0002): create the next months'
 * partitions, and drop whole months older than `operator_settings.location_retention_days`
 * (a DROP TABLE, not a slow DELETE). Pings outside any partition land in DEFAULT, so a
 * missed run loses nothing.
 */
export async function partitionUpkeep(
  env: Env,
  now = new Date(),
): Promise<{ created: number; dropped: number; cutoff: string }> {
  return withDb(env, async (db) => {
    const days = (await ensureSettings(db)).location_retention_days;
    const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
    const created =
      (await db.execute<{ n: number }>(sql`SELECT ensure_location_log_partitions(${MONTHS_AHEAD}) AS n`)).rows[0]?.n ??
      0;
    const dropped =
      (await db.execute<{ n: number }>(sql`SELECT drop_location_log_partitions_before(${cutoff}::date) AS n`)).rows[0]
        ?.n ?? 0;
    return { created: Number(created), dropped: Number(dropped), cutoff };
  });
}
