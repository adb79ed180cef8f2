import type { Role } from '../../../contract/enums';
import { ApiError, apiUrl, send } from './http';
import type { SessionUser, TokenResponse } from '../../../contract/responses';

/**
 * One signed-in session per app (customer, driver, admin), kept in localStorage so a
 * reload or an installed PWA stays signed in. The three apps keep separate keys: a
 * dispatcher can test the driver app in another tab without signing themselves out.
 *
 * Refresh tokens rotate on every use and a reused one revokes the whole family (SPEC §4),
 * so refreshing is single-flight within a tab and serialized across tabs with a Web Lock;
 * a tab that waited re-reads storage and uses the token another tab already got.
 */

export interface StoredSession {
  user: SessionUser;
  access_token: string;
  refresh_token: string;
  /** Epoch ms when the access token expires (by this device's clock). */
  expires_at: number;
}

/** Refresh this long before the access token expires, so a request never races expiry. */
const REFRESH_MARGIN_MS = 60_000;
const KEY_PREFIX = 'plowdispatch.session.';

export class SessionStore {
  readonly app: Role;
  readonly #key: string;
  readonly #listeners = new Set<() => void>();
  #cached: StoredSession | null | undefined;
  #refreshing: Promise<StoredSession> | null = null;

  /** `app` is also the role this app signs in: a driver cannot use the admin portal. */
  constructor(app: Role) {
    this.app = app;
    this.#key = KEY_PREFIX + app;
    if (typeof window !== 'undefined') {
      window.addEventListener('storage', (e) => {
        if (e.key === this.#key || e.key === null) {
          this.#cached = undefined;
          this.#emit();
        }
      });
    }
  }

  /** The session, or null when signed out. Stable between changes (for useSyncExternalStore). */
  get = (): StoredSession | null => {
    if (this.#cached === undefined) {
      let parsed: StoredSession | null = null;
      try {
        const raw = localStorage.getItem(this.#key);
        const v = raw ? (JSON.parse(raw) as Partial<StoredSession>) : null;
        if (
          v &&
          v.user &&
          typeof v.access_token === 'string' &&
          typeof v.refresh_token === 'string' &&
          typeof v.expires_at === 'number'
        ) {
          parsed = v as StoredSession;
        }
      } catch {
        parsed = null;
      }
      this.#cached = parsed;
    }
    return this.#cached;
  };

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Stores a token response (sign-in, refresh). */
  set(tokens: TokenResponse): StoredSession {
    const session: StoredSession = {
      user: tokens.user,
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      expires_at: Date.now() + tokens.expires_in * 1000,
    };
    localStorage.setItem(this.#key, JSON.stringify(session));
    this.#cached = session;
    this.#emit();
    return session;
  }

  clear(): void {
    if (this.get() === null) return;
    localStorage.removeItem(this.#key);
    this.#cached = null;
    this.#emit();
  }

  /** An access token valid for at least `minValidityMs`, refreshing first if needed. */
  async freshAccessToken(minValidityMs = REFRESH_MARGIN_MS): Promise<string> {
    const s = this.get();
    if (!s) throw new ApiError(401, 'signed_out', 'Sign in to continue.');
    if (s.expires_at - Date.now() > minValidityMs) return s.access_token;
    return (await this.refresh()).access_token;
  }

  /**
   * Rotates the refresh token once (concurrent callers share the result). A refused
   * refresh ends the session; a network failure keeps it for the next try.
   */
  refresh(): Promise<StoredSession> {
    if (!this.#refreshing) {
      const stale = this.get()?.refresh_token;
      this.#refreshing = this.#withLock(() => this.#rotate(stale)).finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  async #rotate(stale: string | undefined): Promise<StoredSession> {
    this.#cached = undefined; // another tab may have rotated while we waited for the lock
    const current = this.get();
    if (!current) throw new ApiError(401, 'signed_out', 'Sign in to continue.');
    if (current.refresh_token !== stale && current.expires_at - Date.now() > REFRESH_MARGIN_MS) return current;
    const res = await send(apiUrl('/auth/refresh'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ refresh_token: current.refresh_token }),
    });
    if (!res.ok) {
      const err = await ApiError.fromResponse(res);
      if (res.status === 401 || res.status === 400) this.clear();
      throw err;
    }
    return this.set((await res.json()) as TokenResponse);
  }

  async #withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) return fn();
    return locks.request(`${this.#key}.refresh`, fn);
  }

  #emit(): void {
    for (const l of this.#listeners) l();
  }
}

/**
 * Signs in to `session`'s app. Someone with another role gets `wrong_app` (and the
 * session they were just given is ended), so a driver cannot land in the admin portal.
 */
export async function signIn(
  session: SessionStore,
  credentials: { email: string; password: string; totp_code?: string },
): Promise<StoredSession> {
  const res = await send(apiUrl('/auth/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (!res.ok) throw await ApiError.fromResponse(res);
  const tokens = (await res.json()) as TokenResponse;
  if (tokens.user.role !== session.app) {
    await endSession(tokens.refresh_token, tokens.access_token);
    throw new ApiError(403, 'wrong_app', `This account is a ${tokens.user.role} account.`, { role: tokens.user.role });
  }
  return session.set(tokens);
}

/** Signs out on the server (best effort) and forgets the session here at once. */
export async function signOut(session: SessionStore): Promise<void> {
  const s = session.get();
  session.clear();
  if (s) await endSession(s.refresh_token, s.access_token).catch(() => {});
}

async function endSession(refreshToken: string, accessToken: string): Promise<void> {
  await send(apiUrl('/auth/logout'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
}
