/**
 * A fault-injecting TCP gate in front of the test database, for the reliability tests
 * (test/worker/chaos-*.test.ts). It forwards bytes untouched until a test asks it, over a
 * small HTTP control API, to fail the way a real outage does:
 *
 *   POST /fault {"mode":"down"}   refuse new connections and drop the open ones
 *   POST /fault {"mode":"up"}     forward again (nothing restarts: the same server, the same Worker)
 *   POST /fault {"mode":"cut","direction":"to_server","match":"commit"}
 *        once: the first connection whose client sends bytes containing `match` is dropped
 *        before they reach Postgres (the transaction is rolled back by the server);
 *        "to_client": the server's answer containing `match` is dropped instead (the work
 *        was done, its answer lost). Afterwards the gate is `up` again.
 *   GET  /stats                   counters, so a test can check the fault really happened
 *
 * Only connections made through the gate are affected: a test points one request at it
 * (`DATABASE_URL` of that request's env) while every other test file keeps using the
 * database directly. Matching is per TCP chunk, ASCII, case-insensitive — Postgres
 * messages the tests match on (a statement's text, `COMMIT`'s completion tag) arrive whole.
 * Loopback only; tests only.
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { GateFault, GateStats } from './db-gate-protocol';

export type { GateFault, GateStats } from './db-gate-protocol';

export interface DbGate {
  /** "127.0.0.1:port" the Worker dials; add it to the ws-bridge's `allowedTargets`. */
  targetHostPort: string;
  /** `databaseUrl` with its host and port replaced by the gate's. */
  databaseUrl: string;
  /** Base URL of the control API. */
  controlUrl: string;
  stop(): Promise<void>;
}

/** Starts the gate in front of `upstream` ("host:port"); `databaseUrl` is the direct URL to rewrite. */
export async function startDbGate(opts: { upstream: string; databaseUrl: string }): Promise<DbGate> {
  const i = opts.upstream.lastIndexOf(':');
  const upstream = {
    host: opts.upstream.slice(0, i).replace(/^\[|\]$/g, ''),
    port: Number(opts.upstream.slice(i + 1)),
  };
  let fault: GateFault = { mode: 'up' };
  const stats = { accepted: 0, refused: 0, dropped: 0, cuts: 0 };
  const live = new Set<{ client: Socket; server: Socket }>();

  /** True (and the pair torn down) when this chunk trips the armed one-shot cut. */
  const trips = (
    pair: { client: Socket; server: Socket },
    direction: 'to_server' | 'to_client',
    chunk: Buffer,
  ): boolean => {
    if (fault.mode !== 'cut' || fault.direction !== direction) return false;
    if (!chunk.toString('latin1').toLowerCase().includes(fault.match.toLowerCase())) return false;
    fault = { mode: 'up' };
    stats.cuts++;
    pair.client.destroy();
    pair.server.destroy();
    return true;
  };

  const tcp = createServer((client) => {
    client.on('error', () => client.destroy());
    if (fault.mode === 'down') {
      stats.refused++;
      client.destroy();
      return;
    }
    stats.accepted++;
    const server = connect(upstream);
    const pair = { client, server };
    live.add(pair);
    server.setNoDelay(true);
    client.setNoDelay(true);
    const close = () => {
      live.delete(pair);
      client.destroy();
      server.destroy();
    };
    server.on('error', close);
    server.on('close', close);
    client.on('close', close);
    client.on('data', (chunk: Buffer) => {
      if (!trips(pair, 'to_server', chunk) && !server.destroyed) server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      if (!trips(pair, 'to_client', chunk) && !client.destroyed) client.write(chunk);
    });
  });

  const control = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const snapshot = (): GateStats => ({ mode: fault.mode, ...stats, open: live.size });
    if (req.url === '/stats') return reply(200, snapshot());
    if (req.url === '/fault' && req.method === 'POST') {
      let next: GateFault;
      try {
        next = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GateFault;
      } catch {
        return reply(400, { error: 'body must be JSON' });
      }
      if (
        !['up', 'down', 'cut'].includes(next.mode) ||
        (next.mode === 'cut' && (!next.match || !['to_server', 'to_client'].includes(next.direction)))
      ) {
        return reply(400, { error: 'mode is up, down or cut (with direction and match)' });
      }
      fault = next;
      if (next.mode === 'down') {
        for (const pair of live) {
          stats.dropped++;
          pair.client.destroy();
          pair.server.destroy();
        }
        live.clear();
      }
      return reply(200, snapshot());
    }
    reply(404, { error: 'POST /fault or GET /stats' });
  });

  const listen = (s: {
    listen(port: number, host: string, cb: () => void): unknown;
    address(): AddressInfo | string | null;
  }) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
  const port = await listen(tcp);
  const controlPort = await listen(control);
  const url = new URL(opts.databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);

  return {
    targetHostPort: `127.0.0.1:${port}`,
    databaseUrl: url.toString(),
    controlUrl: `http://127.0.0.1:${controlPort}`,
    stop: async () => {
      for (const pair of live) {
        pair.client.destroy();
        pair.server.destroy();
      }
      live.clear();
      control.closeAllConnections();
      await Promise.all([new Promise((r) => tcp.close(r)), new Promise((r) => control.close(r))]);
    },
  };
}
