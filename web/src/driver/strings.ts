import type { DriverStatus, JobStatus, PaymentMethod } from '../../../contract/enums';
import type { ConnectionStrings, ErrorStrings, ShellStrings, SignInStrings } from '../ui/strings';
import { DRIVER_STATUS, PASSWORD_CHANGE, STATUS_ICON, agoWords, distanceWords } from '../ui/strings';

/** Every word the driver app shows. Short: read at a glance, in gloves, in the cold. */

const signIn: SignInStrings = {
  title: 'Driver sign in',
  email: 'Email',
  password: 'Password',
  submit: 'Sign in',
  submitting: 'Signing in…',
  wrongApp: (role) =>
    role === 'customer'
      ? 'This is a customer account: the driver app is for plow drivers.'
      : 'This account is not a driver account.',
  totpRequired: 'Enter your 6-digit code.',
  forgotPassword: 'Forgot your password?',
};

const errors: ErrorStrings = {
  network: 'No connection. Try again when you have signal.',
  generic: 'Something went wrong. Try again.',
  tryAgain: 'Try again',
};

const connection: ConnectionStrings = {
  connecting: 'Connecting…',
  open: 'Online',
  reconnecting: 'Offline — saving on phone',
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

const statusIcon = STATUS_ICON;

const availability: Record<DriverStatus, string> = {
  ...DRIVER_STATUS,
  offline: 'Off duty',
  en_route: 'Driving to a job',
};

const paymentMethod: Record<PaymentMethod, string> = {
  cash: 'Cash',
  card: 'Card',
  paypal: 'PayPal',
  venmo: 'Venmo',
  other: 'Other',
};

export const strings = {
  signIn,
  errors,
  connection,
  shell,
  nextStep,
  jobStatus,
  statusIcon,
  availability,
  paymentMethod,
  distance: distanceWords,
  ago: agoWords,
  dismiss: 'Dismiss',
  nav: { queue: 'Jobs', history: 'History', profile: 'Profile', label: 'Driver' },
  history: {
    title: 'Your history',
    last30: 'Last 30 days',
    totals: (jobs: number, minutes: number, amount: string) =>
      `${jobs} ${jobs === 1 ? 'job' : 'jobs'} · ${minutes} min on site · ${amount}`,
    day: (day: string) =>
      new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, {
        weekday: 'short',
        month: 'short',
        day: 'numeric',
        timeZone: 'UTC',
      }),
    jobsTitle: 'Past jobs',
    empty: 'No finished jobs yet.',
    onSite: (minutes: number) => `${minutes} min on site`,
    onSiteUnknown: 'Time on site not recorded',
    more: 'Show older jobs',
    loading: 'Loading…',
  },
  password: PASSWORD_CHANGE,
  notFound: { title: 'Page not found', body: 'There is nothing at this address.', back: 'Back to your jobs' },
  queue: {
    title: 'Your jobs',
    current: 'Current job',
    assigned: 'Assigned to you',
    empty: 'No jobs right now. New assignments appear here, with a sound and a buzz.',
    loading: 'Loading jobs…',
    newAssignment: (address: string) => `New job: ${address}. Accept or decline it.`,
    openJob: 'Open the job',
    alertTitle: 'New plow job',
    cancelled: 'A job was cancelled. It is off your list.',
    reassigned: 'A job was taken off your list by the dispatcher.',
    open: 'Open job',
    offlineCopy: (when: string) => `Offline: showing your jobs as of ${when}.`,
    waitlist: 'Waitlist',
    waitlistHint: 'Requests waiting for a driver. Take one if you have time.',
    waitlistEmpty: 'Nobody is waiting.',
    waitlistNone: 'The waitlist is not available on this server yet.',
    take: 'Take this job',
    taken: (address: string) => `You took ${address}. It is in your jobs now.`,
    setupBanner: 'Finish your profile: vehicle and payment links, so customers can pay you.',
    setupLink: 'Set up profile',
  },
  alerts: {
    enable: 'Turn on job alerts',
    enabled: 'Job alerts are on for this phone.',
    denied: 'Alerts are blocked. Allow notifications for this site in the browser settings.',
    unavailable: 'Alerts in the background are not set up on this server; keep the app open to hear new jobs.',
    install: 'Install the app',
    installHint: 'Adds PlowDispatch to your home screen: opens full screen and works offline.',
  },
  availabilityLabel: 'Your status',
  nextStop: {
    title: 'Next stop',
    eta: (t: string) => `Expected there ${t}`,
    after: (n: number) => (n === 0 ? 'Last stop on your route' : `${n} more stop${n === 1 ? '' : 's'} after this`),
    navigate: 'Navigate',
    start: 'Go to next stop',
  },
  job: {
    accept: 'Accept job',
    decline: 'Decline',
    declineConfirm: 'Decline this job?',
    keep: 'Keep it',
    working: 'Saving…',
    price: 'Price',
    notes: 'Notes',
    customer: 'Customer',
    status: 'Status',
    navigate: 'Navigate to the driveway',
    jobFor: (address: string) => `Job at ${address}`,
    back: 'All jobs',
    loading: 'Loading job…',
    notFound: 'This job is not on your list any more.',
    declined: 'Job declined. It went back to the dispatcher.',
    accepted: 'Job accepted. Tap “Start driving” when you set off.',
    willSync: 'Will sync',
    willSyncHint: 'Saved on this phone. It is sent in order as soon as you have signal.',
    synced: (n: number) => (n === 1 ? 'Back online: 1 saved change sent.' : `Back online: ${n} saved changes sent.`),
    syncRejected: (what: string, why: string) => `${what} could not be saved: ${why}`,
    queuedStatus: (label: string) => `${label} (saved offline)`,
    gpsQueued: (n: number) => `${n} GPS ${n === 1 ? 'point' : 'points'}`,
    finished: 'Job finished. Now collect the payment.',
    cancelledNotice: 'This job was cancelled. You can leave.',
  },
  jobMap: {
    title: 'Map to the driveway',
    label: (dist: string | null) => (dist ? `Map: you are ${dist} from the driveway` : 'Map: the driveway'),
    you: 'You',
    driveway: 'Driveway',
    away: (dist: string, minutes: number) =>
      minutes === 0 ? `${dist} · you are there` : `${dist} · about ${minutes} min`,
    waiting: 'Waiting for your location…',
    noLocation: 'Your location is off: the map shows the driveway only.',
    basis: 'Distance in a straight line; the time allows for the roads.',
  },
  price: {
    title: 'Change price on site',
    label: 'New price in dollars',
    save: 'Save price',
    saved: (p: string) => `Price changed to ${p}. The dispatcher can see it.`,
    invalid: 'Enter a price in dollars, like 95 or 95.50.',
    unavailable: 'Price changes are not available on this server yet.',
  },
  photo: {
    title: 'Photos',
    before: 'Before',
    after: 'After',
    counts: (before: number, after: number) => `${before} before, ${after} after.`,
    compressing: 'Shrinking photo…',
    uploading: (pct: number) => `Uploading ${pct}%`,
    saved: (kind: string) => `${kind} photo saved.`,
    queued: (kind: string) => `${kind} photo saved on the phone. It will sync.`,
    attached: 'Photo attached.',
    afterNeeded: 'Take an "After" photo before you finish the job.',
    failed: (why: string) => `Photo not saved: ${why} Try again.`,
    unavailable: 'Photo upload is not available on this server yet.',
    alt: (kind: string) => `${kind} photo of the driveway`,
  },
  contact: {
    customerTitle: (name: string) => `Reach ${name}`,
    officeTitle: 'Reach the office',
    officeHint: (name: string) => `For anything about ${name}’s driveway, the office passes it on.`,
    call: 'Call',
    text: 'Text',
  },
  payment: {
    title: 'Get paid',
    amount: 'Amount due',
    scan: 'Customer scans to pay',
    paypal: 'Pay with PayPal',
    venmo: 'Pay with Venmo',
    noLinks: 'No payment links yet: add PayPal, Venmo or a QR code in your profile.',
    how: 'How did they pay?',
    recorded: (method: string, amount: string) => `Recorded: ${amount} by ${method}.`,
    queued: (method: string) => `Payment by ${method} saved offline. It will sync.`,
    undo: 'Undo: wrong payment',
    undone: 'Payment taken back. Record how they really paid.',
    unavailable: 'Recording payments is not available on this server yet.',
    qrAlt: 'Payment QR code',
  },
  profile: {
    title: 'Your profile',
    intro: 'Customers see your vehicle. Payment links show on the payment screen after each job.',
    vehicle: 'Vehicle',
    vehicleType: 'Type (truck, ATV…)',
    make: 'Make',
    model: 'Model',
    year: 'Year',
    plate: 'License plate',
    radius: 'How far will you drive? (miles)',
    radiusValue: (mi: number) => `${mi} mi`,
    payment: 'Payment',
    paypal: 'PayPal link (https://paypal.me/…)',
    venmo: 'Venmo link (https://venmo.com/…)',
    qr: 'Payment QR image',
    qrUpload: 'Upload QR image',
    qrCurrent: 'Your payment QR',
    save: 'Save profile',
    saving: 'Saving…',
    saved: 'Profile saved.',
    unavailable: 'Editing your profile is not available on this server yet.',
  },
  gps: {
    title: 'GPS',
    sharing: 'Sharing your location',
    savingOffline: 'Offline: your location is saved on the phone and sent when you are back in coverage',
    notReaching: 'Your location has not reached the office lately',
    waiting: 'Waiting for GPS…',
    denied: 'Location is blocked. Allow location for this site to share your position.',
    unavailable: 'GPS is not available on this device.',
    accuracy: (m: number) => `Accuracy ±${Math.round(m)} m`,
    lastSent: (when: string) => `Last sent ${when}`,
    notSent: 'Not sent yet',
    sending: (n: number) => `Back in coverage: sending ${n} saved ${n === 1 ? 'point' : 'points'}…`,
    saved: (n: number) => `${n} ${n === 1 ? 'point' : 'points'} waiting to send`,
  },
} as const;
