/**
 * `npm start`: the whole app locally with demo data. See scripts/lib/app.ts.
 */
import path from 'node:path';
import { startApp } from './lib/app';
import { DEMO_PASSWORD, DEMO_USERS } from './lib/seed';

const root = path.resolve(import.meta.dirname, '..');
const app = await startApp({ root, mode: 'dev', port: Number(process.env.PORT ?? 8787) });

console.log(`
  PlowDispatch is running at ${app.url}

    Customer app   ${app.url}/
    Driver app     ${app.url}/driver
    Admin portal   ${app.url}/admin

  Demo logins (password "${DEMO_PASSWORD}"):
${DEMO_USERS.map((u) => `    ${u.role.padEnd(9)} ${u.email}`).join('\n')}
    The admin's TOTP secret is JBSWY3DPEHPK3PXP (add it to any authenticator app).

  Ctrl-C stops everything; data is kept in .data/.
`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await app.stop();
    process.exit(0);
  });
}
