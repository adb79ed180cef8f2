import { defineConfig } from 'drizzle-kit';

/** `npm run db:generate` diffs db/schema.ts against migrations/meta and writes SQL to migrations/. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './migrations',
  // PostGIS owns spatial_ref_sys etc.; keep them out of introspection/push diffs.
  extensionsFilters: ['postgis'],
  ...(process.env.DATABASE_URL ? { dbCredentials: { url: process.env.DATABASE_URL } } : {}),
});
