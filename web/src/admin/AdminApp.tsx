import { useSession } from '../lib/hooks';
import { AppShell } from '../ui/AppShell';
import { SignInForm } from '../ui/SignInForm';
import { DispatchPage } from './DispatchPage';
import { session } from './session';
import { strings } from './strings';
import './admin.css';

/** The admin portal: `/admin/*`. Admin accounts sign in with a TOTP code (SPEC §2). */
export default function AdminApp() {
  const signedIn = useSession(session);
  return (
    <AppShell session={session} strings={strings.shell} variant="admin">
      {signedIn ? <DispatchPage /> : <SignInForm session={session} strings={strings.signIn} errors={strings.errors} withTotp />}
    </AppShell>
  );
}
