import { openPool } from '../../worker/lib/neon-config';

interface Env {
  DATABASE_URL: string;
  /** The bench's WebSocket→TCP bridge, as the app gets it. */
  DB_WS_PROXY: string;
}

/**
 * The least a Worker on this stack does for a database read: the app's driver with the
 * app's settings (`openPool`; a pool per request, through the same bridge and PgBouncer)
 * running the admin job list's query and returning the rows as JSON. No routing, auth,
 * revocation check, rate limit, validation, ORM or logging — so the difference to the app
 * is our code, and what this one needs is the floor the platform and the machine set.
 *
 * `POST /write?job=<id>` is the same floor for a status change: the least any change of a
 * job does, in one transaction (BEGIN, read the job, the update guarded by the version it
 * read, the history row, COMMIT: five round trips), with the job's status left as it was.
 */
export default {
  async fetch(req: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === '/healthz') return Response.json({ status: 'ok' });
    const pool = openPool(env, 1);
    try {
      if (url.pathname === '/write') return Response.json({ job: await touchJob(pool, url.searchParams.get('job')) });
      const { rows } = await pool.query(
        `SELECT id, status, customer_id, driver_id, job_address, quoted_price_cents, requested_at, updated_at
           FROM jobs ORDER BY requested_at DESC NULLS FIRST, id DESC NULLS FIRST LIMIT 20`,
      );
      return Response.json({ jobs: rows });
    } finally {
      ctx.waitUntil(pool.end());
    }
  },
};

async function touchJob(pool: ReturnType<typeof openPool>, jobId: string | null): Promise<unknown> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query('SELECT status, version FROM jobs WHERE id = $1', [jobId]);
    const job = rows[0] as { status: string; version: number } | undefined;
    if (job) {
      await client.query('UPDATE jobs SET version = version + 1 WHERE id = $1 AND version = $2', [jobId, job.version]);
      await client.query(
        'INSERT INTO job_status_events (job_id, previous_status, new_status, notes) VALUES ($1, $2, $2, $3)',
        [jobId, job.status, 'yardstick'],
      );
    }
    await client.query('COMMIT');
    return job ?? null;
  } finally {
    client.release();
  }
}
