import pg from 'pg';
import { hashPassword } from '../../worker/auth/passwords';
import { seedContracts } from './seed-contracts';

/** SPEC §7: the demo accounts and their one password. */
export const DEMO_PASSWORD = 'plow-demo-2026';
/** SPEC §7: the demo admin's TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s). */
export const DEMO_ADMIN_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

export const DEMO_USERS = [
  { email: 'admin@demo.test', role: 'admin', full_name: 'Dana Dispatcher', phone: '+16035550100' },
  { email: 'driver1@demo.test', role: 'driver', full_name: 'Dave Plowman', phone: '+16035550101' },
  { email: 'driver2@demo.test', role: 'driver', full_name: 'Erin Blade', phone: '+16035550102' },
  { email: 'driver3@demo.test', role: 'driver', full_name: 'Frank Salter', phone: '+16035550103' },
  { email: 'customer1@demo.test', role: 'customer', full_name: 'Carol Customer', phone: '+16035550111' },
  { email: 'customer2@demo.test', role: 'customer', full_name: 'Chris Driveway', phone: '+16035550112' },
  { email: 'customer3@demo.test', role: 'customer', full_name: 'Casey Snowbank', phone: '+16035550113' },
] as const;

/** The operator's home base (Concord, NH) and radius. */
export const DEMO_BASE = { address: '107 N Main St, Concord, NH 03301', lat: 43.2073, lng: -71.5376, radius_miles: 10 };

/** 2026 New England reference rates (ApexPlow §3.9). */
export const DEFAULT_TIERS = [
  ['1-Car Driveway', 6500],
  ['2-Car Driveway', 8500],
  ['3-Car Driveway', 10500],
  ['4-Car Driveway', 12500],
  ['5-Car Driveway', 14500],
  ['6-Car Driveway', 16500],
] as const;

const LOCATIONS: Record<
  string,
  { label: string; line1: string; city: string; zip: string; lat: number; lng: number }[]
> = {
  'customer1@demo.test': [
    { label: 'Home', line1: '12 Pleasant St', city: 'Concord', zip: '03301', lat: 43.2001, lng: -71.5452 },
    // ~16 miles from base: outside the 10-mile radius, to show the refusal.
    { label: 'Camp', line1: '900 Elm St', city: 'Manchester', zip: '03101', lat: 42.9956, lng: -71.4548 },
  ],
  'customer2@demo.test': [
    { label: 'Home', line1: '45 Loudon Rd', city: 'Concord', zip: '03301', lat: 43.2105, lng: -71.5101 },
  ],
  'customer3@demo.test': [{ label: 'Shop', line1: '3 Main St', city: 'Bow', zip: '03304', lat: 43.1353, lng: -71.547 }],
};

export function refuseProduction(): void {
  const env = (process.env.APP_ENV ?? process.env.NODE_ENV ?? '').toLowerCase();
  if (env === 'production' || env === 'staging') {
    throw new Error(`Refusing to load demo data into a ${env} database (APP_ENV/NODE_ENV=${env}).`);
  }
}

/**
 * Loads the demo operator, accounts, locations, a few jobs in different states and ~40
 * contract properties for storm operations (scripts/lib/seed-contracts.ts).
 * Safe to re-run: it does nothing when the demo admin already exists.
 */
export async function seedDemo(databaseUrl: string): Promise<{ seeded: boolean }> {
  refuseProduction();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const existing = await client.query(`SELECT 1 FROM users WHERE lower(email) = 'admin@demo.test'`);
    if (existing.rowCount) return { seeded: false };
    const hash = await hashPassword(DEMO_PASSWORD);
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO operator_settings (business_name, timezone) VALUES ('Granite State Plowing', 'America/New_York') ON CONFLICT DO NOTHING`,
    );
    await client.query(
      `INSERT INTO service_area_config (home_base_address, center_lat, center_lng, radius_miles) VALUES ($1, $2, $3, $4)`,
      [DEMO_BASE.address, DEMO_BASE.lat, DEMO_BASE.lng, DEMO_BASE.radius_miles],
    );
    const existingTiers = await client.query('SELECT count(*)::int AS n FROM pricing_config');
    if (existingTiers.rows[0].n === 0) {
      for (const [i, [label, cents]] of DEFAULT_TIERS.entries()) {
        await client.query('INSERT INTO pricing_config (tier_label, price_cents, sort_order) VALUES ($1, $2, $3)', [
          label,
          cents,
          i + 1,
        ]);
      }
    }
    const ids: Record<string, { user: string; profile: string | null }> = {};
    for (const u of DEMO_USERS) {
      const { rows } = await client.query(
        `INSERT INTO users (email, role, full_name, phone, password_hash, email_verified_at, phone_verified_at, sms_consent_at, totp_secret, totp_enabled_at)
         VALUES ($1, $2, $3, $4, $5, now(), now(), now(), $6, CASE WHEN $6::text IS NULL THEN NULL ELSE now() END) RETURNING id`,
        [u.email, u.role, u.full_name, u.phone, hash, u.role === 'admin' ? DEMO_ADMIN_TOTP_SECRET : null],
      );
      const userId = rows[0].id as string;
      let profile: string | null = null;
      if (u.role === 'driver') {
        const handle = u.email.split('@')[0];
        const r = await client.query(
          `INSERT INTO driver_profiles (user_id, status, vehicle_type, vehicle_make, vehicle_model, vehicle_year, license_plate, paypal_link, venmo_link)
           VALUES ($1, 'available', 'pickup', 'Ford', 'F-250', 2022, $2, $3, $4) RETURNING id`,
          [
            userId,
            `NH-${handle?.toUpperCase()}`,
            `https://paypal.me/demo${handle}`,
            `https://venmo.com/demo-${handle}`,
          ],
        );
        profile = r.rows[0].id;
      } else if (u.role === 'customer') {
        const r = await client.query(
          `INSERT INTO customer_profiles (user_id, preferred_contact) VALUES ($1, 'email') RETURNING id`,
          [userId],
        );
        profile = r.rows[0].id;
        for (const [i, l] of (LOCATIONS[u.email] ?? []).entries()) {
          await client.query(
            `INSERT INTO service_locations (customer_id, label, address_line1, city, state_province, postal_code, coordinates, is_default)
             VALUES ($1, $2, $3, $4, 'NH', $5, ST_SetSRID(ST_MakePoint($6, $7), 4326)::geography, $8)`,
            [profile, l.label, l.line1, l.city, l.zip, l.lng, l.lat, i === 0],
          );
        }
      }
      ids[u.email] = { user: userId, profile };
    }
    const admin = ids['admin@demo.test']!.user;
    await seedJob(client, ids['customer2@demo.test']!, null, 'pending', admin, 2);
    await seedJob(client, ids['customer3@demo.test']!, ids['driver2@demo.test']!, 'assigned', admin, 3);
    await seedJob(client, ids['customer2@demo.test']!, ids['driver3@demo.test']!, 'completed', admin, 2);
    await seedJob(client, ids['customer3@demo.test']!, null, 'cancelled', admin, 1);
    await seedContracts(client, hash, DEMO_BASE);
    await client.query('COMMIT');
    return { seeded: true };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}

const PATHS: Record<string, string[]> = {
  pending: ['pending'],
  assigned: ['pending', 'assigned'],
  completed: ['pending', 'assigned', 'en_route', 'arrived', 'in_progress', 'completed'],
  cancelled: ['pending', 'cancelled'],
};

/** One demo job walked through its statuses, with an event row per step. */
async function seedJob(
  client: pg.Client,
  customer: { user: string; profile: string | null },
  driver: { user: string; profile: string | null } | null,
  status: string,
  adminId: string,
  tierId: number,
): Promise<void> {
  const loc = await client.query(
    `SELECT id, address_line1 || ', ' || city || ', ' || state_province || ' ' || postal_code AS address, coordinates FROM service_locations WHERE customer_id = $1 AND is_default`,
    [customer.profile],
  );
  const l = loc.rows[0];
  const price = await client.query('SELECT price_cents FROM pricing_config WHERE sort_order = $1', [tierId]);
  const completed = status === 'completed';
  const { rows } = await client.query(
    `INSERT INTO jobs (customer_id, driver_id, location_id, job_address, job_coordinates, status, driveway_tier_id, quoted_price_cents, final_price_cents,
       requested_at, assigned_at, arrived_at, started_at, completed_at, cancelled_at, cancellation_reason, version)
     VALUES ($1, $2, $3, $4, $5, $6, (SELECT id FROM pricing_config WHERE sort_order = $7), $8, $9,
       now() - interval '3 hours', $10, $11, $11, $12, $13, $14, $15) RETURNING id`,
    [
      customer.profile,
      driver?.profile ?? null,
      l.id,
      l.address,
      l.coordinates,
      status,
      tierId,
      price.rows[0].price_cents,
      completed ? price.rows[0].price_cents : null,
      driver ? new Date(Date.now() - 2.5 * 3600_000) : null,
      completed ? new Date(Date.now() - 2 * 3600_000) : null,
      completed ? new Date(Date.now() - 1.5 * 3600_000) : null,
      status === 'cancelled' ? new Date(Date.now() - 2 * 3600_000) : null,
      status === 'cancelled' ? 'Plowed it myself' : null,
      PATHS[status]!.length - 1,
    ],
  );
  const jobId = rows[0].id;
  let prev: string | null = null;
  for (const [i, s] of PATHS[status]!.entries()) {
    const actor =
      i === 0
        ? customer.user
        : ['en_route', 'arrived', 'in_progress', 'completed'].includes(s)
          ? driver!.user
          : adminId;
    await client.query(
      `INSERT INTO job_status_events (job_id, previous_status, new_status, changed_by_user_id, created_at) VALUES ($1, $2, $3, $4, now() - make_interval(mins => $5))`,
      [jobId, prev, s, actor, 180 - i * 20],
    );
    prev = s;
  }
  if (completed) {
    await client.query(
      `INSERT INTO invoices (job_id, customer_id, status, subtotal_cents, tax_cents, total_cents, issued_at) VALUES ($1, $2, 'sent', $3, 0, $3, now())`,
      [jobId, customer.profile, price.rows[0].price_cents],
    );
  }
}
