import { execFileSync } from 'node:child_process';

/**
 * `wrangler dev` puts a proxy Worker (its own workerd process, for live reload) in front
 * of the app's workerd: every WebSocket frame crosses two processes, which production does
 * not. To show that share of the latency, this finds the app's own workerd listener — the
 * first-opened listening socket (its HTTP entry; the others speak Cap'n Proto and must
 * not be poked) of a descendant workerd other than the one on `publicPort`, checked with
 * `/healthz` — so the bench can also connect past the proxy. Linux only (`ps`, `ss`);
 * returns null when it cannot tell. `rootPid`: whose descendants to look in (default: this
 * process), to tell two `wrangler dev`s apart.
 */
export async function findDirectPort(publicPort: number, rootPid = process.pid): Promise<number | null> {
  return (await findDirectListener(publicPort, rootPid))?.port ?? null;
}

/** As `findDirectPort`, with the pid of that workerd (whose CPU time is the app's). */
export async function findDirectListener(
  publicPort: number,
  rootPid = process.pid,
): Promise<{ port: number; pid: number } | null> {
  try {
    const ps = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
    const children = new Map<number, number[]>();
    for (const line of ps.trim().split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number) as [number, number];
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    }
    const mine = new Set<number>();
    const stack = [rootPid];
    while (stack.length) for (const c of children.get(stack.pop()!) ?? []) if (!mine.has(c)) mine.add(c), stack.push(c);

    const ss = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
    const listeners: { port: number; pid: number; fd: number }[] = [];
    for (const line of ss.trim().split('\n')) {
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
      const pid = Number(/"workerd",pid=(\d+)/.exec(line)?.[1]);
      const fd = Number(/fd=(\d+)/.exec(line)?.[1]);
      if (port && mine.has(pid)) listeners.push({ port, pid, fd });
    }
    const proxyPid = listeners.find((l) => l.port === publicPort)?.pid;
    const entries = new Map<number, { port: number; pid: number; fd: number }>();
    for (const l of listeners) {
      if (l.pid === proxyPid) continue;
      const seen = entries.get(l.pid);
      if (!seen || l.fd < seen.fd) entries.set(l.pid, l);
    }
    for (const { port, pid } of entries.values()) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200 && ((await res.json()) as { status?: string }).status === 'ok') return { port, pid };
      } catch {
        // not ours after all
      }
    }
    return null;
  } catch {
    return null;
  }
}
