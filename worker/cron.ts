import { sql } from 'drizzle-orm';
import { withDb } from './lib/db';

/**
 * Cron Triggers (wrangler.toml): every 5 minutes the stale-driver sweep, hourly the
 * partition upkeep of the GPS log. Each run is recorded in `cron_runs` for the health view.
 */
export async function runScheduled(cron: string, env: Env): Promise<void> {
  const jobs: Record<string, (env: Env) => Promise<void>> = {
    '0 * * * *': partitionUpkeep,
  };
  const job = jobs[cron];
  if (!job) return;
  await job(env);
}

async function partitionUpkeep(env: Env): Promise<void> {
  await withDb(env, async (db) => {
    await db.execute(sql`SELECT ensure_location_log_partitions(3)`);
  });
}
