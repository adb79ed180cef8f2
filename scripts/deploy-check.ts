/**
 * `npm run deploy:check`: builds the web apps once, then `wrangler deploy --dry-run` for the
 * top level (development), staging and production — offline, no Cloudflare account needed.
 * Fails on any error or warning, when an environment's bindings differ from the top level's,
 * when APP_ENV is not the environment's name, or when wrangler.toml's environments break the
 * rules in scripts/lib/deploy-config.ts. CI runs it (`.ci/run`). docs/decisions/0041.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEnvironments, DEPLOY_ENVIRONMENTS, readAllEnvironments } from './lib/deploy-config';
import { runCaptured, wranglerDryRun } from './lib/dry-run';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const failures: string[] = [];

const { top, named } = readAllEnvironments(root);
for (const p of checkEnvironments(top, named)) failures.push(`wrangler.toml: ${p}`);

console.log('deploy:check — building the web apps (dist/web) once');
const build = await runCaptured(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
  cwd: root,
  env: { NODE_ENV: 'production' },
});
if (build.code !== 0) {
  console.error(build.output);
  console.error('deploy:check FAILED: vite build');
  process.exit(1);
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'plow-deploy-check-'));
try {
  let topBindings: string[] | undefined;
  for (const env of ['', ...DEPLOY_ENVIRONMENTS]) {
    const label = env || 'top level (development)';
    const result = await wranglerDryRun(root, env, path.join(tmp, env || 'top'));
    const expectedAppEnv = env || 'development';
    if (result.vars.APP_ENV !== expectedAppEnv)
      result.problems.push(`APP_ENV is ${JSON.stringify(result.vars.APP_ENV)}, expected "${expectedAppEnv}"`);
    const names = [...result.bindings].sort();
    if (!topBindings) topBindings = names;
    else if (JSON.stringify(names) !== JSON.stringify(topBindings))
      result.problems.push(`bindings ${names.join(', ')} differ from the top level's ${topBindings.join(', ')}`);
    if (result.problems.length) {
      console.error(result.output);
      for (const p of result.problems) failures.push(`${label}: ${p}`);
      console.log(`✗ ${label}`);
    } else {
      console.log(`✓ ${label}: dry run passed, ${names.length} bindings, APP_ENV=${result.vars.APP_ENV}`);
    }
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`\ndeploy:check FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log('deploy:check passed');
