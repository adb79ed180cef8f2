import { type ComponentType, lazy, Suspense, type ReactNode } from 'react';
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

/** Each screen once: its path, its name in the menu and what it shows. */
const PAGES: readonly (readonly [string, string, ComponentType])[] = [
  ['/customer', strings.nav.jobs, JobsPage],
  ['/customer/request', strings.nav.request, RequestPage],
  ['/customer/locations', strings.nav.locations, LocationsPage],
  ['/customer/invoices', strings.nav.invoices, InvoicesPage],
  ['/customer/contract', strings.nav.contract, ContractPage],
  ['/customer/account', strings.nav.account, AccountPage],
];

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

  const Page = home ? JobsPage : PAGES.find(([href]) => href === path)?.[2];
  let page: ReactNode;
  if (!signedIn) page = <AuthPanel />;
  else if (live) page = <LiveJobPage key={live.id} jobId={live.id!} />;
  else page = Page ? <Page /> : <NotFound strings={strings.notFound} home="/customer" />;

  return (
    <AppShell session={session} strings={strings.shell} nav={nav} variant="customer">
      <Suspense fallback={null}>{page}</Suspense>
    </AppShell>
  );
}
