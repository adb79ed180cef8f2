import { type ComponentType, lazy, Suspense } from 'react';
import { useSession } from '../lib/hooks';
import { Link, matchPath, navigate, usePathname } from '../lib/router';
import { AppShell } from '../ui/AppShell';
import { NotFound } from '../ui/NotFound';
import { SignInForm } from '../ui/SignInForm';
import { AdminDataProvider } from './AdminData';
import { BoardPage } from './BoardPage';
import { HealthPage } from './HealthPage';
import { JobDrawer } from './JobDrawer';
import { AuditPage, CustomersPage, DriversPage, LiveMapPage, OutboxPage, ReportsPage } from './Pages';
import { SecurityPage } from './SecurityPage';
import { PricingPage, ServiceAreaPage, SetupWizard } from './Setup';
import { session } from './session';
import { strings } from './strings';
import './admin.css';

// Storm operations load on their own screens only: the board's first load stays as it was.
const StormsPage = lazy(() => import('./StormsPage'));
const ContractsPage = lazy(() => import('./ContractsPage'));
const InvoicesPage = lazy(() => import('./InvoicesPage'));

const n = strings.nav;
/** Each screen once: its path, its name in the menu and what it shows. */
const PAGES: readonly (readonly [string, string, ComponentType])[] = [
  ['/admin', n.board, BoardPage],
  ['/admin/map', n.map, LiveMapPage],
  ['/admin/drivers', n.drivers, DriversPage],
  ['/admin/customers', n.customers, CustomersPage],
  ['/admin/contracts', n.contracts, ContractsPage],
  ['/admin/storms', n.storms, StormsPage],
  ['/admin/pricing', n.pricing, PricingPage],
  ['/admin/service-area', n.area, ServiceAreaPage],
  ['/admin/invoices', n.invoices, InvoicesPage],
  ['/admin/reports', n.reports, ReportsPage],
  ['/admin/audit', n.audit, AuditPage],
  ['/admin/notifications', n.outbox, OutboxPage],
  ['/admin/security', n.security, SecurityPage],
  ['/admin/health', n.health, HealthPage],
  ['/admin/setup', n.setup, SetupWizard],
];

/** The admin portal: `/admin/*`. Admin accounts sign in with a TOTP code (SPEC §2). */
export default function AdminApp() {
  const signedIn = useSession(session);
  const raw = usePathname();
  const path = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
  const job = matchPath('/admin/jobs/:id', path);
  const onBoard = path === '/admin' || !!job;

  const nav = (
    <nav className="app__nav admin-nav" aria-label={n.label}>
      {PAGES.map(([href, label]) => (
        <Link key={href} href={href} aria-current={(href === '/admin' ? onBoard : path === href) ? 'page' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );

  // A newly invited admin enrols their authenticator before they can sign in.
  if (!signedIn && path === '/admin/security' && window.location.hash.includes('enrol=')) {
    return (
      <AppShell session={session} strings={strings.shell} variant="admin">
        <SecurityPage />
      </AppShell>
    );
  }

  const Page = onBoard ? BoardPage : PAGES.find(([href]) => href === path)?.[2];
  const page = Page ? <Page /> : <NotFound strings={strings.notFound} home="/admin" />;

  return (
    <AppShell session={session} strings={strings.shell} nav={nav} variant="admin">
      {signedIn ? (
        <AdminDataProvider>
          <Suspense fallback={<p className="muted">{strings.loading}</p>}>{page}</Suspense>
          {job && <JobDrawer key={job.id} jobId={job.id!} onClose={() => navigate('/admin')} />}
        </AdminDataProvider>
      ) : (
        <SignInForm session={session} strings={strings.signIn} errors={strings.errors} withTotp />
      )}
    </AppShell>
  );
}
