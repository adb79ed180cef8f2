import { useSession } from '../lib/hooks';
import { AppShell } from '../ui/AppShell';
import { SignInForm } from '../ui/SignInForm';
import { QueuePage } from './QueuePage';
import { session } from './session';
import { strings } from './strings';
import './driver.css';

/** The driver app: `/driver/*`. One screen: status, the job queue, the big button. */
export default function DriverApp() {
  const signedIn = useSession(session);
  return (
    <AppShell session={session} strings={strings.shell} variant="driver">
      {signedIn ? <QueuePage /> : <SignInForm session={session} strings={strings.signIn} errors={strings.errors} />}
    </AppShell>
  );
}
