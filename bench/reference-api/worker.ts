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
 */
export default {
  async fetch(req: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    if (new URL(req.url).pathname === '/healthz') return Response.json({ status: 'ok' });
    const pool = openPool(env, 1);
    try {
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
