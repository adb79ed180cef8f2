import type { ReactNode } from 'react';
import { signOut, type SessionStore } from '../lib/session';
import { useSession } from '../lib/hooks';
import type { ShellStrings } from './strings';

/** Header (app name, who is signed in, sign out) and the main landmark. */
export function AppShell({ session, strings, nav, children, variant }: {
  session: SessionStore;
  strings: ShellStrings;
  nav?: ReactNode;
  children: ReactNode;
  variant: 'customer' | 'driver' | 'admin';
}) {
  const current = useSession(session);
  return (
    <div className={`app app--${variant}`}>
      <a className="skip-link" href="#main">
        {strings.skipToContent}
      </a>
      <header className="app__header">
        <span className="app__brand">{strings.appName}</span>
        {nav}
        <span className="app__spacer" />
        {current && (
          <span className="app__user">
            <span className="visually-hidden-mobile">{strings.signedInAs(current.user.full_name)}</span>
            <button type="button" className="button button--ghost" onClick={() => void signOut(session)}>
              {strings.signOut}
            </button>
          </span>
        )}
      </header>
      <main id="main" className="app__main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
