/**
 * `npm run db:rollback [-- --to <tag> | --all]`: undoes migrations on $DATABASE_URL with the
 * hand-written files in migrations/down/, newest first, in one transaction.
 *   (no option)      undo the newest applied migration
 *   --to <tag>       undo every migration after <tag> (e.g. --to 0001_schema)
 *   --all            undo every migration (the database is left without our objects)
 * `npm run db:migrate` goes forward again. Staging and dev only: production is forward-only
 * and recovers with a Neon branch / point-in-time restore (docs/decisions/0045).
 */
import { parseArgs } from 'node:util';
import { migrationsStatus, rollback } from './lib/migrate';

const USAGE = 'usage: npm run db:rollback [-- --to <tag> | --all]   (tags: migrations/meta/_journal.json)';

let args: { to?: string; all?: boolean };
try {
  ({ values: args } = parseArgs({ options: { to: { type: 'string' }, all: { type: 'boolean' } }, strict: true }));
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exit(2);
}
if (args.to !== undefined && args.all) {
  console.error(`--to and --all do not go together.\n${USAGE}`);
  process.exit(2);
}

const env = (process.env.APP_ENV ?? process.env.NODE_ENV ?? '').toLowerCase();
if (env === 'production') {
  console.error(
    'Refusing to roll back a production database (APP_ENV/NODE_ENV=production): production migrations are forward-only.\n' +
      'To undo a bad migration there, restore from a Neon branch or point-in-time restore, or ship a new forward migration\n' +
      '(docs/decisions/0045-migrations-forward-and-back.md).',
  );
  process.exit(1);
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    `DATABASE_URL is not set. Export the connection string of the staging or dev database first.\n${USAGE}`,
  );
  process.exit(1);
}

try {
  const result = await rollback(databaseUrl, args);
  const status = await migrationsStatus(databaseUrl);
  if (result.rolledBack.length === 0)
    console.log(`Nothing to roll back; the database is at ${result.at ?? 'nothing'}.`);
  else
    console.log(
      `Rolled back ${result.rolledBack.join(', ')}; the database is at ${status.applied ?? 'nothing'} (latest ${status.latest}). \`npm run db:migrate\` goes forward again.`,
    );
} catch (err) {
  console.error(`Rollback failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
