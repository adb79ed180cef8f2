import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { SessionStore, StoredSession } from './session';

/** The signed-in session of an app, or null; re-renders on sign-in, sign-out and refresh. */
export function useSession(session: SessionStore): StoredSession | null {
  return useSyncExternalStore(session.subscribe, session.get);
}

/** `Date.now()` that re-renders every `intervalMs` (for "12 s ago" labels). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (keeping the old data on screen meanwhile). */
  reload: () => void;
  /** Replaces the data locally, e.g. with a mutation's response. */
  setData: (update: T | ((prev: T | undefined) => T)) => void;
}

/**
 * Loads `load()` when `key` changes and on `reload()`; a stale response (an older key or
 * an earlier reload) is dropped. The loader gets an AbortSignal for unmounts.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, key: string | null): Resource<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(key !== null);
  const [generation, setGeneration] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    if (key === null) return;
    const ctrl = new AbortController();
    setLoading(true);
    loader.current(ctrl.signal).then(
      (v) => {
        if (ctrl.signal.aborted) return;
        setDataState(v);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((update: T | ((prev: T | undefined) => T)) => {
    setDataState((prev) => (typeof update === 'function' ? (update as (p: T | undefined) => T)(prev) : update));
  }, []);
  return { data, error, loading, reload, setData };
}

/** Calls `fn` every `ms` while `active` (the latest `fn`, without restarting the timer). */
export function useInterval(fn: () => void, ms: number, active = true): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => ref.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

/** A random id the API accepts as `client_event_id` (replays are applied once). */
export function newClientEventId(prefix: string): string {
  if (typeof crypto.randomUUID === 'function') return `${prefix}-${crypto.randomUUID()}`;
  // randomUUID needs a secure context; getRandomValues does not (a phone on a LAN IP).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
