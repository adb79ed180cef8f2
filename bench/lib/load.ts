/**
 * An open-loop load generator: requests start on a fixed schedule whatever the latency
 * of earlier ones (so a slow server cannot slow the load down and hide its queueing —
 * the "coordinated omission" trap of closed-loop tools).
 */
export interface LoadResult {
  name: string;
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  throughput: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function runOpenLoop(
  name: string,
  opts: { rate: number; seconds: number; expect?: (status: number) => boolean },
  request: (i: number) => Promise<Response>,
): Promise<LoadResult> {
  const total = Math.round(opts.rate * opts.seconds);
  const interval = 1000 / opts.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const expect = opts.expect ?? ((s: number) => s >= 200 && s < 300);
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      (async () => {
        const t0 = performance.now();
        try {
          const res = await request(i);
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (!expect(res.status)) errors++;
        } catch (err) {
          errors++;
          statuses.network = (statuses.network ?? 0) + 1;
        }
      })(),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    rate: opts.rate,
    seconds: opts.seconds,
    sent: total,
    ok: total - errors,
    errors,
    statuses,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    throughput: total / elapsed,
  };
}

export function printTable(rows: LoadResult[]): void {
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  console.log('\n| scenario | target rps | achieved rps | requests | errors | p50 ms | p90 ms | p99 ms | max ms |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.rate} | ${f(r.throughput)} | ${r.sent} | ${r.errors} | ${f(r.p50)} | ${f(r.p90)} | ${f(r.p99)} | ${f(r.max)} |`,
    );
  }
}
