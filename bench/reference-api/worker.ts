import { DurableObject } from 'cloudflare:workers';
import { openPool } from '../../worker/lib/neon-config';

interface Env {
  DATABASE_URL: string;
  /** The bench's WebSocket→TCP bridge, as the app gets it. */
  DB_WS_PROXY: string;
  USER: DurableObjectNamespace<User>;
  ROOM: DurableObjectNamespace<Room>;
  HUB: DurableObjectNamespace<Hub>;
  RL: RateLimit;
}

/** The least a per-user revocation check is: one stored value read. */
export class User extends DurableObject {
  check(issuedMs: number): boolean {
    return (this.ctx.storage.kv.get<number>('revoked_before_ms') ?? 0) > issuedMs;
  }
}

/** The least a job's live room is told: the status stored, sent to nobody. */
export class Room extends DurableObject {
  set(status: string): void {
    this.ctx.storage.kv.put('status', status);
  }
}

/** The least the operator's one dispatch object is told: a message for sockets it does not hold. */
export class Hub extends DurableObject {
  tell(text: string): number {
    return this.ctx.getWebSockets('role:admin').length + text.length;
  }
}

/**
 * The least a Worker on this stack does for a database read: the app's driver with the
 * app's settings (`openPool`; a pool per request, through the same bridge and PgBouncer)
 * running the admin job list's query and returning the rows as JSON. No routing, auth,
 * revocation check, rate limit, validation, ORM or logging — so the difference to the app
 * is our code, and what this one needs is the floor the platform and the machine set.
 *
 * `GET /jobs?user=<id>` is that read for a signed-in user: their revocation read in their own
 * Durable Object (instant revocation) and the rate-limit binding asked first, as every
 * signed-in route of the app does.
 *
 * `POST /write?job=<id>` is the same floor for a status change: the least any change of a
 * job does, in one transaction (BEGIN, read the job, the update guarded by the version it
 * read, the history row, COMMIT: five round trips), with the job's status left as it was.
 *
 * `POST /tracked-write?job=<id>&user=<id>&room=<name>` is the least this platform lets a
 * signed-in change that people watch live do: the user's revocation checked in their own
 * Durable Object (instant revocation), the rate-limit binding asked, the same write, then
 * the job's own object (`room`, default the job's id; `none` for a change no room hears of,
 * such as a new request) and the operator's one object told of it (`hub=none`: not told,
 * as for a driver taking on an assignment), in parallel. Each call is the bare minimum of
 * its kind — a stored value read or written, no validation, no ORM — so this is the floor
 * for the app's status change, assignment, acceptance and create, which do all of it and
 * more.
 */
export default {
  async fetch(req: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === '/healthz') return Response.json({ status: 'ok' });
    const pool = openPool(env, 1);
    try {
      if (url.pathname === '/write') return Response.json({ job: await touchJob(pool, url.searchParams.get('job')) });
      if (url.pathname === '/tracked-write')
        return Response.json({ job: await trackedWrite(env, pool, url.searchParams) });
      const user = url.searchParams.get('user');
      if (user !== null && !(await signedIn(env, user))) return Response.json({ jobs: [] });
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

/** The least a signed-in request adds: the user's revocation read in their object, the rate limit asked. */
async function signedIn(env: Env, userId: string): Promise<boolean> {
  if (await env.USER.get(env.USER.idFromName(userId)).check(Date.now() - 60_000)) return false;
  return (await env.RL.limit({ key: userId })).success;
}

async function trackedWrite(env: Env, pool: ReturnType<typeof openPool>, params: URLSearchParams): Promise<unknown> {
  const jobId = params.get('job') ?? '';
  if (!(await signedIn(env, params.get('user') ?? ''))) return null;
  const job = (await touchJob(pool, jobId)) as { status: string } | null;
  if (!job) return null;
  const room = params.get('room') ?? jobId;
  await Promise.all([
    room === 'none' ? null : env.ROOM.get(env.ROOM.idFromName(room)).set(job.status),
    params.get('hub') === 'none'
      ? null
      : env.HUB.get(env.HUB.idFromName('default')).tell(JSON.stringify({ type: 'job_status', job_id: jobId, ...job })),
  ]);
  return job;
}

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
