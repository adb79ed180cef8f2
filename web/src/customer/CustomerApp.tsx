import { useSession } from '../lib/hooks';
import { Link, matchPath, usePathname } from '../lib/router';
import { AppShell } from '../ui/AppShell';
import { SignInForm } from '../ui/SignInForm';
import { JobsPage } from './JobsPage';
import { LiveJobPage } from './LiveJobPage';
import { RequestPage } from './RequestPage';
import { session } from './session';
import { strings } from './strings';
import './customer.css';

/** The customer app: `/` and `/customer/*`. */
export default function CustomerApp() {
  const signedIn = useSession(session);
  const path = usePathname();
  const live = matchPath('/customer/jobs/:id', path);
  const onRequest = matchPath('/customer/request', path) !== null;

  const nav = signedIn && (
    <nav className="app__nav" aria-label={strings.nav.jobs}>
      <Link href="/customer" aria-current={!live && !onRequest ? 'page' : undefined}>
        {strings.nav.jobs}
      </Link>
      <Link href="/customer/request" aria-current={onRequest ? 'page' : undefined}>
        {strings.nav.request}
      </Link>
    </nav>
  );

  return (
    <AppShell session={session} strings={strings.shell} nav={nav} variant="customer">
      {!signedIn ? (
        <SignInForm session={session} strings={strings.signIn} errors={strings.errors} />
      ) : live ? (
        <LiveJobPage key={live.id} jobId={live.id!} />
      ) : onRequest ? (
        <RequestPage />
      ) : (
        <JobsPage />
      )}
    </AppShell>
  );
}
