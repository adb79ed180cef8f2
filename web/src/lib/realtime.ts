import { WebSocket as ReconnectingWebSocket } from 'partysocket';
import { WS_CLOSE_ACCESS_ENDED, WS_CLOSE_UNAUTHORIZED } from '../../../contract/errors';
import type { ClientMessage, ServerMessage } from '../../../contract/ws';
import { ApiError } from './api';
import type { SessionStore } from './session';

/**
 * The app's one WebSocket to `/ws` (SPEC §5), on partysocket for reconnects with backoff.
 *
 * - The URL is computed on every (re)connect, so it always carries a fresh access token.
 * - `topic` goes in the URL and picks the room (a customer's `job:{id}`); without it
 *   drivers and admins land on the dispatch channel. Every topic is (re)subscribed on open.
 * - Keep-alive: the exact text `{"type":"ping"}` every 30 s, which the Durable Object
 *   answers without waking; a socket that hears nothing for two rounds is replaced.
 * - Close code 4001 (token expired or revoked) stops reconnecting. If a refresh proves the
 *   session is still good (the access token merely expired) it connects once more;
 *   otherwise the session is cleared and the app shows sign-in.
 * - Close code 4003 (the job is no longer this user's: reassigned, rejected) stops for good.
 */

export const KEEPALIVE_MS = 30_000;
export const PING_TEXT = '{"type":"ping"}';
/** Our own "replace this socket" close code (1000 would read as a clean goodbye). */
const CLOSE_RECONNECT = 4000;
/** At most one refresh-and-retry after a 4001 per this window, so a revoked token cannot loop. */
const UNAUTHORIZED_RETRY_WINDOW_MS = 60_000;

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'signed_out';

export interface RealtimeOptions {
  session: SessionStore;
  /** Carried in the URL: the room this socket joins (`job:{id}`). */
  topic?: string;
  /** Further topics to subscribe after every open (`driver:{id}`, `admin:dispatch`). */
  subscriptions?: readonly string[];
}

type MessageListener = (msg: ServerMessage) => void;
type StateListener = (state: ConnectionState) => void;

const SERVER_TYPES = new Set<string>([
  'driver_location',
  'job_status',
  'job_assigned',
  'job_cancelled',
  'new_job_request',
  'driver_status_change',
  'subscribed',
  'ack',
  'error',
  'pong',
  'job_updated',
  'waitlist_changed',
  'invoice_changed',
  'settings_changed',
  'auto_dispatch',
  'route_eta',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/**
 * Checks a server frame before anything reads it: known `type`, object `payload`, and
 * the fields the UI relies on. Unknown or malformed frames give null and are ignored.
 * (contract/ws.ts declares ServerMessage as a type only; a zod schema there would replace this.)
 */
export function parseServerMessage(text: unknown): ServerMessage | null {
  if (typeof text !== 'string') return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(v) || !isStr(v.type) || !SERVER_TYPES.has(v.type as ServerMessage['type'])) return null;
  if (v.type === 'pong') return { type: 'pong' };
  const p = v.payload;
  if (!isObject(p)) return null;
  switch (v.type) {
    case 'driver_location':
      if (!isNum(p.lat) || !isNum(p.lng) || !isStr(p.ts) || !isStr(p.driver_id)) return null;
      break;
    case 'job_status':
      if (!isStr(p.job_id) || !isStr(p.new_status)) return null;
      break;
    case 'job_assigned':
    case 'job_cancelled':
    case 'new_job_request':
      if (!isStr(p.job_id)) return null;
      break;
    case 'driver_status_change':
      if (!isStr(p.driver_id) || !isStr(p.status)) return null;
      break;
    case 'error':
      if (!isStr(p.code) || !isStr(p.message)) return null;
      break;
    case 'ack':
      if (!isStr(p.client_event_id)) return null;
      break;
    case 'route_eta':
      if (!isStr(p.job_id) || !isNum(p.stops_before) || !isStr(p.eta) || !isStr(p.ts)) return null;
      break;
  }
  return v as unknown as ServerMessage;
}

export class RealtimeClient {
  readonly #session: SessionStore;
  readonly #topic: string | undefined;
  readonly #subscriptions: Set<string>;
  readonly #messageListeners = new Set<MessageListener>();
  readonly #stateListeners = new Set<StateListener>();
  #ws: ReconnectingWebSocket | null = null;
  #state: ConnectionState = 'closed';
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  #lastErrorCode: string | null = null;
  #lastUnauthorizedRetry = 0;
  #detach: (() => void) | null = null;

  constructor(opts: RealtimeOptions) {
    this.#session = opts.session;
    this.#topic = opts.topic;
    this.#subscriptions = new Set([...(opts.topic ? [opts.topic] : []), ...(opts.subscriptions ?? [])]);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  onMessage(listener: MessageListener): () => void {
    this.#messageListeners.add(listener);
    return () => this.#messageListeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  start(): void {
    if (this.#ws) return;
    const ws = new ReconnectingWebSocket(() => this.#url(), undefined, {
      minReconnectionDelay: 1_000,
      maxReconnectionDelay: 30_000,
      reconnectionDelayGrowFactor: 1.6,
      connectionTimeout: 10_000,
      // Subscriptions are re-sent on open and a stale GPS fix is worse than none: no queue.
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: (e) => e.code !== WS_CLOSE_UNAUTHORIZED && e.code !== WS_CLOSE_ACCESS_ENDED,
    });
    this.#ws = ws;
    this.#setState('connecting');
    ws.addEventListener('open', this.#handleOpen);
    ws.addEventListener('message', this.#handleMessage);
    ws.addEventListener('close', this.#handleClose);
    this.#keepalive = setInterval(this.#tick, KEEPALIVE_MS);
    const wake = () => {
      // Phones drop sockets in the background: retry at once instead of after the backoff.
      if (this.#ws && this.#state === 'reconnecting' && navigator.onLine !== false)
        this.#ws.reconnect(CLOSE_RECONNECT, 'wake');
    };
    const onVisible = () => document.visibilityState === 'visible' && wake();
    // The browser knows the network is gone before the socket does: say so at once, so
    // nothing is "sent" into a dead socket (the driver's GPS goes to the outbox instead).
    const onOffline = () => {
      if (this.#ws && this.#state === 'open') {
        this.#setState('reconnecting');
        this.#ws.reconnect(CLOSE_RECONNECT, 'offline');
      }
    };
    window.addEventListener('online', wake);
    window.addEventListener('offline', onOffline);
    document.addEventListener('visibilitychange', onVisible);
    this.#detach = () => {
      window.removeEventListener('online', wake);
      window.removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }

  /** Closes for good (page left, job over). */
  stop(): void {
    clearInterval(this.#keepalive);
    this.#detach?.();
    this.#detach = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      ws.removeEventListener('open', this.#handleOpen);
      ws.removeEventListener('message', this.#handleMessage);
      ws.removeEventListener('close', this.#handleClose);
      ws.close(1000, 'client done');
    }
    if (this.#state !== 'signed_out') this.#setState('closed');
  }

  /** Sends now if the socket is open; returns false (message dropped) otherwise. */
  send(msg: ClientMessage): boolean {
    if (!this.#ws || this.#state !== 'open' || navigator.onLine === false) return false;
    return this.#ws.send(JSON.stringify(msg));
  }

  subscribe(topic: string): void {
    this.#subscriptions.add(topic);
    this.send({ type: 'subscribe', payload: { topic } });
  }

  async #url(): Promise<string> {
    let token: string;
    try {
      token = await this.#session.freshAccessToken();
    } catch (err) {
      // Signed out (or the refresh was refused): stop instead of retrying forever.
      if (!this.#session.get()) queueMicrotask(() => this.#signedOut());
      throw err instanceof Error ? err : new Error(String(err));
    }
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const params = new URLSearchParams({ token });
    if (this.#topic) params.set('topic', this.#topic);
    return `${proto}//${window.location.host}/ws?${params}`;
  }

  #handleOpen = () => {
    this.#lastHeard = Date.now();
    this.#lastErrorCode = null;
    this.#setState('open');
    for (const topic of this.#subscriptions)
      this.#ws?.send(JSON.stringify({ type: 'subscribe', payload: { topic } } satisfies ClientMessage));
  };

  #handleMessage = (e: MessageEvent) => {
    this.#lastHeard = Date.now();
    const msg = parseServerMessage(e.data);
    if (!msg) return;
    if (msg.type === 'error') this.#lastErrorCode = msg.payload.code;
    for (const l of this.#messageListeners) l(msg);
  };

  #handleClose = (e: { code: number }) => {
    if (!this.#ws) return;
    if (e.code === WS_CLOSE_ACCESS_ENDED) {
      this.#setState('closed');
      return;
    }
    if (e.code !== WS_CLOSE_UNAUTHORIZED) {
      if (this.#state !== 'signed_out') this.#setState('reconnecting');
      return;
    }
    void this.#afterUnauthorized();
  };

  async #afterUnauthorized(): Promise<void> {
    const now = Date.now();
    // The server says why before it closes: only an expired token is worth a refresh.
    const expired = this.#lastErrorCode !== 'token_revoked';
    if (expired && now - this.#lastUnauthorizedRetry > UNAUTHORIZED_RETRY_WINDOW_MS) {
      this.#lastUnauthorizedRetry = now;
      try {
        await this.#session.refresh();
        this.#ws?.reconnect();
        this.#setState('reconnecting');
        return;
      } catch (err) {
        if (err instanceof ApiError && err.isNetwork && this.#session.get()) {
          this.#ws?.reconnect(); // offline: the URL provider refreshes when it can
          this.#setState('reconnecting');
          return;
        }
      }
    }
    this.#signedOut();
  }

  #signedOut(): void {
    this.#session.clear();
    this.#setState('signed_out');
    this.stop();
  }

  #tick = () => {
    if (!this.#ws || this.#state !== 'open') return;
    if (Date.now() - this.#lastHeard > 2 * KEEPALIVE_MS + 5_000) {
      this.#ws.reconnect(CLOSE_RECONNECT, 'keep-alive timeout');
      this.#setState('reconnecting');
      return;
    }
    this.#ws.send(PING_TEXT);
  };

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const l of this.#stateListeners) l(state);
  }
}

/**
 * Sends `msg` and resolves true once the server acknowledges `clientEventId` (`ack`),
 * false when the socket is down or no ack comes within `timeoutMs`. Used to replay the
 * driver's offline GPS: a fix leaves the outbox only when the server has it.
 */
export function sendWithAck(
  client: RealtimeClient,
  msg: ClientMessage,
  clientEventId: string,
  timeoutMs = 8_000,
): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      resolve(ok);
    };
    const off = client.onMessage((m) => {
      if (m.type === 'ack' && m.payload.client_event_id === clientEventId) finish(true);
    });
    const timer = setTimeout(() => finish(false), timeoutMs);
    if (!client.send(msg)) finish(false);
  });
}
