/**
 * The README's operator guide ("## Deploying") as data: its marked command blocks and its
 * secrets table, and the offline checks that keep both true to the code — the table lists
 * exactly the secrets worker/config.ts knows (with the same required ones), every env name
 * the Worker reads is one of those or a wrangler.toml binding/var, and the resource commands
 * create exactly the buckets and queues wrangler.toml's environments use.
 *
 * Blocks are marked with an HTML comment on the line before the fence:
 *
 *     <!-- ops-guide:migrate -->
 *     ```sh
 *     npm run db:migrate
 *     ```
 *
 * scripts/operator-guide.ts runs or checks each step; docs/decisions/0043 explains why the
 * script reads the README instead of keeping its own copy of the commands.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  BINDING_NAMES,
  LOCAL_ONLY_SETTINGS,
  OPTIONAL_SECRETS,
  REQUIRED_SECRETS,
  WRANGLER_VARS,
} from '../../worker/config';
import { bucketNames, DEPLOY_ENVIRONMENTS, queueNames, type EnvSummary } from './deploy-config';

/** The steps, in the order the README must give them. */
export const GUIDE_STEPS = ['postgis', 'migrate', 'resources', 'secrets', 'deploy', 'first-admin', 'rollback'] as const;
export type GuideStep = (typeof GUIDE_STEPS)[number];

export interface GuideBlock {
  step: string;
  /** Shell commands: comment-only and blank lines dropped, `\` continuations joined. */
  commands: string[];
  /** 1-based line of the marker in the README (for messages). */
  line: number;
}

export interface SecretRow {
  names: string[];
  required: string;
  purpose: string;
}

export interface Guide {
  blocks: GuideBlock[];
  secrets: SecretRow[];
}

/** The text of the `## Deploying` section (up to the next `## ` heading). */
export function deployingSection(readme: string): { text: string; firstLine: number } {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^## Deploying\s*$/.test(l));
  if (start < 0) throw new Error('README.md has no "## Deploying" section');
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  return { text: lines.slice(start, end).join('\n'), firstLine: start + 1 };
}

const MARKER = /^<!--\s*ops-guide:([a-z0-9-]+)\s*-->\s*$/;

export function parseGuide(readme: string): Guide {
  const { text, firstLine } = deployingSection(readme);
  const lines = text.split('\n');
  const blocks: GuideBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]!.trim());
    if (!m) continue;
    if (!/^```(sh|bash|shell)\s*$/.test(lines[i + 1]?.trim() ?? '')) {
      throw new Error(
        `README.md line ${firstLine + i}: <!-- ops-guide:${m[1]} --> must be followed directly by a \`\`\`sh block`,
      );
    }
    const body: string[] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim() !== '```'; j++) body.push(lines[j]!);
    if (j >= lines.length)
      throw new Error(`README.md line ${firstLine + i}: the ops-guide:${m[1]} block is not closed`);
    blocks.push({ step: m[1]!, commands: joinCommands(body), line: firstLine + i });
    i = j;
  }
  return { blocks, secrets: parseSecretsTable(text) };
}

function joinCommands(body: string[]): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of body) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    out.push(`${pending}${line}`.trim());
    pending = '';
  }
  if (pending.trim()) out.push(pending.trim());
  return out;
}

/** The markdown table whose header starts `| secret | required |`. */
export function parseSecretsTable(section: string): SecretRow[] {
  const lines = section.split('\n');
  const head = lines.findIndex((l) => /^\|\s*secret\s*\|\s*required\s*\|/i.test(l.trim()));
  if (head < 0) return [];
  const rows: SecretRow[] = [];
  for (let i = head + 2; i < lines.length && lines[i]!.trim().startsWith('|'); i++) {
    const cells = splitRow(lines[i]!);
    const names = [...(cells[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!);
    rows.push({ names, required: (cells[1] ?? '').trim(), purpose: (cells[2] ?? '').trim() });
  }
  return rows;
}

/** Splits a table row on `|` outside backticks. */
function splitRow(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let code = false;
  const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (const ch of body) {
    if (ch === '`') code = !code;
    if (ch === '|' && !code) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

/** A stripped shell comment: `cmd   # note` → `cmd`. */
export function withoutComment(command: string): string {
  return command.replace(/\s+#.*$/, '').trim();
}

/** Blocks for one step (a step may be split across several blocks). */
export function blocksFor(guide: Guide, step: string): GuideBlock[] {
  return guide.blocks.filter((b) => b.step === step);
}

export function commandsFor(guide: Guide, step: string): string[] {
  return blocksFor(guide, step).flatMap((b) => b.commands);
}

/** Every step is present, none unknown, in the documented order. */
export function checkSteps(guide: Guide): string[] {
  const problems: string[] = [];
  const seen = guide.blocks.map((b) => b.step);
  for (const s of seen)
    if (!(GUIDE_STEPS as readonly string[]).includes(s))
      problems.push(`README: unknown step ops-guide:${s} (scripts/lib/operator-guide.ts GUIDE_STEPS)`);
  for (const s of GUIDE_STEPS) if (!seen.includes(s)) problems.push(`README: step ops-guide:${s} is missing`);
  const order = seen
    .filter((s) => (GUIDE_STEPS as readonly string[]).includes(s))
    .map((s) => GUIDE_STEPS.indexOf(s as GuideStep));
  if (order.some((v, i) => i > 0 && v < order[i - 1]!))
    problems.push(`README: steps are out of order (${seen.join(', ')}); expected ${GUIDE_STEPS.join(', ')}`);
  for (const b of guide.blocks)
    if (b.commands.length === 0) problems.push(`README line ${b.line}: ops-guide:${b.step} has no commands`);
  return problems;
}

/** The secrets table lists exactly worker/config.ts's secrets, with the same required ones. */
export function checkSecretsTable(rows: SecretRow[]): string[] {
  const problems: string[] = [];
  if (rows.length === 0) return ['README: the secrets table (| secret | required | …) is missing'];
  const listed = new Map<string, string>();
  for (const r of rows) {
    if (r.names.length === 0) problems.push(`README secrets table: a row names no secret (${r.purpose.slice(0, 40)}…)`);
    for (const n of r.names) {
      if (listed.has(n)) problems.push(`README secrets table: ${n} is listed twice`);
      listed.set(n, r.required);
    }
  }
  const known = new Set([...REQUIRED_SECRETS, ...OPTIONAL_SECRETS]);
  for (const n of listed.keys()) {
    if ((LOCAL_ONLY_SETTINGS as readonly string[]).includes(n))
      problems.push(`README secrets table: ${n} is local-development only and must not be in the table`);
    else if ((WRANGLER_VARS as readonly string[]).includes(n))
      problems.push(`README secrets table: ${n} is set in wrangler.toml [vars], not with wrangler secret put`);
    else if (!known.has(n)) problems.push(`README secrets table: ${n} is not a setting worker/config.ts knows`);
  }
  for (const n of known) if (!listed.has(n)) problems.push(`README secrets table: ${n} (worker/config.ts) is missing`);
  for (const [n, required] of listed) {
    const says = /^yes\b/i.test(required);
    if (REQUIRED_SECRETS.includes(n) && !says)
      problems.push(`README secrets table: ${n} is required by worker/config.ts but the table says "${required}"`);
    if (OPTIONAL_SECRETS.includes(n) && says)
      problems.push(`README secrets table: ${n} is optional in worker/config.ts but the table says "${required}"`);
  }
  return problems;
}

/** `wrangler secret put NAME --env production` for each required secret, and only known names. */
export function checkSecretCommands(commands: string[]): string[] {
  const problems: string[] = [];
  const put = new Set<string>();
  for (const c of commands.map(withoutComment)) {
    const m = /(?:^|\|\s*)npx wrangler secret put ([A-Z][A-Z0-9_]*) --env production$/.exec(c);
    if (!m) {
      problems.push(`README ops-guide:secrets: "${c}" is not \`[… |] npx wrangler secret put NAME --env production\``);
      continue;
    }
    put.add(m[1]!);
    if (![...REQUIRED_SECRETS, ...OPTIONAL_SECRETS].includes(m[1]!))
      problems.push(`README ops-guide:secrets: ${m[1]} is not a secret worker/config.ts knows`);
  }
  for (const n of REQUIRED_SECRETS)
    if (!put.has(n)) problems.push(`README ops-guide:secrets: no \`wrangler secret put ${n}\` for a required secret`);
  return problems;
}

/** The resource commands create exactly the buckets and queues of the named environments. */
export function checkResourceCommands(commands: string[], named: EnvSummary[]): string[] {
  const problems: string[] = [];
  const buckets = new Set<string>();
  const queues = new Set<string>();
  for (const c of commands.map(withoutComment)) {
    const bucket = /^npx wrangler r2 bucket create ([a-z0-9-]+)$/.exec(c);
    const queue = /^npx wrangler queues create ([a-z0-9-]+)$/.exec(c);
    if (bucket) buckets.add(bucket[1]!);
    else if (queue) queues.add(queue[1]!);
    else
      problems.push(
        `README ops-guide:resources: "${c}" is neither \`npx wrangler r2 bucket create NAME\` nor \`npx wrangler queues create NAME\``,
      );
  }
  const wantBuckets = new Set(named.flatMap(bucketNames));
  const wantQueues = new Set(named.flatMap(queueNames));
  for (const b of wantBuckets)
    if (!buckets.has(b)) problems.push(`README ops-guide:resources: bucket ${b} (wrangler.toml) is never created`);
  for (const b of buckets)
    if (!wantBuckets.has(b))
      problems.push(`README ops-guide:resources: bucket ${b} is not used by any environment in wrangler.toml`);
  for (const q of wantQueues)
    if (!queues.has(q)) problems.push(`README ops-guide:resources: queue ${q} (wrangler.toml) is never created`);
  for (const q of queues)
    if (!wantQueues.has(q))
      problems.push(`README ops-guide:resources: queue ${q} is not used by any environment in wrangler.toml`);
  for (const env of DEPLOY_ENVIRONMENTS)
    if (!named.some((s) => s.env === env)) problems.push(`wrangler.toml: [env.${env}] is missing`);
  return problems;
}

/** Names read as `env.NAME` / `env?.NAME` in the Worker and Durable Objects. */
export function envNamesReadByCode(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name) && !/\.test\.ts$|\.d\.ts$/.test(name)) {
        for (const m of readFileSync(full, 'utf8').matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)\b/g))
          if (!found.has(m[1]!)) found.set(m[1]!, path.relative(root, full));
      }
    }
  };
  walk(path.join(root, 'worker'));
  walk(path.join(root, 'durable-objects'));
  return found;
}

/**
 * Every env name the code reads is declared somewhere an operator will see it: a binding or
 * var in wrangler.toml (top level), a secret in worker/config.ts, or a local-only setting.
 */
export function checkCodeEnvNames(read: Map<string, string>, top: EnvSummary): string[] {
  const declared = new Set<string>([
    ...BINDING_NAMES,
    ...top.durableObjects.map((d) => d.name),
    ...top.buckets.map((b) => b.binding),
    ...top.producers.map((p) => p.binding),
    ...top.ratelimits.map((r) => r.name),
    ...Object.keys(top.vars),
    'ASSETS',
    ...REQUIRED_SECRETS,
    ...OPTIONAL_SECRETS,
    ...WRANGLER_VARS,
    ...LOCAL_ONLY_SETTINGS,
  ]);
  const problems: string[] = [];
  for (const [name, file] of read)
    if (!declared.has(name))
      problems.push(
        `${file} reads env.${name}, which is neither a wrangler.toml binding/var nor a secret in worker/config.ts`,
      );
  return problems;
}

/** .dev.vars.example names only settings worker/config.ts knows (or wrangler vars). */
export function checkDevVarsExample(text: string): string[] {
  const known = new Set<string>([...REQUIRED_SECRETS, ...OPTIONAL_SECRETS, ...WRANGLER_VARS, ...LOCAL_ONLY_SETTINGS]);
  const problems: string[] = [];
  for (const m of text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm))
    if (!known.has(m[1]!)) problems.push(`.dev.vars.example sets ${m[1]}, which worker/config.ts does not know`);
  for (const n of REQUIRED_SECRETS)
    if (!new RegExp(`^${n}=`, 'm').test(text)) problems.push(`.dev.vars.example lacks the required ${n}`);
  return problems;
}

/** All offline checks of README + worker/config.ts + wrangler.toml + .dev.vars.example. */
export function offlineGuideProblems(root: string, top: EnvSummary, named: EnvSummary[]): string[] {
  const guide = parseGuide(readFileSync(path.join(root, 'README.md'), 'utf8'));
  return [
    ...checkSteps(guide),
    ...checkSecretsTable(guide.secrets),
    ...checkSecretCommands(commandsFor(guide, 'secrets')),
    ...checkResourceCommands(commandsFor(guide, 'resources'), named),
    ...checkCodeEnvNames(envNamesReadByCode(root), top),
    ...checkDevVarsExample(readFileSync(path.join(root, '.dev.vars.example'), 'utf8')),
  ];
}
