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

type Handler = (req: RecordedRequest) => { status: number; body: unknown } | undefined;

/**
 * One local HTTP server standing in for outside SaaS (geocoding, Twilio, Resend, push,
 * HaveIBeenPwned), each under its own path prefix. It records every request; tests read
 * them back at `GET /__requests?prefix=/twilio` and script failures with
 * `POST /__script {prefix, responses:[{status, body}]}`.
 */
export async function startStandIns(): Promise<{ url: string; stop(): Promise<void> }> {
  const recorded: RecordedRequest[] = [];
  const scripts = new Map<string, { status: number; body: unknown }[]>();
  const defaults: Record<string, Handler> = {
    '/geocode/google': (r) =>
      r.query.address?.toLowerCase().includes('nowhere')
        ? { status: 200, body: { status: 'ZERO_RESULTS', results: [] } }
        : { status: 200, body: { status: 'OK', results: [{ formatted_address: r.query.address, geometry: { location: { lat: 43.2081, lng: -71.5376 } } }] } },
    '/geocode/nominatim': (r) =>
      r.query.q?.toLowerCase().includes('nowhere') ? { status: 200, body: [] } : { status: 200, body: [{ lat: '43.2001', lon: '-71.5452', display_name: r.query.q }] },
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (url.pathname === '/__requests') {
      const prefix = url.searchParams.get('prefix') ?? '/';
      return reply(200, recorded.filter((r) => r.path.startsWith(prefix)));
    }
    if (url.pathname === '/__script' && req.method === 'POST') {
      const { prefix, responses } = JSON.parse(body) as { prefix: string; responses: { status: number; body: unknown }[] };
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
        const next = queue.shift()!;
        return reply(next.status, next.body);
      }
    }
    for (const [prefix, handler] of Object.entries(defaults)) {
      if (rec.path.startsWith(prefix)) {
        const out = handler(rec);
        if (out) return reply(out.status, out.body);
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
