/** `npm run db:migrate`: applies migrations/ to $DATABASE_URL (Neon or local). */
import { migrate, migrationsStatus } from './lib/migrate';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    'DATABASE_URL is not set. Export the Postgres connection string first, e.g.\n' +
      '  DATABASE_URL="postgresql://user:pass@ep-xxx.neon.tech/neondb?sslmode=require" npm run db:migrate',
  );
  process.exit(1);
}

try {
  const { applied } = await migrate(databaseUrl);
  const status = await migrationsStatus(databaseUrl);
  console.log(
    `Applied ${applied} migration(s); database is at ${status.applied ?? 'nothing'} (latest ${status.latest}).`,
  );
} catch (err) {
  console.error('Migration failed:', err);
  process.exit(1);
}
