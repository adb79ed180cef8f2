import { useEffect } from 'react';
import { useSession } from '../lib/hooks';
import { Link, matchPath, usePathname } from '../lib/router';
import { AppShell } from '../ui/AppShell';
import { NotFound } from '../ui/NotFound';
import { SignInForm } from '../ui/SignInForm';
import { DriverDataProvider } from './DriverData';
import { HistoryPage } from './HistoryPage';
import { JobPage } from './JobPage';
import { ProfilePage } from './ProfilePage';
import { disablePush, registerServiceWorker } from './pwa';
import { QueuePage } from './QueuePage';
import { session } from './session';
import { strings } from './strings';
import './driver.css';

/** The driver app: `/driver/*` — the queue, one job at a time, the history, the profile. Installable. */
export default function DriverApp() {
  const signedIn = useSession(session);
  const path = usePathname();
  useEffect(() => {
    registerServiceWorker();
  }, []);

  const onProfile = matchPath('/driver/profile', path) !== null;
  const onHistory = matchPath('/driver/history', path) !== null;
  const job = matchPath('/driver/jobs/:id', path);
  const onQueue = path === '/driver' || path === '/driver/';
  const nav = (
    <nav className="app__nav" aria-label={strings.nav.label}>
      <Link href="/driver/" aria-current={onQueue ? 'page' : undefined}>
        {strings.nav.queue}
      </Link>
      <Link href="/driver/history" aria-current={onHistory ? 'page' : undefined}>
        {strings.nav.history}
      </Link>
      <Link href="/driver/profile" aria-current={onProfile ? 'page' : undefined}>
        {strings.nav.profile}
      </Link>
    </nav>
  );

  return (
    <AppShell
      session={session}
      strings={{ ...strings.shell, dismiss: strings.dismiss }}
      variant="driver"
      nav={nav}
      beforeSignOut={disablePush}
    >
      {signedIn ? (
        <DriverDataProvider key={signedIn.user.id} owner={signedIn.user.id}>
          {onQueue ? (
            <QueuePage />
          ) : job ? (
            <JobPage key={job.id} jobId={job.id!} />
          ) : onHistory ? (
            <HistoryPage />
          ) : onProfile ? (
            <ProfilePage />
          ) : (
            <NotFound strings={strings.notFound} home="/driver/" />
          )}
        </DriverDataProvider>
      ) : (
        <SignInForm session={session} strings={strings.signIn} errors={strings.errors} />
      )}
    </AppShell>
  );
}
