import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from './stand-in-protocol';

export type { RecordedRequest };

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
  const lines = [
    '0018A45C4D1DEF81644B54AB7F969B88D65:0',
    '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2',
    'FFFFF0000000000000000000000000000AB:0',
  ];
  if (prefix.toUpperCase() === BREACHED_SHA1.slice(0, 5)) lines.push(`${BREACHED_SHA1.slice(5)}:2413945`);
  return { status: 200, body: lines.join('\r\n'), contentType: 'text/plain' };
}

/**
 * A scripted run of responses. `method` and `match` narrow it to requests of one method
 * and whose path, query or body (raw or form-decoded) contains `match` — so parallel test
 * files can script failures for their own recipient without disturbing each other.
 */
interface Script {
  prefix: string;
  method?: string;
  match?: string;
  responses: Reply[];
}

function scriptKey(s: Pick<Script, 'prefix' | 'method' | 'match'>): string {
  return `${s.prefix}|${s.method ?? ''}|${s.match ?? ''}`;
}

function scriptMatches(s: Script, r: RecordedRequest, rawUrl: string): boolean {
  if (!r.path.startsWith(s.prefix)) return false;
  if (s.method && s.method.toUpperCase() !== r.method) return false;
  if (!s.match) return true;
  const decode = (v: string) => {
    try {
      return decodeURIComponent(v.replaceAll('+', ' '));
    } catch {
      return v;
    }
  };
  return [rawUrl, r.body, decode(rawUrl), decode(r.body)].some((h) => h.includes(s.match!));
}

/** Twilio's Programmable Messaging REST API, as much of it as PlowDispatch calls. */
const twilio: Handler = (r) => {
  const sid = `SM${crypto.randomUUID().replaceAll('-', '')}`;
  if (r.method === 'POST' && r.path.endsWith('/Messages.json')) {
    const form = new URLSearchParams(r.body);
    return {
      status: 201,
      body: {
        sid,
        status: 'queued',
        to: form.get('To'),
        from: form.get('From'),
        body: form.get('Body'),
        date_created: new Date().toUTCString(),
      },
    };
  }
  if (r.method === 'GET' && r.path.endsWith('/Messages.json'))
    return { status: 200, body: { messages: [], next_page_uri: null } };
  const one = /\/Messages\/(SM\w+)\.json$/.exec(r.path);
  if (r.method === 'GET' && one) return { status: 200, body: { sid: one[1], status: 'delivered' } };
  return undefined;
};

/**
 * One local HTTP server standing in for outside SaaS (geocoding, Twilio, Resend, push,
 * HaveIBeenPwned), each under its own path prefix. It records every request; tests read
 * them back at `GET /__requests?prefix=/twilio` and script failures with
 * `POST /__script {prefix, responses:[{status, body, contentType?, delay_ms?}]}`.
 */
export async function startStandIns(): Promise<{ url: string; stop(): Promise<void> }> {
  const recorded: RecordedRequest[] = [];
  const scripts = new Map<string, Script>();
  const defaults: Record<string, Handler> = {
    '/geocode/google': (r) =>
      r.query.address?.toLowerCase().includes('nowhere')
        ? { status: 200, body: { status: 'ZERO_RESULTS', results: [] } }
        : {
            status: 200,
            body: {
              status: 'OK',
              results: [
                { formatted_address: r.query.address, geometry: { location: { lat: 43.2081, lng: -71.5376 } } },
              ],
            },
          },
    '/geocode/nominatim': (r) =>
      r.query.q?.toLowerCase().includes('nowhere')
        ? { status: 200, body: [] }
        : {
            status: 200,
            body: [
              {
                lat: '43.2001',
                lon: '-71.5452',
                display_name: r.query.q,
                ...(r.query.addressdetails === '1' && {
                  address: {
                    house_number: '12',
                    road: 'Pleasant Street',
                    city: 'Concord',
                    state: 'New Hampshire',
                    postcode: '03301',
                  },
                }),
              },
            ],
          },
    // Places Autocomplete (New): one prediction in Concord for whatever was typed.
    '/places/autocomplete': (r) => {
      const input = String((JSON.parse(r.body || '{}') as { input?: unknown }).input ?? '');
      return input.toLowerCase().includes('nowhere')
        ? { status: 200, body: {} }
        : {
            status: 200,
            body: {
              suggestions: [
                {
                  placePrediction: {
                    text: { text: `${input}, Concord, NH, USA` },
                    structuredFormat: { mainText: { text: input }, secondaryText: { text: 'Concord, NH, USA' } },
                  },
                },
              ],
            },
          };
    },
    '/hibp/range/': (r) => hibpRange(r.path.slice('/hibp/range/'.length)),
    '/twilio/': twilio,
    '/resend/': (r) =>
      r.method === 'POST' && r.path.endsWith('/emails')
        ? { status: 200, body: { id: crypto.randomUUID() } }
        : undefined,
    // A push service answers 201 Created for an accepted message (RFC 8030 §5).
    '/push/': (r) => (r.method === 'POST' ? { status: 201, body: {} } : undefined),
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const body = raw.toString('utf8');
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
      return reply(
        200,
        recorded.filter((r) => r.path.startsWith(prefix)),
      );
    }
    if (url.pathname === '/__script' && req.method === 'POST') {
      const script = JSON.parse(body) as Script;
      scripts.set(scriptKey(script), { ...script, responses: [...script.responses] });
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
      body_base64: raw.toString('base64'),
      at: Date.now(),
    };
    recorded.push(rec);
    // Most specific scripts first (with method/match), then plain prefixes.
    const candidates = [...scripts.values()].sort(
      (a, b) => Number(!!b.match) + Number(!!b.method) - Number(!!a.match) - Number(!!a.method),
    );
    for (const script of candidates) {
      if (script.responses.length > 0 && scriptMatches(script, rec, req.url ?? '')) {
        return send(script.responses.shift()!);
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
