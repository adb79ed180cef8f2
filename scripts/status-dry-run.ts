import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The TypeScript projects the product is built from (the Worker with its objects, the web apps). */
const PROJECTS = ['tsconfig.json', 'web/tsconfig.json', 'scripts/tsconfig.json'];

/**
 * `contract/enums.ts` with `status` added to the end of the `JOB_STATUSES` literal (after the
 * ways off the happy path, so no existing order changes). Throws when the literal is not there.
 */
export function withJobStatus(enumsText: string, status: string): string {
  const literal = /(export const JOB_STATUSES = \[[^\]]*?)(,?\s*)\] as const;/;
  if (!literal.test(enumsText)) throw new Error('no JOB_STATUSES literal in contract/enums.ts');
  return enumsText.replace(literal, (_all, items: string) => `${items}, '${status}'] as const;`);
}

/**
 * Adds a job status to `contract/enums.ts` in a scratch copy of the tracked tree and type-checks
 * it: the files the compiler then points at are the places that must decide about the new
 * status. Returns them, sorted, with the count of errors in each.
 */
export function addStatusDryRun(root: string, status: string): Map<string, number> {
  const scratch = mkdtempSync(join(tmpdir(), 'status-dry-run-'));
  try {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const f of files) {
      if (!/\.(ts|tsx|json)$/.test(f)) continue;
      mkdirSync(dirname(join(scratch, f)), { recursive: true });
      cpSync(join(root, f), join(scratch, f));
    }
    symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
    const enums = join(scratch, 'contract/enums.ts');
    writeFileSync(enums, withJobStatus(readFileSync(enums, 'utf8'), status));

    const errors = new Map<string, number>();
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    for (const project of PROJECTS) {
      const run = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit', '--pretty', 'false'], {
        cwd: scratch,
        encoding: 'utf8',
      });
      for (const m of run.stdout.matchAll(/^(?:\.\.\/)*([^\s(]+)\(\d+,\d+\): error/gm)) {
        errors.set(m[1]!, (errors.get(m[1]!) ?? 0) + 1);
      }
    }
    return new Map([...errors].sort(([a], [b]) => a.localeCompare(b)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `npm run status:dry-run [status]`: what adding a job status would take — the files the
 * compiler points at, each a place that must decide about it (a few minutes: three projects).
 */
if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '')) {
  const status = process.argv[2] ?? 'on_hold';
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const files = addStatusDryRun(root, status);
  console.log(`Adding '${status}' to JOB_STATUSES: ${files.size} files to decide in`);
  for (const [file, n] of files) console.log(`  ${file}  (${n})`);
}
