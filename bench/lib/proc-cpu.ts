import { readdirSync, readFileSync } from 'node:fs';

/** One process's share of a scenario: CPU milliseconds per request. */
export interface CpuShare {
  pid: number;
  name: string;
  ms: number;
}

/** CPU time (ms) of every process on the machine by pid, read from /proc (Linux only). */
function snapshot(): Map<number, { name: string; ms: number }> {
  const out = new Map<number, { name: string; ms: number }>();
  let dirs: string[] = [];
  try {
    dirs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of dirs) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, in clock ticks (USER_HZ is 100 on Linux).
      out.set(Number(pid), { name, ms: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch {
      // the process ended between readdir and read
    }
  }
  return out;
}

/** CPU time (ms, user + system) one process has used so far, or NaN when it cannot be read. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Where the machine's CPU went while `run` ran: milliseconds per request for each process
 * that used more than `floor`, so a benchmark shows which part of the local stack (app
 * workerd, wrangler's dev proxy, the load generator with the database bridge, Postgres)
 * spends the budget.
 */
export async function cpuPerRequest<T extends { sent: number }>(
  run: () => Promise<T>,
  floor = 0.1,
): Promise<T & { cpu: CpuShare[] }> {
  const before = snapshot();
  const result = await run();
  const after = snapshot();
  // Processes of one name (Postgres backends, say) are summed; this process and each
  // workerd (the app's and wrangler's dev proxy) are kept apart.
  const byName = new Map<string, CpuShare>();
  for (const [pid, p] of after) {
    const key = pid === process.pid || p.name === 'workerd' ? `${p.name}:${pid}` : p.name;
    const row = byName.get(key) ?? { pid, name: p.name, ms: 0 };
    row.ms += (p.ms - (before.get(pid)?.ms ?? 0)) / Math.max(1, result.sent);
    byName.set(key, row);
  }
  const cpu = [...byName.values()].filter((p) => p.ms >= floor).sort((a, b) => b.ms - a.ms);
  return { ...result, cpu };
}

/** CPU time (ms) all processes but this one have used so far. */
function othersCpuMs(): number {
  let ms = 0;
  for (const [pid, p] of snapshot()) if (pid !== process.pid) ms += p.ms;
  return ms;
}

/**
 * Waits until the rest of the machine is quiet — under `busyMs` of CPU in a `windowMs` —
 * or `maxMs` has passed: what a scenario left behind (queue consumers delivering what its
 * requests queued, a backlog still being served) has then run its course.
 */
export async function untilQuiet(opts: { windowMs?: number; busyMs?: number; maxMs?: number } = {}): Promise<void> {
  const { windowMs = 1_000, busyMs = 100, maxMs = 30_000 } = opts;
  const start = Date.now();
  let before = othersCpuMs();
  while (Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = othersCpuMs();
    if (now - before < busyMs) break;
    before = now;
  }
}
