import type { ErrorBody } from '../../../contract/errors';

/**
 * The transport under the API client and the session store: the API's base path, a
 * timed-out `fetch`, and `ApiError`, the one shape every refusal takes in the apps.
 * Knows nothing of sessions, so both can build on it.
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
