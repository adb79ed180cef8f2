import { lazy, Suspense, type ReactNode } from 'react';
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
const PAGES = [
  ['/admin', n.board],
  ['/admin/map', n.map],
  ['/admin/drivers', n.drivers],
  ['/admin/customers', n.customers],
  ['/admin/contracts', n.contracts],
  ['/admin/storms', n.storms],
  ['/admin/pricing', n.pricing],
  ['/admin/service-area', n.area],
  ['/admin/invoices', n.invoices],
  ['/admin/reports', n.reports],
  ['/admin/audit', n.audit],
  ['/admin/notifications', n.outbox],
  ['/admin/security', n.security],
  ['/admin/health', n.health],
  ['/admin/setup', n.setup],
] as const;

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

  let page: ReactNode;
  if (onBoard) page = <BoardPage />;
  else if (path === '/admin/map') page = <LiveMapPage />;
  else if (path === '/admin/drivers') page = <DriversPage />;
  else if (path === '/admin/customers') page = <CustomersPage />;
  else if (path === '/admin/contracts') page = <ContractsPage />;
  else if (path === '/admin/storms') page = <StormsPage />;
  else if (path === '/admin/pricing') page = <PricingPage />;
  else if (path === '/admin/service-area') page = <ServiceAreaPage />;
  else if (path === '/admin/invoices') page = <InvoicesPage />;
  else if (path === '/admin/reports') page = <ReportsPage />;
  else if (path === '/admin/audit') page = <AuditPage />;
  else if (path === '/admin/notifications') page = <OutboxPage />;
  else if (path === '/admin/security') page = <SecurityPage />;
  else if (path === '/admin/health') page = <HealthPage />;
  else if (path === '/admin/setup') page = <SetupWizard />;
  else page = <NotFound strings={strings.notFound} home="/admin" />;

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
