import type { RunResult } from './ws-load';
import { summarize } from './stats';

export type MergedResult = Omit<RunResult, 'samples'> & { rounds: number };

/** One result per scenario and target from several rounds: samples pooled, rates averaged. */
export function mergeRounds(runs: RunResult[]): MergedResult[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    const key = `${r.scenario}\u0000${r.target}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const mean = (f: (r: RunResult) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    return {
      scenario: rs[0]!.scenario,
      target: rs[0]!.target,
      latency: summarize(rs.flatMap((r) => r.samples ?? [])),
      deliveredPerSecond: mean((r) => r.deliveredPerSecond),
      deliveredShare: mean((r) => r.deliveredShare),
      pingsPerSecond: mean((r) => r.pingsPerSecond),
      worstBySecond: rs.flatMap((r) => r.worstBySecond),
      rounds: rs.length,
    };
  });
}
