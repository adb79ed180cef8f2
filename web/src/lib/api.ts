import { ApiError, apiUrl, send, type RequestOptions } from './http';
import type { SessionStore } from './session';

export { API_BASE, ApiError, apiUrl, send, type RequestOptions } from './http';

/**
 * The one way the web apps talk HTTP to the Worker: `/api/v1/...` with the session's
 * bearer token, JSON in and out, and every refusal turned into an `ApiError` carrying
 * the SPEC §4 error code. An expired access token is refreshed once and the request
 * retried; a refused or revoked session is cleared, which sends the app to sign-in.
 *
 *   const { jobs } = await api.get<{ jobs: Job[] }>('/drivers/me/jobs');
 */

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
        // Revoked, suspended or forged: this sign-in is over.
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
    return (await this.file(path, signal)).blob;
  }

  /**
   * A PDF fetched with the session and shown in a new tab from a blob URL. The tab is opened
   * before the download, while the click still counts as the user's (pop-up blockers).
   */
  async openPdf(path: string): Promise<void> {
    const win = window.open('', '_blank');
    const url = URL.createObjectURL(await this.blob(path));
    if (win) win.location.href = url;
    else window.location.assign(url);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** A download with its response headers (e.g. an evidence pack's `x-evidence-sha256`). */
  async file(path: string, signal?: AbortSignal): Promise<{ blob: Blob; headers: Headers }> {
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
    return { blob: await res.blob(), headers: res.headers };
  }
}

/** True when `err` says the endpoint is not deployed yet (see `ApiError.isMissingRoute`). */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.isMissingRoute;
}
