import type { DriverStatus, JobStatus } from '../../../contract/enums';
import type { ConnectionStrings, ErrorStrings, ShellStrings, SignInStrings } from '../ui/strings';

/** Every word the driver app shows. Short: read at a glance, in gloves, in the cold. */

const signIn: SignInStrings = {
  title: 'Driver sign in',
  email: 'Email',
  password: 'Password',
  submit: 'Sign in',
  submitting: 'Signing in…',
  wrongApp: (role) => (role === 'customer' ? 'This is a customer account: the driver app is for plow drivers.' : 'This account is not a driver account.'),
  totpRequired: 'Enter your 6-digit code.',
};

const errors: ErrorStrings = {
  network: 'No connection. Try again when you have signal.',
  generic: 'Something went wrong. Try again.',
  tryAgain: 'Try again',
};

const connection: ConnectionStrings = {
  connecting: 'Connecting…',
  open: 'Online',
  reconnecting: 'Reconnecting…',
  closed: 'Offline',
  signed_out: 'Signed out',
};

const shell: ShellStrings = {
  appName: 'PlowDispatch Driver',
  signOut: 'Sign out',
  signedInAs: (name) => name,
  skipToContent: 'Skip to content',
};

/** The big button's label for moving a job *to* this status. */
const nextStep: Partial<Record<JobStatus, string>> = {
  en_route: 'Start driving',
  arrived: 'I’ve arrived',
  in_progress: 'Start plowing',
  completed: 'Finish job',
};

const jobStatus: Record<JobStatus, string> = {
  pending: 'Unassigned',
  assigned: 'Assigned to you',
  en_route: 'Driving there',
  arrived: 'On site',
  in_progress: 'Plowing',
  completed: 'Done',
  cancelled: 'Cancelled',
  disputed: 'Disputed',
};

const availability: Record<DriverStatus, string> = {
  available: 'Available',
  break: 'On break',
  offline: 'Off duty',
  en_route: 'Driving to a job',
  on_job: 'On a job',
};

function ago(seconds: number): string {
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  return `${Math.round(seconds / 60)} min ago`;
}

export const strings = {
  signIn,
  errors,
  connection,
  shell,
  nextStep,
  jobStatus,
  availability,
  ago,
  queue: {
    title: 'Your jobs',
    empty: 'No jobs right now. New assignments appear here.',
    loading: 'Loading jobs…',
    newAssignment: 'New job assigned to you.',
    cancelled: 'A job was cancelled.',
  },
  availabilityLabel: 'Your status',
  job: {
    accept: 'Accept job',
    decline: 'Decline',
    declineConfirm: 'Decline this job?',
    keep: 'Keep it',
    working: 'Saving…',
    price: 'Price',
    notes: 'Notes',
    navigate: 'Directions',
    jobFor: (address: string) => `Job at ${address}`,
  },
  gps: {
    title: 'GPS',
    sharing: 'Sharing your location',
    waiting: 'Waiting for GPS…',
    denied: 'Location is blocked. Allow location for this site to share your position.',
    unavailable: 'GPS is not available on this device.',
    accuracy: (m: number) => `Accuracy ±${Math.round(m)} m`,
    lastSent: (when: string) => `Last sent ${when}`,
    notSent: 'Not sent yet',
    queued: 'Will send when back online',
  },
} as const;
