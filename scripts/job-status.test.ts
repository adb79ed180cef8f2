import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { JOB_STATUSES } from '../contract/enums';
import {
  ACTIVE_JOB,
  AT_WORK_JOB,
  CALLED_OFF_JOB,
  HAPPY_PATH,
  JOB_STATUS_TRAITS,
  NOT_STARTED_JOB,
  ON_SITE_JOB,
  OPEN_JOB,
  pathSteps,
  SERVED_JOB,
  TERMINAL_JOB,
  UNDER_WAY_JOB,
} from '../contract/job-status';
import { allowedNext, TRANSITIONS } from '../contract/state-machine';
import { withJobStatus } from './status-dry-run';

const ROOT = join(import.meta.dirname, '..');

describe('the named job-status sets', () => {
  it('split every status into open or finished, and finished into served or called off', () => {
    expect([...OPEN_JOB, ...TERMINAL_JOB].sort()).toEqual([...JOB_STATUSES].sort());
    expect([...SERVED_JOB, ...CALLED_OFF_JOB].sort()).toEqual([...TERMINAL_JOB].sort());
    expect(OPEN_JOB).toEqual(['pending', ...ACTIVE_JOB]);
  });

  it('nest as the words say', () => {
    const within = (inner: readonly string[], outer: readonly string[]) => inner.every((s) => outer.includes(s));
    expect(within(ON_SITE_JOB, UNDER_WAY_JOB)).toBe(true);
    expect(within(UNDER_WAY_JOB, ACTIVE_JOB)).toBe(true);
    expect(within(ACTIVE_JOB, OPEN_JOB)).toBe(true);
    expect(within(ON_SITE_JOB, AT_WORK_JOB)).toBe(true);
    expect(NOT_STARTED_JOB.some((s) => UNDER_WAY_JOB.includes(s))).toBe(false);
  });

  it('agree with the state machine: a finished job moves only to another finished status', () => {
    for (const s of TERMINAL_JOB) expect(allowedNext(s).every((to) => TERMINAL_JOB.includes(to))).toBe(true);
    for (const s of OPEN_JOB) expect(Object.keys(TRANSITIONS[s]).length).toBeGreaterThan(0);
    expect(HAPPY_PATH.every((s, i) => i === 0 || allowedNext(HAPPY_PATH[i - 1]!).includes(s))).toBe(true);
  });

  it('cut the happy path into steps', () => {
    expect(pathSteps('assigned', 'arrived')).toEqual(['assigned', 'en_route']);
    expect(pathSteps('arrived')).toEqual(['arrived', 'in_progress', 'completed']);
  });

  it('are the only lists of statuses: no query, service or screen spells a set of them out', () => {
    const offenders: string[] = [];
    for (const file of sources(['worker', 'durable-objects', 'web/src', 'db'])) {
      const found = statusLiterals(readFileSync(file, 'utf8'));
      if (found.length) offenders.push(`${relative(ROOT, file)}: ${found.join('; ')}`);
    }
    expect(offenders).toEqual([]);
  }, 30_000);

  it('leave no status undecided: each has every trait', () => {
    for (const s of JOB_STATUSES) expect(Object.keys(JOB_STATUS_TRAITS[s]).length).toBe(6);
  });
});

const IS_STATUS = new Set<string>(JOB_STATUSES);

/**
 * Spelled-out status sets in one source file: an array (or Set) of two or more job-status
 * strings, and any job status quoted inside a template literal (SQL: `IN ('completed', …)`).
 * One typed status in code (`to === 'completed'`) is fine: the compiler checks it.
 */
function statusLiterals(text: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isArrayLiteralExpression(node)) {
      const words = node.elements.filter((e) => ts.isStringLiteral(e) && IS_STATUS.has(e.text));
      if (words.length >= 2) found.push(node.getText());
    }
    if (ts.isTemplateLiteral(node)) {
      const parts = ts.isNoSubstitutionTemplateLiteral(node)
        ? [node.text]
        : [node.head.text, ...node.templateSpans.map((s) => s.literal.text)];
      for (const part of parts)
        for (const m of part.matchAll(/'([a-z_]+)'/g)) if (IS_STATUS.has(m[1]!)) found.push(`\`…'${m[1]}'…\``);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.tsx', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX));
  return found;
}

function* sources(dirs: string[]): Generator<string> {
  for (const dir of dirs) yield* walk(join(ROOT, dir));
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) yield path;
  }
}

describe('npm run status:dry-run', () => {
  it('finds the job-status list in the contract and adds the new status to it', () => {
    const text = readFileSync(join(ROOT, 'contract/enums.ts'), 'utf8');
    const added = withJobStatus(text, 'on_hold');
    expect(added.replace(", 'on_hold'", '')).toBe(text);
    expect(added).toMatch(/export const JOB_STATUSES = \[[^\]]*'on_hold'\] as const;/);
  });
});
