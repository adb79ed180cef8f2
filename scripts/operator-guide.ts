/**
 * `npm run ops:guide`: follows the README's operator guide ("## Deploying") step by step on the
 * local stack, with a local PostgreSQL + PostGIS standing in for Neon. The commands come from
 * the README's `<!-- ops-guide:… -->` blocks (scripts/lib/operator-guide.ts), so the guide and
 * this run cannot drift apart (docs/decisions/0043):
 *
 *   postgis      run as written against a scratch database; PostGIS must then be installed
 *   migrate      run as written, twice: the first applies every migration, the second none
 *   resources    checked: creates exactly the buckets/queues of wrangler.toml's environments,
 *                and each wrangler subcommand exists in the pinned wrangler
 *   secrets      checked: the table lists exactly worker/config.ts's secrets, every required
 *                one has its `wrangler secret put`, and piped generators print 32+ bytes
 *   deploy       `npm run build` as written; `wrangler deploy --env production` with
 *                `--dry-run --outdir <tmp>` appended; no warnings, production bindings
 *   first-admin  run as written; the link it prints is then used on the local app (wrangler
 *                dev on the scratch database): accept the invitation, enrol TOTP, sign in,
 *                GET /auth/me as admin; the link does not work twice
 *   rollback     checked: each wrangler subcommand exists
 *
 * Usage: DATABASE_URL=postgres://user:pass@127.0.0.1:5432/postgres npm run ops:guide
 * (a server where this role may CREATE DATABASE; the scratch database is dropped at the end).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { totpAt } from '../worker/auth/totp';
import { sha256Hex } from '../worker/lib/ids';
import { freePort, startApp, type RunningApp } from './lib/app';
import { checkEnvironments, readAllEnvironments } from './lib/deploy-config';
import { parseDryRun, runCaptured } from './lib/dry-run';
import { migrationsStatus } from './lib/migrate';
import { commandsFor, offlineGuideProblems, parseGuide, withoutComment, type Guide } from './lib/operator-guide';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error(
    'DATABASE_URL is not set: point it at a PostgreSQL + PostGIS server where this role may CREATE DATABASE.',
  );
  process.exit(1);
}

const failures: string[] = [];
const fail = (step: string, msg: string) => {
  failures.push(`${step}: ${msg}`);
  console.error(`  ✗ ${msg}`);
};
const ok = (msg: string) => console.log(`  ✓ ${msg}`);

/** Runs one README command as written, in the repo root, with the scratch DATABASE_URL. */
async function sh(command: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return runCaptured('bash', ['-euo', 'pipefail', '-c', command], { cwd: root, env });
}

function scratchUrl(base: string, db: string): string {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin(base: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function queryOne<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows[0];
  } finally {
    await client.end();
  }
}

/** `npx wrangler a b c NAME --flags` → checks `wrangler a b c --help` exists in the pinned wrangler. */
async function checkWranglerCommand(step: string, command: string, words: number): Promise<void> {
  const m = /npx wrangler ((?:[a-z0-9-]+ ?)+)/.exec(command);
  const sub = m?.[1]?.trim().split(/\s+/).slice(0, words).join(' ');
  if (!sub) return fail(step, `cannot read the wrangler subcommand of "${command}"`);
  const { code, output } = await runCaptured(
    path.join(root, 'node_modules', '.bin', 'wrangler'),
    [...sub.split(' '), '--help'],
    { cwd: root },
  );
  const header = new RegExp(`^wrangler ${sub.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`, 'm');
  if (code !== 0 || !header.test(output)) fail(step, `\`wrangler ${sub}\` is not a command of the pinned wrangler`);
  else ok(`wrangler ${sub} exists`);
}

async function step<T>(name: string, title: string, fn: () => Promise<T>): Promise<T | undefined> {
  console.log(`\n▶ ${name}: ${title}`);
  const t0 = Date.now();
  try {
    return await fn();
  } catch (err) {
    fail(name, err instanceof Error ? err.message : String(err));
    return undefined;
  } finally {
    console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

async function api(app: RunningApp, method: string, route: string, body?: unknown, token?: string) {
  const res = await fetch(`${app.url}/api/v1${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { raw: text };
  }
  return { status: res.status, body: json };
}

// ───────────────────────────────────────────────────────────────────────────────────────────

const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const guide: Guide = parseGuide(readme);
const { top, named } = readAllEnvironments(root);
const scratch = `plow_ops_guide_${process.pid}_${Date.now().toString(36)}`;
const dbUrl = scratchUrl(serverUrl, scratch);
const env = { DATABASE_URL: dbUrl };
let app: RunningApp | undefined;
const tmp = await mkdtemp(path.join(os.tmpdir(), 'plow-ops-guide-'));

console.log(`Operator guide (README "## Deploying") on the local stack; scratch database ${scratch}`);
await step('offline', 'README ↔ worker/config.ts ↔ wrangler.toml ↔ .dev.vars.example', async () => {
  const problems = [...offlineGuideProblems(root, top, named), ...checkEnvironments(top, named)];
  for (const p of problems) fail('offline', p);
  if (!problems.length)
    ok(
      `${guide.blocks.length} marked blocks, ${guide.secrets.flatMap((r) => r.names).length} secrets in the table, all consistent`,
    );
});

try {
  await step('neon', 'create the database (Neon project → here a scratch database)', async () => {
    await admin(serverUrl, `CREATE DATABASE ${scratch}`);
    ok(`CREATE DATABASE ${scratch}`);
  });

  await step('postgis', 'enable PostGIS', async () => {
    for (const c of commandsFor(guide, 'postgis')) {
      const r = await sh(c, env);
      if (r.code !== 0) throw new Error(`"${c}" exited with ${r.code}:\n${r.output}`);
      ok(c);
    }
    const row = await queryOne<{ v: string }>(
      dbUrl,
      `SELECT extversion AS v FROM pg_extension WHERE extname = 'postgis'`,
    );
    if (!row) throw new Error('PostGIS is not installed after the postgis step');
    ok(`PostGIS ${row.v} installed`);
  });

  await step('migrate', 'run the migrations (twice: idempotent)', async () => {
    const cmds = commandsFor(guide, 'migrate');
    for (const [i, expectApplied] of [
      [1, 'some'],
      [2, 'none'],
    ] as const) {
      for (const c of cmds) {
        const r = await sh(c, env);
        if (r.code !== 0) throw new Error(`run ${i}: "${c}" exited with ${r.code}:\n${r.output}`);
        const n = Number(/Applied (\d+) migration/.exec(r.output)?.[1] ?? NaN);
        if (expectApplied === 'some' && !(n > 0))
          throw new Error(`run ${i}: expected migrations to be applied, output:\n${r.output}`);
        if (expectApplied === 'none' && n !== 0)
          throw new Error(`run ${i}: the second run applied ${n} migration(s), output:\n${r.output}`);
        ok(`run ${i}: ${c} → applied ${n}`);
      }
    }
    const status = await migrationsStatus(dbUrl);
    if (!status.current) throw new Error(`database at ${status.applied}, code expects ${status.latest}`);
    ok(`database current at ${status.applied}`);
  });

  await step('resources', 'create the R2 bucket and queues (checked against wrangler.toml)', async () => {
    const cmds = commandsFor(guide, 'resources').map(withoutComment);
    ok(`${cmds.length} create commands match wrangler.toml's staging + production resources (offline check)`);
    const shapes = new Map<string, string>();
    for (const c of cmds) shapes.set(c.replace(/ [a-z0-9-]+$/, ''), c);
    for (const c of shapes.values()) await checkWranglerCommand('resources', c, c.includes(' r2 ') ? 3 : 2);
  });

  await step('secrets', 'wrangler secret put (checked against worker/config.ts)', async () => {
    const cmds = commandsFor(guide, 'secrets').map(withoutComment);
    await checkWranglerCommand('secrets', cmds[0]!, 3);
    for (const c of cmds.filter((x) => x.includes('|'))) {
      const producer = c.slice(0, c.indexOf('|')).trim();
      const r = await sh(producer);
      const value = r.output.trim();
      if (r.code !== 0 || value.length < 32 || /\s/.test(value))
        fail(
          'secrets',
          `"${producer}" should print one 32+ character value, got ${JSON.stringify(value.slice(0, 80))}`,
        );
      else ok(`"${producer}" prints a ${value.length}-character value`);
    }
  });

  await step('deploy', 'build and deploy (deploy as a dry run)', async () => {
    for (const c of commandsFor(guide, 'deploy').map(withoutComment)) {
      if (c === 'npm run build') {
        const r = await sh(c, env);
        if (r.code !== 0) throw new Error(`"${c}" exited with ${r.code}:\n${r.output}`);
        ok(c);
      } else if (/^npx wrangler deploy --env production$/.test(c)) {
        const dry = `${c} --dry-run --outdir ${path.join(tmp, 'deploy')}`;
        const r = await sh(dry, { NO_COLOR: '1' });
        const parsed = parseDryRun(r.code, r.output);
        if (parsed.vars.APP_ENV !== 'production')
          parsed.problems.push(`APP_ENV is ${JSON.stringify(parsed.vars.APP_ENV)}, expected "production"`);
        for (const b of ['FILES', 'NOTIFICATIONS', 'JOB_ROOM', 'RL_ANON'])
          if (!parsed.bindings.includes(b)) parsed.problems.push(`binding ${b} missing from the dry run`);
        if (!/plowdispatch-files-production/.test(parsed.output))
          parsed.problems.push('the dry run does not bind plowdispatch-files-production');
        if (parsed.problems.length) {
          console.error(parsed.output);
          for (const p of parsed.problems) fail('deploy', p);
        } else ok(`${dry} → ${parsed.bindings.length} bindings, APP_ENV=production`);
      } else {
        fail(
          'deploy',
          `"${c}" is not a command this script knows how to follow (npm run build / npx wrangler deploy --env production)`,
        );
      }
    }
  });

  const invite = await step('first-admin', 'invite the first admin, then use the link', async () => {
    const cmds = commandsFor(guide, 'first-admin');
    if (cmds.length !== 1) throw new Error(`expected one command, found ${cmds.length}`);
    const c = cmds[0]!;
    const appUrl = /\bAPP_URL=(\S+)/.exec(c)?.[1];
    const email = /admin:invite -- (\S+@\S+)/.exec(c)?.[1]?.toLowerCase();
    if (!appUrl || !email) throw new Error(`"${c}" should set APP_URL and pass an email to npm run admin:invite`);
    const r = await sh(c, env);
    if (r.code !== 0) throw new Error(`"${c}" exited with ${r.code}:\n${r.output}`);
    const link = /(https?:\/\/\S+\/auth\/accept-invite#token=([A-Za-z0-9_-]+))/.exec(r.output);
    if (!link) throw new Error(`no enrolment link in the output:\n${r.output}`);
    if (!link[1]!.startsWith(`${appUrl.replace(/\/+$/, '')}/auth/accept-invite#token=`))
      throw new Error(`the link ${link[1]} is not on APP_URL ${appUrl}`);
    ok(`printed ${link[1]!.replace(/token=.*/, 'token=…')}`);
    const token = link[2]!;
    const row = await queryOne<{ role: string; is_active: boolean; days: number }>(
      dbUrl,
      `SELECT u.role, u.is_active, extract(epoch FROM t.expires_at - now()) / 86400 AS days
         FROM auth_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.purpose = 'invite' AND t.used_at IS NULL AND lower(u.email) = $2`,
      [sha256Hex(`invite:${token}`), email],
    );
    if (!row) throw new Error('no unused invite token row for that link');
    if (row.role !== 'admin' || row.is_active)
      throw new Error(
        `the invited user is ${row.role}, active=${row.is_active}; expected an inactive admin until the link is used`,
      );
    if (!(Number(row.days) > 6.9))
      throw new Error(`the link expires in ${Number(row.days).toFixed(2)} days, the guide says 7`);
    ok('auth_tokens has the invite (admin, inactive until used, valid 7 days)');
    return { token, email };
  });

  if (invite) {
    await step('first-admin', 'the link works on the app (wrangler dev on the scratch database)', async () => {
      process.env.DATABASE_URL = dbUrl; // startApp uses DATABASE_URL instead of the embedded DB
      app = await startApp({
        root,
        mode: 'test',
        port: await freePort(),
        build: false,
        seed: false,
        vars: { HIBP_ENABLED: 'false' },
        log: (l) => console.log(`  · ${l}`),
      });
      const ready = await fetch(`${app.url}/readyz`);
      if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}`);
      ok('/readyz 200');
      const password = `Op-${randomBytes(12).toString('base64url')}`;
      const accepted = await api(app, 'POST', '/auth/accept-invite', { token: invite.token, password });
      if (accepted.status !== 200 || !accepted.body.totp_enrolment_token)
        throw new Error(`accept-invite answered ${accepted.status} ${JSON.stringify(accepted.body)}`);
      ok('POST /auth/accept-invite → 200, password set, TOTP enrolment token');
      const enrol_token = accepted.body.totp_enrolment_token as string;
      const enrol = await api(app, 'POST', '/auth/totp/enrol', { enrol_token });
      if (enrol.status !== 200 || !enrol.body.secret)
        throw new Error(`totp/enrol answered ${enrol.status} ${JSON.stringify(enrol.body)}`);
      const secret = enrol.body.secret as string;
      // A code is good once per account: sign in with the next step's code (inside the ±1 window).
      const code = (ahead = 0) => totpAt(secret, Math.floor(Date.now() / 30_000) + ahead);
      const confirm = await api(app, 'POST', '/auth/totp/confirm', { enrol_token, code: await code() });
      if (confirm.status !== 200 || !Array.isArray(confirm.body.recovery_codes))
        throw new Error(`totp/confirm answered ${confirm.status} ${JSON.stringify(confirm.body)}`);
      ok(`TOTP enrolled (${confirm.body.recovery_codes.length} recovery codes)`);
      const login = await api(app, 'POST', '/auth/login', { email: invite.email, password, totp_code: await code(1) });
      if (login.status !== 200 || !login.body.access_token)
        throw new Error(`login answered ${login.status} ${JSON.stringify(login.body)}`);
      const me = await api(app, 'GET', '/auth/me', undefined, login.body.access_token);
      const user = me.body.user ?? me.body;
      if (me.status !== 200 || user.role !== 'admin' || String(user.email).toLowerCase() !== invite.email)
        throw new Error(`/auth/me answered ${me.status} ${JSON.stringify(me.body)}`);
      ok(`signed in with password + TOTP; /auth/me says ${user.email} (admin)`);
      const again = await api(app, 'POST', '/auth/accept-invite', { token: invite.token, password: `${password}x` });
      if (again.status < 400 || again.status >= 500 || !again.body.error?.code)
        throw new Error(`the link worked twice: ${again.status} ${JSON.stringify(again.body)}`);
      ok(`the link is one-time: a second use answers ${again.status} ${again.body.error.code}`);
    });
  }

  await step('rollback', 'backups and rollback (commands checked)', async () => {
    for (const c of commandsFor(guide, 'rollback').map(withoutComment))
      await checkWranglerCommand('rollback', c, c.includes('deployments') ? 2 : 1);
  });
} finally {
  if (app) await app.stop().catch(() => {});
  await rm(tmp, { recursive: true, force: true });
  await admin(serverUrl, `DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).then(
    () => console.log(`\ndropped ${scratch}`),
    (err) => fail('cleanup', `could not drop ${scratch}: ${err instanceof Error ? err.message : err}`),
  );
}

if (failures.length) {
  console.error(`\nops:guide FAILED (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log('\nops:guide passed: the README operator guide works step by step on the local stack');
