/**
 * `wrangler deploy --dry-run` for one environment, offline: bundles the Worker, reads the
 * assets and resolves the bindings without talking to Cloudflare. Wrangler only *warns*
 * about a non-inherited key missing from an environment (and exits 0), so a warning fails
 * here too. Shared by scripts/deploy-check.ts and scripts/operator-guide.ts.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface DryRunResult {
  ok: boolean;
  output: string;
  /** Binding names wrangler printed (`env.NAME (…)`). */
  bindings: string[];
  /** Plain-text vars wrangler printed, e.g. { APP_ENV: 'production' }. */
  vars: Record<string, string>;
  problems: string[];
}

/** Runs a command, collecting stdout+stderr (colour off). */
export function runCaptured(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; shell?: boolean },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      shell: opts.shell ?? false,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** `--env ""` is the top level (said explicitly, or wrangler warns that environments exist). */
export function dryRunArgs(env: string, outdir: string): string[] {
  return ['deploy', '--dry-run', '--outdir', outdir, `--env=${env}`];
}

export async function wranglerDryRun(root: string, env: string, outdir: string): Promise<DryRunResult> {
  const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler');
  const { code, output } = await runCaptured(wrangler, dryRunArgs(env, outdir), { cwd: root });
  return parseDryRun(code, output);
}

/** Reads a dry run's exit code and output: warnings, errors, bindings, vars. */
export function parseDryRun(code: number, output: string): DryRunResult {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes, which start with ESC.
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const problems: string[] = [];
  if (code !== 0) problems.push(`wrangler exited with ${code}`);
  for (const m of plain.matchAll(/^.*\[(WARNING|ERROR)\].*$/gm)) problems.push(m[0].trim());
  if (!/--dry-run: exiting now\./.test(plain)) problems.push('wrangler did not reach the end of the dry run');
  const bindings = [...plain.matchAll(/^env\.([A-Z][A-Z0-9_]*)\b/gm)].map((m) => m[1]!);
  const vars: Record<string, string> = {};
  for (const m of plain.matchAll(/^env\.([A-Z][A-Z0-9_]*) \("([^"]*)"\)\s+Environment Variable/gm)) vars[m[1]!] = m[2]!;
  return { ok: problems.length === 0, output: plain, bindings, vars, problems };
}
