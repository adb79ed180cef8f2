/**
 * `npm run admin:invite -- <email> "<full name>"`: the operator's way to create the first
 * admin (and any admin when nobody can sign in). Prints a one-time link; following it
 * sets a password and enrols an authenticator app (TOTP), after which the admin signs in
 * normally and invites everyone else from the portal.
 *
 *   DATABASE_URL=… APP_URL=https://plow.example.com npm run admin:invite -- dana@example.com "Dana Dispatcher"
 */
import pg from 'pg';
import { INVITE_PENDING_HASH } from '../worker/auth/passwords';
import { randomToken, sha256Hex } from '../worker/lib/ids';

const [emailArg, ...nameParts] = process.argv.slice(2);
const email = emailArg?.trim().toLowerCase();
const fullName = nameParts.join(' ').trim();
const databaseUrl = process.env.DATABASE_URL;
const appUrl = (process.env.APP_URL ?? 'http://localhost:8787').replace(/\/+$/, '');

if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || !fullName) {
  console.error('Usage: npm run admin:invite -- <email> "<full name>"   (DATABASE_URL and APP_URL in the environment)');
  process.exit(1);
}
if (!databaseUrl) {
  console.error('DATABASE_URL is not set: export the Postgres connection string first.');
  process.exit(1);
}

const INVITE_TTL_HOURS = 7 * 24;
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
try {
  await client.query('BEGIN');
  const existing = await client.query<{ id: string; role: string; password_hash: string }>(
    'SELECT id, role, password_hash FROM users WHERE lower(email) = $1',
    [email],
  );
  let userId = existing.rows[0]?.id;
  if (
    existing.rows[0] &&
    (existing.rows[0].role !== 'admin' || existing.rows[0].password_hash !== INVITE_PENDING_HASH)
  ) {
    throw new Error(
      `${email} already has an active ${existing.rows[0].role} account; use "forgot password" or another address.`,
    );
  }
  if (!userId) {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO users (email, full_name, role, password_hash, is_active) VALUES ($1, $2, 'admin', $3, false) RETURNING id`,
      [email, fullName, INVITE_PENDING_HASH],
    );
    userId = inserted.rows[0]!.id;
  }
  const token = randomToken(32);
  await client.query(`DELETE FROM auth_tokens WHERE user_id = $1 AND purpose = 'invite'`, [userId]);
  await client.query(
    `INSERT INTO auth_tokens (user_id, purpose, token_hash, expires_at) VALUES ($1, 'invite', $2, now() + make_interval(hours => $3))`,
    [userId, sha256Hex(`invite:${token}`), INVITE_TTL_HOURS],
  );
  await client.query(
    `INSERT INTO audit_log (actor_user_id, action, entity_type, entity_id, after) VALUES (NULL, 'user.invite', 'user', $1, $2)`,
    [userId, JSON.stringify({ email, role: 'admin', full_name: fullName, via: 'scripts/invite-admin.ts' })],
  );
  await client.query('COMMIT');
  console.log(
    `\nInvitation for ${fullName} <${email}> (admin), valid for 7 days:\n\n  ${appUrl}/auth/accept-invite#token=${token}\n`,
  );
} catch (err) {
  await client.query('ROLLBACK').catch(() => {});
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await client.end();
}
