import { useEffect, useRef, type ReactNode } from 'react';
import { useSession } from '../lib/hooks';
import { usePathname } from '../lib/router';
import { signOut, type SessionStore } from '../lib/session';
import type { ShellStrings } from './strings';
import { Toaster } from './Toaster';

/**
 * Header (app name, navigation, who is signed in, sign out), the main landmark and the
 * toasts. After a client-side navigation focus moves to the new page's heading, so a
 * screen-reader or keyboard user starts reading where the page starts.
 */
export function AppShell({
  session,
  strings,
  nav,
  children,
  variant,
  beforeSignOut,
}: {
  session: SessionStore;
  strings: ShellStrings;
  nav?: ReactNode;
  children: ReactNode;
  variant: 'customer' | 'driver' | 'admin';
  beforeSignOut?: () => Promise<void>;
}) {
  const current = useSession(session);
  const path = usePathname();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // Wait a frame for the new page to render its heading.
    const id = requestAnimationFrame(() => {
      // Leave focus alone where something put it on purpose: a dialog, or a control on the
      // page (a closed drawer gives focus back to the card that opened it).
      const active = document.activeElement;
      const main = document.getElementById('main');
      if (
        active &&
        active !== document.body &&
        active !== main &&
        (active.closest('[role="dialog"]') || main?.contains(active))
      )
        return;
      const target = document.querySelector<HTMLElement>('#main h1') ?? document.getElementById('main');
      if (!target) return;
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(id);
  }, [path]);
  // On a phone the navigation is one row that scrolls sideways: keep the current page in it
  // visible. Scrolled by hand, not scrollIntoView, which would also move where the next Tab
  // starts from (the skip link must stay first).
  useEffect(() => {
    const nav = document.querySelector<HTMLElement>('.app__nav');
    const link = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!nav || !link || nav.scrollWidth <= nav.clientWidth) return;
    const box = nav.getBoundingClientRect();
    const item = link.getBoundingClientRect();
    if (item.left < box.left) nav.scrollLeft -= box.left - item.left + 16;
    else if (item.right > box.right) nav.scrollLeft += item.right - box.right + 24;
  }, [path]);

  return (
    <div className={`app app--${variant}`}>
      <a className="skip-link" href="#main">
        {strings.skipToContent}
      </a>
      <header className="app__header">
        <span className="app__brand">{strings.appName}</span>
        {current && nav}
        <span className="app__spacer" />
        {current && (
          <span className="app__user">
            <span className="visually-hidden-mobile">{strings.signedInAs(current.user.full_name)}</span>
            <button
              type="button"
              className="button button--ghost"
              onClick={() =>
                void (beforeSignOut ? beforeSignOut().catch(() => undefined) : Promise.resolve()).then(() =>
                  signOut(session),
                )
              }
            >
              {strings.signOut}
            </button>
          </span>
        )}
      </header>
      <main id="main" className="app__main" tabIndex={-1}>
        {children}
      </main>
      <Toaster dismissLabel={strings.dismiss ?? 'Dismiss'} />
    </div>
  );
}
