import pg from 'pg';
import { signAccessToken, type SigningEnv } from '../../worker/auth/tokens';
import type { LoadJob } from './ws-load';

export interface Fleet {
  /** One job per driver, each watched by its customer (whose saved location it is at). */
  jobs: (LoadJob & { location_id: string })[];
  /** Tokens of `dispatchers` seeded dispatcher accounts (any may watch any job). */
  dispatcher_tokens: string[];
  /** The same fleet with tokens signed now: access tokens last 15 minutes, longer runs renew them. */
  renew(): Promise<Fleet>;
}

/** The accounts and job seeded for one driver. */
interface SeededJob {
  driver_user: string;
  driver_id: string;
  customer_user: string;
  customer_id: string;
  location_id: string;
  job_id: string;
}

/**
 * `count` drivers, each with their own customer and one job already `assigned` to them,
 * written straight into the (throw-away, test-mode) database — an API login per account
 * would cost an Argon2 hash each. Accounts reuse the demo password hash. Tokens are signed
 * with the Worker's own signing code and the key the app under test was started with.
 * The dispatch object learns each driver's job from Postgres on their first ping.
 * Dispatcher accounts exist so a crowd of watchers on one job is many people, not one
 * user opening hundreds of sockets (which the per-user rate limit rightly refuses).
 */
export async function seedFleet(
  databaseUrl: string,
  keys: SigningEnv,
  count: number,
  dispatchers: number,
): Promise<Fleet> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const tag = Date.now().toString(36);
  const rows: SeededJob[] = [];
  const admins: string[] = [];
  try {
    await client.query('BEGIN');
    const {
      rows: [demo],
    } = await client.query<{ password_hash: string }>(
      `SELECT password_hash FROM users WHERE email = 'admin@demo.test'`,
    );
    const {
      rows: [tier],
    } = await client.query<{ id: number; price_cents: number }>(
      'SELECT id, price_cents FROM pricing_config ORDER BY sort_order LIMIT 1',
    );
    const user = (role: string, name: string, i: number) =>
      client.query<{ id: string }>(
        `INSERT INTO users (email, role, full_name, password_hash, email_verified_at) VALUES ($1, $2, $3, $4, now()) RETURNING id`,
        [`bench-${tag}-${role}-${i}@bench.test`, role, name, demo!.password_hash],
      );
    for (let i = 0; i < count; i++) {
      const driverUser = (await user('driver', `Bench Driver ${i}`, i)).rows[0]!.id;
      const driverId = (
        await client.query<{ id: string }>(
          `INSERT INTO driver_profiles (user_id, status) VALUES ($1, 'en_route') RETURNING id`,
          [driverUser],
        )
      ).rows[0]!.id;
      const customerUser = (await user('customer', `Bench Customer ${i}`, i)).rows[0]!.id;
      const customerId = (
        await client.query<{ id: string }>('INSERT INTO customer_profiles (user_id) VALUES ($1) RETURNING id', [
          customerUser,
        ])
      ).rows[0]!.id;
      const lat = 43.15 + (i % 10) / 100;
      const lng = -71.6 + Math.floor(i / 10) / 100;
      const locationId = (
        await client.query<{ id: string }>(
          `INSERT INTO service_locations (customer_id, label, address_line1, city, state_province, postal_code, coordinates, is_default)
           VALUES ($1, 'Home', $2, 'Concord', 'NH', '03301', ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, true) RETURNING id`,
          [customerId, `${i + 1} Bench St`, lng, lat],
        )
      ).rows[0]!.id;
      const jobId = (
        await client.query<{ id: string }>(
          `INSERT INTO jobs (customer_id, driver_id, location_id, job_address, job_coordinates, status, driveway_tier_id, quoted_price_cents, assigned_at, version)
           VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, 'assigned', $7, $8, now(), 1) RETURNING id`,
          [
            customerId,
            driverId,
            locationId,
            `${i + 1} Bench St, Concord, NH 03301`,
            lng,
            lat,
            tier!.id,
            tier!.price_cents,
          ],
        )
      ).rows[0]!.id;
      rows.push({
        driver_user: driverUser,
        driver_id: driverId,
        customer_user: customerUser,
        customer_id: customerId,
        location_id: locationId,
        job_id: jobId,
      });
    }
    for (let i = 0; i < dispatchers; i++) admins.push((await user('admin', `Bench Dispatcher ${i}`, i)).rows[0]!.id);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
  return signFleet(keys, rows, admins);
}

/** Signs the fleet's access tokens. */
async function signFleet(keys: SigningEnv, rows: SeededJob[], admins: string[]): Promise<Fleet> {
  const jobs = await Promise.all(
    rows.map(async (r, i) => ({
      job_id: r.job_id,
      driver_id: r.driver_id,
      location_id: r.location_id,
      driver_token: (
        await signAccessToken(keys, { sub: r.driver_user, role: 'driver', name: `Bench Driver ${i}`, did: r.driver_id })
      ).token,
      watcher_tokens: [await customerToken(keys, r.customer_user, r.customer_id, `Bench Customer ${i}`)],
    })),
  );
  const dispatcher_tokens = await Promise.all(
    admins.map(
      async (id, i) => (await signAccessToken(keys, { sub: id, role: 'admin', name: `Bench Dispatcher ${i}` })).token,
    ),
  );
  return { jobs, dispatcher_tokens, renew: () => signFleet(keys, rows, admins) };
}

/** A customer's access token, signed with the benchmark's own key. */
export async function customerToken(
  keys: SigningEnv,
  userId: string,
  customerId: string,
  name: string,
): Promise<string> {
  return (await signAccessToken(keys, { sub: userId, role: 'customer', name, cid: customerId })).token;
}
