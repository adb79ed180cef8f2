import type { JobStatus } from '../../../contract/enums';
import type { ConnectionStrings, ErrorStrings, ShellStrings, SignInStrings } from '../ui/strings';
import { FEET_PER_METER, METERS_PER_MILE } from '../lib/geo';

/** Every word the customer app shows. */

const signIn: SignInStrings = {
  title: 'Sign in',
  intro: 'Request a plow and watch it arrive.',
  email: 'Email',
  password: 'Password',
  submit: 'Sign in',
  submitting: 'Signing in…',
  wrongApp: (role) =>
    role === 'driver'
      ? 'This is a driver account: open the driver app at /driver.'
      : role === 'admin'
        ? 'This is a dispatcher account: open the admin portal at /admin.'
        : 'This account cannot use the customer app.',
  totpRequired: 'Enter your 6-digit code.',
};

const errors: ErrorStrings = {
  network: 'You seem to be offline. Check your connection and try again.',
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
  appName: 'PlowDispatch',
  signOut: 'Sign out',
  signedInAs: (name) => `Signed in as ${name}`,
  skipToContent: 'Skip to content',
};

/** One sentence per status, written for the person waiting at home. */
const status: Record<JobStatus, string> = {
  pending: 'Request received: finding you a driver.',
  assigned: 'A driver has been assigned to your job.',
  en_route: 'Your plow is on the way.',
  arrived: 'Your plow has arrived.',
  in_progress: 'Plowing your driveway now.',
  completed: 'All done: your driveway is clear.',
  cancelled: 'This job was cancelled.',
  disputed: 'This job is under review.',
};

const statusShort: Record<JobStatus, string> = {
  pending: 'Requested',
  assigned: 'Driver assigned',
  en_route: 'On the way',
  arrived: 'Arrived',
  in_progress: 'Plowing',
  completed: 'Completed',
  cancelled: 'Cancelled',
  disputed: 'Under review',
};

function distance(meters: number): string {
  const miles = meters / METERS_PER_MILE;
  if (miles < 0.1) return `${Math.max(50, Math.round((meters * FEET_PER_METER) / 50) * 50)} ft`;
  return `${miles < 10 ? miles.toFixed(1) : Math.round(miles)} mi`;
}

function ago(seconds: number): string {
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

export const strings = {
  signIn,
  errors,
  connection,
  shell,
  status,
  statusShort,
  distance,
  ago,
  nav: { jobs: 'My jobs', request: 'Request a plow' },
  jobs: {
    title: 'My jobs',
    empty: 'No jobs yet.',
    request: 'Request a plow',
    open: 'Open',
    requestedAt: (when: string) => `Requested ${when}`,
    deviceOnly: 'Showing the jobs requested from this device.',
  },
  request: {
    title: 'Request a plow',
    location: 'Where?',
    noLocations: 'You have no saved locations yet. Add one before requesting a plow.',
    tier: 'Driveway size',
    instructions: 'Notes for the driver (optional)',
    instructionsHint: 'Gate code, where to pile snow, things to avoid.',
    estimate: (price: string) => `Price: ${price}`,
    outsideArea: (miles: string) => `This address is ${miles} mi from our base, outside our service area.`,
    submit: 'Request plow now',
    submitting: 'Sending request…',
    waitlisted: 'We are not taking new jobs right now, so your request joined the waitlist. We will let you know when a driver can take it.',
    loading: 'Loading your locations…',
  },
  live: {
    title: 'Your plow',
    loading: 'Loading your job…',
    address: 'Address',
    price: 'Price',
    driver: 'Plow',
    distance: (d: string) => `${d} from your driveway`,
    fixAge: (a: string) => `Position updated ${a}`,
    accuracy: (m: number) => `±${Math.round(m * FEET_PER_METER)} ft`,
    noFix: 'Waiting for the driver’s location…',
    noDriverYet: 'You will see the plow here once a driver is on the way.',
    stale: 'The plow’s position may be out of date.',
    polling: 'Live updates are interrupted; checking every few seconds.',
    timeline: 'Progress',
    cancel: 'Cancel request',
    cancelling: 'Cancelling…',
    confirmCancel: 'Cancel this plow request?',
    keep: 'Keep it',
    backToJobs: 'All my jobs',
    mapLabel: (dist: string | null) => (dist ? `Map: the plow is ${dist} from your driveway` : 'Map: your driveway'),
    mapHome: 'Your driveway',
    mapPlow: 'Plow',
    notFound: 'We could not find that job.',
  },
} as const;
