import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a stand-in server received, for tests to assert on. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** A reply; a string body with `contentType` is sent as is (HIBP answers text/plain). */
interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
  /** Scripted replies only: wait this long first (to exercise client timeouts). */
  delay_ms?: number;
}

type Handler = (req: RecordedRequest) => Reply | undefined;

/** SHA-1 of "password123456", split as HaveIBeenPwned's range API splits it. */
const BREACHED_SHA1 = '98A16C09B0759E63EF7DF53592724E8EEDDB953A';

/** HIBP range answer: the known breached suffix when the prefix matches, plus padding lines. */
function hibpRange(prefix: string): Reply {
  const lines = ['0018A45C4D1DEF81644B54AB7F969B88D65:0', '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2', 'FFFFF0000000000000000000000000000AB:0'];
  if (prefix.toUpperCase() === BREACHED_SHA1.slice(0, 5)) lines.push(`${BREACHED_SHA1.slice(5)}:2413945`);
  return { status: 200, body: lines.join('\r\n'), contentType: 'text/plain' };
}

/**
 * One local HTTP server standing in for outside SaaS (geocoding, Twilio, Resend, push,
 * HaveIBeenPwned), each under its own path prefix. It records every request; tests read
 * them back at `GET /__requests?prefix=/twilio` and script failures with
 * `POST /__script {prefix, responses:[{status, body, contentType?, delay_ms?}]}`.
 */
export async function startStandIns(): Promise<{ url: string; stop(): Promise<void> }> {
  const recorded: RecordedRequest[] = [];
  const scripts = new Map<string, Reply[]>();
  const defaults: Record<string, Handler> = {
    '/geocode/google': (r) =>
      r.query.address?.toLowerCase().includes('nowhere')
        ? { status: 200, body: { status: 'ZERO_RESULTS', results: [] } }
        : { status: 200, body: { status: 'OK', results: [{ formatted_address: r.query.address, geometry: { location: { lat: 43.2081, lng: -71.5376 } } }] } },
    '/geocode/nominatim': (r) =>
      r.query.q?.toLowerCase().includes('nowhere') ? { status: 200, body: [] } : { status: 200, body: [{ lat: '43.2001', lon: '-71.5452', display_name: r.query.q }] },
    '/hibp/range/': (r) => hibpRange(r.path.slice('/hibp/range/'.length)),
    '/twilio/': () => ({ status: 201, body: { sid: `SM${crypto.randomUUID().replaceAll('-', '')}`, status: 'queued' } }),
    '/resend/': () => ({ status: 200, body: { id: crypto.randomUUID() } }),
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const reply = (status: number, payload: unknown, contentType = 'application/json') => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(typeof payload === 'string' && contentType !== 'application/json' ? payload : JSON.stringify(payload));
    };
    const send = async (r: Reply) => {
      if (r.delay_ms) await new Promise((resolve) => setTimeout(resolve, r.delay_ms));
      reply(r.status, r.body, r.contentType);
    };
    if (url.pathname === '/__requests') {
      const prefix = url.searchParams.get('prefix') ?? '/';
      return reply(200, recorded.filter((r) => r.path.startsWith(prefix)));
    }
    if (url.pathname === '/__script' && req.method === 'POST') {
      const { prefix, responses } = JSON.parse(body) as { prefix: string; responses: Reply[] };
      scripts.set(prefix, [...responses]);
      return reply(200, { ok: true });
    }
    if (url.pathname === '/__reset' && req.method === 'POST') {
      recorded.length = 0;
      scripts.clear();
      return reply(200, { ok: true });
    }
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body,
      at: Date.now(),
    };
    recorded.push(rec);
    for (const [prefix, queue] of scripts) {
      if (rec.path.startsWith(prefix) && queue.length > 0) {
        return send(queue.shift()!);
      }
    }
    for (const [prefix, handler] of Object.entries(defaults)) {
      if (rec.path.startsWith(prefix)) {
        const out = handler(rec);
        if (out) return send(out);
      }
    }
    reply(200, { ok: true, id: `standin-${recorded.length}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
