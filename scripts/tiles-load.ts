/**
 * `npm run tiles:load -- path/to/region.pmtiles [--name basemap.pmtiles] [--env production]`:
 * puts a Protomaps basemap extract into the files bucket as `tiles/<name>`, where
 * `GET /tiles/:name` serves it and the web apps' maps look for it
 * (docs/decisions/0084-self-hosted-basemap.md).
 *
 * Without `--env` it goes to the local bucket `npm start` uses (.data/wrangler, or
 * `--persist-to DIR`); with `--env staging|production` to that environment's R2 bucket
 * through `wrangler r2 object put --remote` (sign Wrangler in first). Get an extract with
 * the `pmtiles` CLI, e.g. `pmtiles extract https://build.protomaps.com/<date>.pmtiles
 * region.pmtiles --bbox=-72.2,42.9,-71.0,43.6`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEPLOY_ENVIRONMENTS, readEnvSummary } from './lib/deploy-config';

const ROOT = path.resolve(import.meta.dirname, '..');
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}\.pmtiles$/;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string', default: 'basemap.pmtiles' },
    env: { type: 'string' },
    'persist-to': { type: 'string' },
  },
});

const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};

const file = positionals[0] ?? fail('Name the extract: npm run tiles:load -- path/to/region.pmtiles');
if (!existsSync(file)) fail(`${file}: no such file.`);
const name = values.name!;
if (!NAME.test(name)) fail(`--name ${name}: use lower-case letters, digits, "-" or "_", then ".pmtiles".`);
const head = Buffer.alloc(8);
const fd = openSync(file, 'r');
readSync(fd, head, 0, 8, 0);
closeSync(fd);
if (head.subarray(0, 7).toString('latin1') !== 'PMTiles' || head[7] !== 3)
  fail(`${file} is not a PMTiles v3 archive (convert older ones with \`pmtiles convert\`).`);

const env = values.env;
if (env && !(DEPLOY_ENVIRONMENTS as readonly string[]).includes(env))
  fail(`--env ${env}: one of ${DEPLOY_ENVIRONMENTS.join(', ')}.`);
const bucket = readEnvSummary(ROOT, env).buckets.find((b) => b.binding === 'FILES')?.bucket_name;
if (!bucket) fail('wrangler.toml names no FILES bucket for this environment.');

const args = [
  'r2',
  'object',
  'put',
  `${bucket}/tiles/${name}`,
  '--file',
  file,
  '--content-type',
  'application/octet-stream',
];
if (env) args.push('--remote', '--env', env);
else args.push('--local', '--persist-to', values['persist-to'] ?? path.join(ROOT, '.data', 'wrangler'));
const mb = (statSync(file).size / 1024 / 1024).toFixed(1);
console.log(`Putting ${file} (${mb} MB) into ${env ? `R2 bucket ${bucket}` : 'the local bucket'} as tiles/${name}…`);
const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'wrangler'), args, { cwd: ROOT, stdio: 'inherit' });
if (run.status !== 0) fail('wrangler r2 object put failed (see above).');
console.log(
  `Done: maps read it from /tiles/${name}${name === 'basemap.pmtiles' ? '' : ' (set VITE_MAP_TILES to this name)'}.`,
);
