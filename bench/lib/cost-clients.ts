import WebSocket from 'ws';

/**
 * The three apps as the cost benchmark drives them: HTTP calls counted by route, and
 * WebSockets that count what the client sent (every incoming message is billed to the
 * Durable Object at 20:1) and send the apps' keep-alive (web/src/lib/realtime.ts).
 */
export class Clients {
  readonly base: string;
  /** Requests sent, by `METHOD /route`. */
  readonly requests = new Map<string, number>();
  wsSent = 0;
  wsReceived = 0;
  upgrades = 0;

  constructor(base: string) {
    this.base = base;
  }

  get totalRequests(): number {
    return [...this.requests.values()].reduce((a, b) => a + b, 0) + this.upgrades;
  }

  async call<T = unknown>(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    route = path,
  ): Promise<{ status: number; body: T }> {
    const key = `${method} ${route}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const res = await fetch(path.startsWith('http') ? path : `${this.base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body instanceof Uint8Array ? { 'content-type': 'image/jpeg' } : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // a PDF or an empty body
    }
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, body: parsed as T };
  }

  /** `/ws?token=…[&topic=…]`, open; `onMessage` sees every server message. */
  async socket(token: string, topic?: string, onMessage?: (msg: { type: string; payload?: unknown }) => void) {
    const url = `${this.base.replace(/^http/, 'ws')}/ws?token=${token}${topic ? `&topic=${topic}` : ''}`;
    this.upgrades++;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (data) => {
      this.wsReceived++;
      onMessage?.(JSON.parse(String(data)) as { type: string; payload?: unknown });
    });
    const send = (msg: unknown) => {
      this.wsSent++;
      ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
    };
    return {
      send,
      /** The apps' keep-alive text, answered by the runtime without waking the object. */
      keepAlive: () => send('{"type":"ping"}'),
      close: () =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(1000);
          setTimeout(resolve, 2000).unref();
        }),
    };
  }
}

export type AppSocket = Awaited<ReturnType<Clients['socket']>>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
