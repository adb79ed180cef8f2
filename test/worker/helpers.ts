import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../worker/index';
import { totpAt } from '../../worker/auth/totp';
import { withDb, type Db } from '../../worker/lib/db';

export const BASE = 'http://plow.test';
export const DEMO_PASSWORD = 'plow-demo-2026';
export const DEMO_TOTP = 'JBSWY3DPEHPK3PXP';

/** A request to the Worker: `token` rides as a bearer token, `json` as the body. */
export interface ApiInit extends RequestInit {
  token?: string;
  json?: unknown;
  /**
   * Settings changed for this request only (an IP allow-list, a rotated JWT key, the
   * database behind the fault gate): same routes, middleware, Durable Objects, another
   * `env`. Such a request's `waitUntil` work is done before it returns.
   */
  env?: Partial<Env>;
}

/**
 * Calls the Worker in-process (real routing, middleware, Durable Objects, database).
 *
 * @example
 * const res = await api('/api/v1/jobs', { method: 'POST', token, json: { location_id } });
 */
export async function api(path: string, init: ApiInit = {}): Promise<Response> {
  const { token, json, env: overrides, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  let body = rest.body;
  if (json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(json);
  }
  const request = new Request(`${BASE}${path}`, { ...rest, headers, body });
  if (!overrides) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    request as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...overrides } as Env,
    ctx,
  );
  const bytes = await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  return new Response(bytes.byteLength ? bytes : null, res);
}

/** A response's status, headers and parsed JSON body (`null` when empty). */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Reads a response whole, as `Answer`. */
export async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** Sends a JSON request and returns status, headers and parsed body together. */
export async function call(
  method: string,
  path: string,
  token: string | undefined,
  json?: unknown,
  init: ApiInit = {},
): Promise<Answer> {
  return answer(await api(path, { ...init, method, token, ...(json === undefined ? {} : { json }) }));
}

export interface Session {
  access_token: string;
  refresh_token: string;
  user: { id: string; email: string; role: string; full_name: string };
}

export async function currentTotp(secret = DEMO_TOTP): Promise<string> {
  return totpAt(secret, Math.floor(Date.now() / 30_000));
}

export async function login(email: string, password = DEMO_PASSWORD): Promise<Session> {
  const json: Record<string, string> = { email, password };
  if (email.startsWith('admin')) json.totp_code = await currentTotp();
  const res = await api('/api/v1/auth/login', { method: 'POST', json });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${await res.text()}`);
  return res.json();
}

export function db<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  return withDb(env, fn);
}

/** A live test socket that queues what it receives. */
export class TestSocket {
  readonly messages: { type: string; payload?: any }[] = [];
  closed: { code: number; reason: string } | null = null;
  #waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener('message', (e) => {
      this.messages.push(JSON.parse(String(e.data)));
      this.#wake();
    });
    ws.addEventListener('close', (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.#wake();
    });
  }

  #wake() {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  send(msg: unknown) {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Waits (bounded) for a message matching `pred`, removing and returning it. */
  async next(
    pred: (m: { type: string; payload?: any }) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<{ type: string; payload?: any }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(pred);
      if (i >= 0) return this.messages.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  close() {
    try {
      this.ws.close(1000, 'test done');
    } catch {
      // already closed
    }
  }
}

/** The raw `/ws` upgrade response for a token (and optional topic and extra request headers). */
export async function upgradeWs(
  token: string,
  topic?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const q = new URLSearchParams({ token });
  if (topic) q.set('topic', topic);
  return exports.default.fetch(new Request(`${BASE}/ws?${q}`, { headers: { ...headers, upgrade: 'websocket' } }));
}

/** Opens `/ws` with a token (and optional topic and extra request headers) and accepts the client end. */
export async function connect(token: string, topic?: string, headers?: Record<string, string>): Promise<TestSocket> {
  const res = await upgradeWs(token, topic, headers);
  if (res.status !== 101 || !res.webSocket) throw new Error(`ws upgrade failed: ${res.status} ${await res.text()}`);
  res.webSocket.accept();
  return new TestSocket(res.webSocket);
}

/** Checks that `res` (a raw response or an `Answer` already read) is `status` in the SPEC error shape, with `code` when given. */
export async function expectError(
  res: Response | Answer,
  status: number,
  code?: string,
): Promise<{ error: { code: string; message: string; details?: unknown } }> {
  const body = (res instanceof Response ? await res.json() : res.body) as {
    error: { code: string; message: string; details?: unknown };
  };
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string')
    throw new Error(`not the SPEC error shape: ${JSON.stringify(body)}`);
  if (code && body.error.code !== code) throw new Error(`expected code ${code}, got ${body.error.code}`);
  return body;
}

/**
 * A request that must be refused: `method path` as `token` (none for a signed-out caller)
 * with `json` as the body, answered with `status` and `code` in the SPEC error shape.
 *
 * @example await expectRefusal(404, 'not_found', 'DELETE', `/api/v1/jobs/${id}`, other.token);
 */
export async function expectRefusal(
  status: number,
  code: string,
  method: string,
  path: string,
  token?: string,
  json?: unknown,
): ReturnType<typeof expectError> {
  return expectError(await api(path, { method, token, ...(json === undefined ? {} : { json }) }), status, code);
}
