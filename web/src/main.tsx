import { Component, StrictMode, Suspense, lazy, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { usePathname } from './lib/router';
import { strings } from './strings';
import './styles/base.css';
import './styles/components.css';

/**
 * Three apps, one bundle entry: the pathname picks the app and each app is its own lazy
 * chunk, so the driver's phone never downloads the admin portal.
 *   /driver/*   driver app   ·   /admin/*   admin portal   ·   / and /customer/*   customer app
 *   /auth/*   pages that emailed links open (verify email, magic link, reset, invitation)
 */
const CustomerApp = lazy(() => import('./customer/CustomerApp'));
const DriverApp = lazy(() => import('./driver/DriverApp'));
const AdminApp = lazy(() => import('./admin/AdminApp'));
const AuthApp = lazy(() => import('./auth/AuthApp'));

type AppName = 'customer' | 'driver' | 'admin' | 'auth';

function appFor(pathname: string): AppName {
  const first = pathname.split('/')[1];
  return first === 'driver' || first === 'admin' || first === 'auth' ? first : 'customer';
}

/** Each app installs as itself: its own manifest, name and scope (none for the emailed-link pages). */
function linkManifest(app: AppName): void {
  if (app === 'auth') return;
  const link = document.createElement('link');
  link.rel = 'manifest';
  link.href = `/${app}.webmanifest`;
  document.head.append(link);
}
linkManifest(appFor(window.location.pathname));

class LoadBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: unknown) {
    console.error('app failed to load', error);
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="boot" role="alert">
        <p>{strings.loadFailed}</p>
        <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
          {strings.reload}
        </button>
      </div>
    );
  }
}

function Root() {
  const app = appFor(usePathname());
  return (
    <LoadBoundary>
      <Suspense
        fallback={
          <p className="boot" role="status">
            {strings.loading}
          </p>
        }
      >
        {app === 'driver' ? (
          <DriverApp />
        ) : app === 'admin' ? (
          <AdminApp />
        ) : app === 'auth' ? (
          <AuthApp />
        ) : (
          <CustomerApp />
        )}
      </Suspense>
    </LoadBoundary>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
