import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readAllEnvironments } from './lib/deploy-config';
import {
  checkCodeEnvNames,
  checkDevVarsExample,
  checkResourceCommands,
  checkSecretCommands,
  checkSecretsTable,
  checkSteps,
  commandsFor,
  offlineGuideProblems,
  parseGuide,
} from './lib/operator-guide';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const guide = parseGuide(readme);
const { top, named } = readAllEnvironments(root);

describe("the README's operator guide agrees with the code (offline part of npm run ops:guide)", () => {
  it('passes every check on the real README, worker/config.ts, wrangler.toml and .dev.vars.example', () => {
    expect(offlineGuideProblems(root, top, named)).toEqual([]);
  });

  it('reads the marked blocks in order, with the commands CI runs', () => {
    expect(guide.blocks.map((b) => b.step)).toEqual([
      'postgis',
      'migrate',
      'resources',
      'secrets',
      'deploy',
      'first-admin',
      'rollback',
    ]);
    expect(commandsFor(guide, 'migrate')).toEqual(['npm run db:migrate']);
    expect(commandsFor(guide, 'deploy')).toEqual(['npm run build', 'npx wrangler deploy --env production']);
    expect(commandsFor(guide, 'first-admin')[0]).toMatch(/npm run admin:invite -- \S+@\S+ "/);
  });

  it('notices a step that went missing or moved', () => {
    const moved = { ...guide, blocks: [...guide.blocks.slice(1), guide.blocks[0]!] };
    expect(checkSteps(moved).join('\n')).toMatch(/out of order/);
    const missing = { ...guide, blocks: guide.blocks.filter((b) => b.step !== 'migrate') };
    expect(checkSteps(missing).join('\n')).toMatch(/ops-guide:migrate is missing/);
  });

  it('notices a secret missing from the table, an unknown one, and a wrong "required"', () => {
    const rows = guide.secrets.filter((r) => !r.names.includes('RESEND_WEBHOOK_SECRET'));
    expect(checkSecretsTable(rows).join('\n')).toMatch(/RESEND_WEBHOOK_SECRET \(worker\/config\.ts\) is missing/);
    const extra = [...guide.secrets, { names: ['STRIPE_KEY'], required: 'no', purpose: 'x' }];
    expect(checkSecretsTable(extra).join('\n')).toMatch(/STRIPE_KEY is not a setting worker\/config\.ts knows/);
    const relaxed = guide.secrets.map((r) => (r.names.includes('JWT_SECRET') ? { ...r, required: 'no' } : r));
    expect(checkSecretsTable(relaxed).join('\n')).toMatch(
      /JWT_SECRET is required by worker\/config\.ts but the table says "no"/,
    );
    const local = [...guide.secrets, { names: ['DB_WS_PROXY'], required: 'no', purpose: 'x' }];
    expect(checkSecretsTable(local).join('\n')).toMatch(/DB_WS_PROXY is local-development only/);
  });

  it('notices a required secret without its wrangler secret put line', () => {
    const cmds = commandsFor(guide, 'secrets').filter((c) => !c.includes('FILES_SIGNING_SECRET'));
    expect(checkSecretCommands(cmds)).toEqual([
      'README ops-guide:secrets: no `wrangler secret put FILES_SIGNING_SECRET` for a required secret',
    ]);
    expect(checkSecretCommands([...cmds, 'npx wrangler secret put FILES_SIGNING_SECRET']).join('\n')).toMatch(
      /is not `\[… \|\] npx wrangler secret put NAME --env production`/,
    );
  });

  it('notices a queue or bucket wrangler.toml uses that the guide never creates, and vice versa', () => {
    const cmds = commandsFor(guide, 'resources');
    expect(
      checkResourceCommands(
        cmds.filter((c) => !c.endsWith('plowdispatch-notifications-dlq-staging')),
        named,
      ),
    ).toEqual([
      'README ops-guide:resources: queue plowdispatch-notifications-dlq-staging (wrangler.toml) is never created',
    ]);
    expect(checkResourceCommands([...cmds, 'npx wrangler queues create plowdispatch-old-production'], named)).toEqual([
      'README ops-guide:resources: queue plowdispatch-old-production is not used by any environment in wrangler.toml',
    ]);
  });

  it('notices code reading an env name nobody declared, and a .dev.vars.example key config.ts does not know', () => {
    expect(checkCodeEnvNames(new Map([['STRIPE_SECRET', 'worker/billing.ts']]), top)).toEqual([
      'worker/billing.ts reads env.STRIPE_SECRET, which is neither a wrangler.toml binding/var nor a secret in worker/config.ts',
    ]);
    expect(
      checkCodeEnvNames(
        new Map([
          ['FILES', 'worker/x.ts'],
          ['JWT_SECRET', 'worker/y.ts'],
        ]),
        top,
      ),
    ).toEqual([]);
    expect(checkDevVarsExample('DATABASE_URL=x\nJWT_SECRET=y\nFILES_SIGNING_SECRET=z\nSTRIPE_SECRET=\n')).toEqual([
      '.dev.vars.example sets STRIPE_SECRET, which worker/config.ts does not know',
    ]);
  });
});
