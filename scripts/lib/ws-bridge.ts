/**
 * WebSocket → TCP bridge so `@neondatabase/serverless` (which only speaks Postgres over a
 * WebSocket) can reach a plain local Postgres or the embedded PGlite server, from Node or workerd:
 *
 *   neonConfig.wsProxy = (host, port) => `${bridge.proxy}?address=${host}:${port}`;
 *   neonConfig.useSecureWebSocket = false; neonConfig.pipelineConnect = false; neonConfig.pipelineTLS = false;
 *
 * Dev-only. It listens on loopback, only dials targets in `allowedTargets` (so it is not an open
 * proxy), and refuses browser-originated upgrades from non-local pages (a web page could otherwise
 * reach the trust-auth embedded DB through it).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import type { RawData, WebSocket, WebSocketServer as WebSocketServerType } from 'ws';

// Loaded with require: under the Workers test plugin, an ESM import of 'ws' resolves to
// its browser stub (the plugin adds the "browser"/"worker" export conditions).
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: typeof WebSocketServerType };

export interface WsBridgeOptions {
  /** Listen port; 0 (default) picks any free port. */
  port?: number;
  /** Loopback address to bind (default 127.0.0.1); anything else is refused. */
  host?: string;
  /** "host:port" targets clients may reach, e.g. ["127.0.0.1:54329"]. */
  allowedTargets: string[];
  /** Log connection errors (default: silent; errors never crash the process either way). */
  log?: (msg: string) => void;
}

export interface WsBridge {
  port: number;
  /** Value for neonConfig.wsProxy's prefix, e.g. "127.0.0.1:54330/v1". */
  proxy: string;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** Pause the TCP side when this much is queued on the WebSocket (and vice versa). */
const HIGH_WATER = 1 << 20;
/** The Postgres frontend Terminate message: 'X', then the length 4. */
const TERMINATE = Buffer.from([0x58, 0, 0, 0, 4]);

/** WebSocket close codes: 1008 policy violation, 1011 internal error, 1000 normal. */
const POLICY = 1008;

/** Close reasons must be ≤ 123 UTF-8 bytes or ws.close() throws; addresses come from clients. */
function reason(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 120);
}

/** Canonical "host:port" so "[::1]:5432" (what neon passes for IPv6) matches "::1:5432". */
function normalizeTarget(t: string): string {
  const p = parseTarget(t.trim().toLowerCase());
  return p ? `${p.host}:${p.port}` : t;
}

/** Browsers always send Origin; Node/workerd clients usually don't. Allow only local pages. */
function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return LOOPBACK.has(new URL(origin).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

/** Splits "host:port" (IPv6 as "[::1]:5432" or "::1:5432"), or null if malformed. */
function parseTarget(address: string): { host: string; port: number } | null {
  const i = address.lastIndexOf(':');
  if (i <= 0) return null;
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  return host && Number.isInteger(port) && port > 0 && port < 65536 ? { host, port } : null;
}

export async function startWsBridge(opts: WsBridgeOptions): Promise<WsBridge> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`ws-bridge: refusing to listen on non-loopback host ${host}`);
  const allowed = new Set(opts.allowedTargets.map(normalizeTarget));
  const log = opts.log ?? (() => {});
  const live = new Set<{ ws: WebSocket; tcp?: Socket }>();

  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket upgrade required\n');
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  wss.on('error', (err) => log(`ws-bridge: server error: ${err.message}`));
  http.on('clientError', (_err, socket: Duplex) => socket.destroy());

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let url: URL | undefined;
    try {
      url = new URL(req.url ?? '/', 'http://bridge');
    } catch {
      // fall through to 404
    }
    if (url?.pathname !== '/v1' || !originAllowed(req)) {
      socket.end(
        `HTTP/1.1 ${url?.pathname !== '/v1' ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    const address = url.searchParams.get('address') ?? '';
    wss.handleUpgrade(req, socket, head, (ws) => pipe(ws, address));
  });

  /** Wires one WebSocket to one TCP connection; whichever side ends first tears down the other. */
  function pipe(ws: WebSocket, address: string): void {
    const conn: { ws: WebSocket; tcp?: Socket } = { ws };
    live.add(conn);
    log(`ws-bridge: open (${live.size} live)`);
    ws.on('error', (err) => log(`ws-bridge: websocket error: ${err.message}`));
    const target = parseTarget(address);
    if (!target || !allowed.has(normalizeTarget(address))) {
      log(`ws-bridge: refused target ${address || '(none)'}; allowed: ${[...allowed].join(', ')}`);
      ws.close(POLICY, reason(`ws-bridge: target not allowed: ${address || '(missing ?address=)'}`));
      ws.on('close', () => live.delete(conn));
      return;
    }
    const tcp = connect({ host: target.host, port: target.port });
    conn.tcp = tcp;
    tcp.setNoDelay(true);
    let done = false;
    const finish = (code: number, why: string): void => {
      if (done) return;
      done = true;
      live.delete(conn);
      log(`ws-bridge: closed: ${why} (${live.size} live)`);
      tcp.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason(why));
    };
    tcp.on('data', (chunk: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(chunk, { binary: true }, () => {
        if (ws.bufferedAmount < HIGH_WATER && tcp.isPaused()) tcp.resume();
      });
      if (ws.bufferedAmount >= HIGH_WATER) tcp.pause();
    });
    tcp.on('drain', () => ws.resume());
    tcp.on('error', (err) => {
      log(`ws-bridge: tcp ${address}: ${err.message}`);
      finish(1011, `ws-bridge: upstream ${address}: ${err.message}`);
    });
    tcp.on('close', () => finish(1000, 'upstream closed'));
    ws.on('message', (data: RawData) => {
      if (tcp.destroyed) return;
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!tcp.write(buf)) ws.pause();
      // The client said goodbye (Postgres Terminate). A real server would now close the
      // connection; the embedded one keeps it, and workerd then keeps the invocation that
      // owned the socket alive (a queue consumer never completes). Close it ourselves.
      if (buf.length >= TERMINATE.length && buf.subarray(buf.length - TERMINATE.length).equals(TERMINATE)) {
        tcp.end(() => finish(1000, 'client terminated'));
      }
    });
    ws.on('close', () => finish(1000, 'client closed'));
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  http.on('error', (err) => log(`ws-bridge: http error: ${err.message}`));
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  const hostInUrl = host.includes(':') ? `[${host}]` : host;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= new Promise<void>((resolve) => {
      for (const c of live) {
        c.tcp?.destroy();
        c.ws.terminate();
      }
      live.clear();
      wss.close();
      http.close(() => resolve());
      http.closeAllConnections();
    }));

  return { port, proxy: `${hostInUrl}:${port}/v1`, stop };
}
