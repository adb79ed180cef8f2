import type { DriverStatus, JobStatus } from '../../../contract/enums';
import type { ConnectionStrings, ErrorStrings, ShellStrings, SignInStrings } from '../ui/strings';

/** Every word the admin portal shows. */

const signIn: SignInStrings = {
  title: 'Dispatcher sign in',
  email: 'Email',
  password: 'Password',
  totp: 'Authenticator code',
  totpHint: 'The 6-digit code from your authenticator app (or a recovery code).',
  submit: 'Sign in',
  submitting: 'Signing in…',
  wrongApp: (role) => (role === 'driver' ? 'This is a driver account: use the driver app at /driver.' : 'This account cannot use the admin portal.'),
  totpRequired: 'Enter the 6-digit code from your authenticator app.',
};

const errors: ErrorStrings = {
  network: 'The server cannot be reached. Check your connection.',
  generic: 'Something went wrong. Please try again.',
  tryAgain: 'Try again',
};

const connection: ConnectionStrings = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Not live',
  signed_out: 'Signed out',
};

const shell: ShellStrings = {
  appName: 'PlowDispatch Admin',
  signOut: 'Sign out',
  signedInAs: (name) => `Signed in as ${name}`,
  skipToContent: 'Skip to content',
};

const jobStatus: Record<JobStatus, string> = {
  pending: 'Pending',
  assigned: 'Assigned',
  en_route: 'En route',
  arrived: 'Arrived',
  in_progress: 'In progress',
  completed: 'Completed',
  cancelled: 'Cancelled',
  disputed: 'Disputed',
};

const driverStatus: Record<DriverStatus, string> = {
  available: 'Available',
  break: 'On break',
  offline: 'Offline',
  en_route: 'En route',
  on_job: 'On a job',
};

function ago(seconds: number): string {
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

export const strings = {
  signIn,
  errors,
  connection,
  shell,
  jobStatus,
  driverStatus,
  ago,
  dispatch: {
    title: 'Dispatch',
    pending: 'Pending requests',
    pendingEmpty: 'No requests waiting.',
    active: 'Active jobs',
    activeEmpty: 'No jobs under way.',
    drivers: 'Drivers',
    driversEmpty: 'No drivers yet.',
    requested: (when: string) => `Requested ${when}`,
    price: 'Price',
    notes: 'Notes',
    driverFor: (address: string) => `Driver for ${address}`,
    chooseDriver: 'Choose a driver…',
    driverOption: (name: string, status: string) => `${name} (${status})`,
    assign: 'Assign',
    assigning: 'Assigning…',
    assigned: (address: string, driver: string) => `Assigned ${address} to ${driver}.`,
    newRequest: (address: string) => `New request: ${address}`,
    unassigned: 'Unassigned',
    lastSeen: (when: string) => `Seen ${when}`,
    neverSeen: 'No position yet',
    driverColumn: 'Driver',
    statusColumn: 'Status',
    positionColumn: 'Position',
    addressColumn: 'Address',
  },
} as const;
