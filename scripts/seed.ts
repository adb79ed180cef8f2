/**
 * `npm run db:seed`: loads the demo operator, accounts, locations and jobs (SPEC §7) into
 * $DATABASE_URL, after `npm run db:migrate`. Does nothing when the demo admin exists, and
 * refuses with APP_ENV or NODE_ENV set to production or staging. `npm start` seeds its own
 * database; this is for a local PostgreSQL you point the app at.
 */
import { seedDemo } from './lib/seed';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    'DATABASE_URL is not set. Point it at a migrated development database, e.g.\n  DATABASE_URL=postgres://user:pass@127.0.0.1:5432/plow npm run db:seed',
  );
  process.exit(1);
}

try {
  const { seeded } = await seedDemo(databaseUrl);
  console.log(seeded ? 'Demo data loaded (logins in the README).' : 'Demo data already there: nothing to do.');
} catch (err) {
  console.error('Seeding failed:', err instanceof Error ? err.message : err);
  process.exit(1);
}
