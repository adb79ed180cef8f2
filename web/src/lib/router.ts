import { createElement, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A pathname router small enough to read in one sitting: the History API, one change
 * event, and `matchPath` for `/customer/jobs/:id` style patterns. Each app switches on
 * the path itself, so there is no route table to keep in sync.
 */

const CHANGE = 'plow:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/** The current `location.pathname`, re-rendering on navigation. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** Goes to `to` (same origin) without a page load. */
export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
  window.scrollTo(0, 0);
}

/**
 * Params of `pattern` in `pathname`, or null. `:name` matches one segment; a trailing
 * `/*` matches the rest. `matchPath('/customer/jobs/:id', '/customer/jobs/42')` → `{ id: '42' }`.
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  const pat = strip(pattern).split('/');
  const path = strip(pathname).split('/');
  const params: Record<string, string> = {};
  for (let i = 0; i < pat.length; i++) {
    const seg = pat[i]!;
    if (seg === '*') return params;
    const value = path[i];
    if (value === undefined) return null;
    if (seg.startsWith(':')) {
      if (!value) return null;
      params[seg.slice(1)] = decodeURIComponent(value);
    } else if (seg !== value) {
      return null;
    }
  }
  return pat.length === path.length ? params : null;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** An ordinary `<a>` that navigates in place on a plain left click. */
export function Link({ href, onClick, ...rest }: LinkProps) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || rest.target) return;
    e.preventDefault();
    navigate(href);
  };
  return createElement('a', { ...rest, href, onClick: handle });
}
