import { lazy, Suspense, type ReactNode } from 'react';
import { useSession } from '../lib/hooks';
import { Link, matchPath, usePathname } from '../lib/router';
import { AppShell } from '../ui/AppShell';
import { NotFound } from '../ui/NotFound';
import { AccountPage } from './AccountPage';
import { AuthPanel } from './AuthPanel';
import { InvoicesPage } from './InvoicesPage';
import { JobsPage } from './JobsPage';
import { LiveJobPage } from './LiveJobPage';
import { LocationsPage } from './LocationsPage';
import { RequestPage } from './RequestPage';
import { session } from './session';
import { strings } from './strings';
import './customer.css';

const ContractPage = lazy(() => import('./ContractPage'));

const PAGES = [
  ['/customer', strings.nav.jobs],
  ['/customer/request', strings.nav.request],
  ['/customer/locations', strings.nav.locations],
  ['/customer/invoices', strings.nav.invoices],
  ['/customer/contract', strings.nav.contract],
  ['/customer/account', strings.nav.account],
] as const;

/** The customer app: `/` and `/customer/*`. */
export default function CustomerApp() {
  const signedIn = useSession(session);
  const raw = usePathname();
  const path = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
  const live = matchPath('/customer/jobs/:id', path);
  const home = path === '/' || path === '/customer';

  const nav = (
    <nav className="app__nav" aria-label={strings.nav.label}>
      {PAGES.map(([href, label]) => (
        <Link key={href} href={href} aria-current={(href === '/customer' ? home : path === href) ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );

  let page: ReactNode;
  if (!signedIn) page = <AuthPanel />;
  else if (live) page = <LiveJobPage key={live.id} jobId={live.id!} />;
  else if (home) page = <JobsPage />;
  else if (path === '/customer/request') page = <RequestPage />;
  else if (path === '/customer/locations') page = <LocationsPage />;
  else if (path === '/customer/invoices') page = <InvoicesPage />;
  else if (path === '/customer/contract') page = <ContractPage />;
  else if (path === '/customer/account') page = <AccountPage />;
  else page = <NotFound strings={strings.notFound} home="/customer" />;

  return (
    <AppShell session={session} strings={strings.shell} nav={nav} variant="customer">
      <Suspense fallback={null}>{page}</Suspense>
    </AppShell>
  );
}
