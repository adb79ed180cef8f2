import type { ErrorBody } from '../../../contract/errors';
import type { SessionStore } from './session';

/**
 * The one way the web apps talk HTTP to the Worker: `/api/v1/...` with the session's
 * bearer token, JSON in and out, and every refusal turned into an `ApiError` carrying
 * the SPEC §4 error code. An expired access token is refreshed once and the request
 * retried; a refused or revoked session is cleared, which sends the app to sign-in.
 *
 *   const { jobs } = await api.get<{ jobs: Job[] }>('/drivers/me/jobs');
 */

export const API_BASE = '/api/v1';
const REQUEST_TIMEOUT_MS = 20_000;

/** A refusal from the API (or `status` 0: the network, not the server, failed). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, from a 429's Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }

  /**
   * The endpoint does not exist on this server yet (the Worker's notFound handler), as
   * opposed to a 404 for a missing record. Screens built ahead of their endpoint use this
   * to say "not available yet" instead of an error, and light up once it is deployed.
   */
  get isMissingRoute(): boolean {
    return this.status === 404 && this.code === 'not_found' && this.message.startsWith('No route for');
  }

  /** Per-field messages of a 400 `validation_failed` (`details: [{field, message}]`). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as unknown[]) {
        if (d && typeof d === 'object' && 'field' in d && 'message' in d) {
          const { field, message } = d as { field: unknown; message: unknown };
          if (typeof field === 'string' && typeof message === 'string' && !(field in out)) out[field] = message;
        }
      }
    }
    return out;
  }

  /** Reads the SPEC error body of a failed response; tolerates proxies' HTML pages. */
  static async fromResponse(res: Response): Promise<ApiError> {
    const retry = Number(res.headers.get('retry-after'));
    const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    const err = (body as Partial<ErrorBody> | undefined)?.error;
    if (err && typeof err.code === 'string' && typeof err.message === 'string') {
      return new ApiError(res.status, err.code, err.message, err.details, retryAfter);
    }
    return new ApiError(
      res.status,
      `http_${res.status}`,
      res.statusText || `HTTP ${res.status}`,
      undefined,
      retryAfter,
    );
  }

  static network(cause: unknown): ApiError {
    return new ApiError(0, 'network_error', cause instanceof Error ? cause.message : String(cause));
  }
}

export interface RequestOptions {
  /** JSON body. */
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Send the bearer token (default true). Sign-in and refresh do not. */
  auth?: boolean;
  signal?: AbortSignal;
}

function withTimeout(signal: AbortSignal | undefined): AbortSignal | undefined {
  if (typeof AbortSignal.timeout !== 'function') return signal;
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  if (!signal) return timeout;
  return typeof AbortSignal.any === 'function' ? AbortSignal.any([signal, timeout]) : signal;
}

/** `fetch` that reports a dead network as an `ApiError` (aborts pass through). */
export async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: withTimeout(init.signal ?? undefined) });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw ApiError.network(err);
  }
}

export function apiUrl(path: string, query?: RequestOptions['query']): string {
  let url = `${API_BASE}${path.startsWith('/') ? path : `/${path}`}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.set(k, String(v));
    const qs = params.toString();
    if (qs) url += `?${qs}`;
  }
  return url;
}

/**
 * Endpoints this server answered "No route for …": asked again only after a reload, so a
 * screen built ahead of its endpoint does not poll a missing route on every refresh.
 */
const missingRoutes = new Map<string, ApiError>();

export class ApiClient {
  readonly session: SessionStore;

  constructor(session: SessionStore) {
    this.session = session;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const auth = opts.auth ?? true;
    const url = apiUrl(path, opts.query);
    const routeKey = `${method} ${path.split('?')[0]}`;
    const known = missingRoutes.get(routeKey);
    if (known) throw known;
    const attempt = (token: string | undefined) => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      return send(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    };

    let token = auth ? await this.session.freshAccessToken() : undefined;
    let res = await attempt(token);
    if (auth && res.status === 401) {
      const err = await ApiError.fromResponse(res);
      if (err.code !== 'token_expired') {
        // Revoked, suspended or forged: this session is over.
        this.session.clear();
        throw err;
      }
      token = (await this.session.refresh()).access_token;
      res = await attempt(token);
    }
    if (!res.ok) {
      const err = await ApiError.fromResponse(res);
      if (auth && res.status === 401) this.session.clear();
      if (err.isMissingRoute) missingRoutes.set(routeKey, err);
      throw err;
    }
    if (res.status === 204 || res.status === 205) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, opts?: Omit<RequestOptions, 'body'>) {
    return this.request<T>('GET', path, opts);
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('POST', path, { ...opts, body });
  }
  patch<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('PATCH', path, { ...opts, body });
  }
  delete<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, { ...opts, body });
  }
  put<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('PUT', path, { ...opts, body });
  }

  /** A binary download with the bearer token (invoice PDFs): the caller makes an object URL. */
  async blob(path: string, signal?: AbortSignal): Promise<Blob> {
    const attempt = async () =>
      send(apiUrl(path), {
        method: 'GET',
        headers: { authorization: `Bearer ${await this.session.freshAccessToken()}` },
        signal,
      });
    let res = await attempt();
    if (res.status === 401) {
      await this.session.refresh();
      res = await attempt();
    }
    if (!res.ok) throw await ApiError.fromResponse(res);
    return res.blob();
  }
}

/** True when `err` says the endpoint is not deployed yet (see `ApiError.isMissingRoute`). */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.isMissingRoute;
}
