import type { DriverStatus, JobStatus } from '../../../contract/enums';
import type { HealthConcern } from '../../../contract/health';
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
  wrongApp: (role) =>
    role === 'driver'
      ? 'This is a driver account: use the driver app at /driver.'
      : 'This account cannot use the admin portal.',
  totpRequired: 'Enter the 6-digit code from your authenticator app.',
  forgotPassword: 'Forgot your password?',
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
  dismiss: 'Dismiss',
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

const statusIcon: Record<JobStatus, string> = {
  pending: '○',
  assigned: '◎',
  en_route: '➜',
  arrived: '⚑',
  in_progress: '▶',
  completed: '✓',
  cancelled: '✕',
  disputed: '!',
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

function distance(meters: number): string {
  const miles = meters / 1609.344;
  return miles < 0.1 ? `${Math.round(meters * 3.28084)} ft` : `${miles < 10 ? miles.toFixed(1) : Math.round(miles)} mi`;
}

export const strings = {
  signIn,
  errors,
  connection,
  shell,
  jobStatus,
  statusIcon,
  driverStatus,
  ago,
  distance,
  notFound: {
    title: 'Page not found',
    body: 'There is nothing at this address in the admin portal.',
    back: 'Back to dispatch',
  },
  nav: {
    label: 'Admin',
    board: 'Dispatch',
    map: 'Live map',
    drivers: 'Drivers',
    customers: 'Customers',
    pricing: 'Pricing',
    area: 'Service area',
    reports: 'Reports',
    audit: 'Audit log',
    outbox: 'Notifications',
    security: 'Security',
    health: 'System health',
    setup: 'Setup',
  },
  unavailable: (what: string) => `${what} is not available on this server yet.`,
  loading: 'Loading…',
  loadMore: 'Load more',
  board: {
    title: 'Dispatch board',
    newRequest: (address: string) => `New request: ${address}`,
    columnSummary: (count: number, sum: string) => `${count} ${count === 1 ? 'job' : 'jobs'} · ${sum}`,
    empty: 'No jobs',
    moveTo: 'Move to…',
    moveMenu: (address: string) => `Move ${address} to`,
    moved: (address: string, to: string) => `Moved ${address} to ${to}.`,
    moveFailed: (address: string, from: string, why: string) =>
      `Could not move ${address}: ${why} It is back in ${from}.`,
    pickDriver: (address: string) => `Choose a driver for ${address}`,
    chooseDriver: 'Choose a driver…',
    driverOption: (name: string, status: string) => `${name} (${status})`,
    assign: 'Assign',
    assigning: 'Assigning…',
    assigned: (address: string, driver: string) => `Assigned ${address} to ${driver}.`,
    lostRace: 'Someone else changed this job first. The board now shows what they did.',
    cancelled: (address: string) => `Cancelled ${address}.`,
    filters: 'Filters',
    search: 'Search address, customer or driver',
    driverFilter: 'Driver',
    anyDriver: 'Any driver',
    unassigned: 'Unassigned',
    open: 'Details',
    cardLabel: (address: string, status: string) => `${address}, ${status}`,
    requested: (when: string) => `Requested ${when}`,
    scheduled: (when: string) => `Scheduled ${when}`,
    acceptingJobs: 'Taking new jobs',
    acceptingOn: 'New requests become jobs.',
    acceptingOff: 'Paused: new requests join the waitlist.',
    dragHint: 'Drag a card to another column, or use its “Move to…” button.',
    cancelConfirm: (address: string) => `Cancel the job at ${address}? The customer is told.`,
  },
  dashboard: {
    label: 'Today',
    requested: 'Requested today',
    completed: 'Completed today',
    revenue: 'Collected today',
    drivers: 'Drivers on shift',
    waitlist: 'Waitlist',
  },
  waitlist: {
    title: 'Waitlist',
    empty: 'Nobody is waiting.',
    promote: 'Make it a job',
    assignTo: 'Assign to',
    promoted: (address: string) => `${address} is now a job in Pending.`,
    since: (when: string) => `Waiting since ${when}`,
  },
  drawer: {
    close: 'Close',
    details: 'Details',
    customer: 'Customer',
    driver: 'Driver',
    price: 'Price',
    quoted: 'Quoted',
    notes: 'Notes',
    requested: 'Requested',
    timeline: 'Timeline',
    priceChanges: 'Price changes',
    noPriceChanges: 'No price changes.',
    priceChange: (from: string, to: string, when: string) => `${from} → ${to} · ${when}`,
    photo: 'Completion photo',
    photoAlt: (address: string) => `Completion photo at ${address}`,
    assign: 'Assign driver',
    reassign: 'Reassign to',
    cancelJob: 'Cancel job',
    keep: 'Keep it',
    setPrice: 'Set price (dollars)',
    savePrice: 'Save price',
    event: (from: string, to: string) => `${from} → ${to}`,
    accepted: 'Driver accepted',
  },
  map: {
    title: 'Live map',
    label: (drivers: number, jobs: number) => `Map: ${drivers} drivers and ${jobs} open jobs`,
    base: 'Home base',
    drivers: 'Drivers',
    jobs: 'Open jobs',
    seen: (when: string) => `seen ${when}`,
    /** A driver's position graded by age (contract/freshness.ts). */
    freshness: { live: 'Live', delayed: 'Delayed', lost: 'Lost contact' },
    never: 'no position yet',
    noArea: 'Set the service area to center the map.',
  },
  drivers: {
    title: 'Drivers',
    invite: 'Invite a driver',
    name: 'Full name',
    email: 'Email',
    phone: 'Mobile (optional)',
    send: 'Send invitation',
    invited: (email: string) => `Invitation sent to ${email}. They choose a password from the email.`,
    status: 'Status',
    position: 'Last position',
    account: 'Account',
    suspend: 'Suspend',
    activate: 'Reactivate',
    suspended: (name: string) => `${name} is suspended and signed out everywhere.`,
    activated: (name: string) => `${name} can sign in again.`,
    suspendedTag: 'Suspended',
    activeTag: 'Active',
    confirmSuspend: (name: string) => `Suspend ${name}? Their sessions end at once.`,
  },
  customers: {
    title: 'Customers',
    search: 'Search by name or email',
    name: 'Name',
    email: 'Email',
    phone: 'Phone',
    jobs: 'Jobs',
    empty: 'No customers found.',
  },
  pricing: {
    title: 'Pricing',
    intro: 'Driveway tiers customers pick from. Six at most; switch one off to hide it.',
    label: 'Tier name',
    price: 'Price ($)',
    active: 'Offered',
    add: 'Add a tier',
    remove: 'Remove',
    save: 'Save prices',
    saved: 'Prices saved. New requests use them at once.',
    resetDefaults: 'Fill in the 2026 New England rates',
    row: (n: number) => `Tier ${n}`,
  },
  area: {
    title: 'Service area',
    intro: 'Jobs further than the radius from your home base are refused with a clear reason.',
    address: 'Home base address',
    radius: 'Radius',
    radiusValue: (mi: number) => `${mi} miles`,
    mapLabel: (mi: number) => `Map: the service area, ${mi} miles around the home base`,
    pinHint: 'Tap the map to put the home base exactly (or use the arrow keys).',
    pinAt: (lat: number, lng: number) => `Home base at ${lat.toFixed(4)}, ${lng.toFixed(4)}`,
    save: 'Save service area',
    saved: 'Service area saved.',
  },
  setup: {
    title: 'Set up PlowDispatch',
    steps: ['Home base and radius', 'Prices', 'Done'],
    step: (n: number, of: number, name: string) => `Step ${n} of ${of}: ${name}`,
    next: 'Save and continue',
    back: 'Back',
    done: 'You are ready to dispatch.',
    toBoard: 'Open the dispatch board',
    banner: 'Finish setting up: home base, service radius and prices.',
    bannerLink: 'Start setup',
  },
  reports: {
    title: 'Reports',
    from: 'From',
    to: 'To',
    show: 'Show',
    jobs: 'Jobs by day',
    revenue: 'Revenue by day',
    requested: 'Requested',
    completed: 'Completed',
    cancelled: 'Cancelled',
    collected: 'Collected',
    total: 'Total',
    byMethod: 'By payment method',
    chartLabel: (what: string, from: string, to: string) => `${what}, ${from} to ${to}`,
    day: 'Day',
    none: 'No activity in this period.',
  },
  audit: {
    title: 'Audit log',
    when: 'When',
    who: 'Who',
    action: 'Action',
    entity: 'What',
    ip: 'IP',
    empty: 'Nothing logged yet.',
  },
  outbox: {
    title: 'Notification outbox',
    when: 'When',
    channel: 'Channel',
    to: 'To',
    subject: 'Message',
    status: 'Status',
    empty: 'No notifications yet.',
  },
  health: {
    title: 'System health',
    refresh: 'Check again',
    checkedAt: (when: string) => `Checked ${when}; checks again every 30 seconds.`,
    ok: 'Everything is running normally.',
    down: 'The database does not answer. Jobs cannot be created or updated until it is back.',
    attention: 'Needs attention:',
    concern: {
      database_unreachable: 'The database does not answer.',
      migrations_pending: 'The database is behind this version of the app: run the migrations.',
      notification_backlog: 'Notifications are waiting longer than they should.',
      dead_letters: 'Some notifications could not be delivered in the last 24 hours.',
      cron_failed: 'A scheduled task failed on its last run.',
      cron_overdue: 'A scheduled task has not run when it should have.',
      stale_drivers: 'Drivers on shift have sent no location for a while.',
      gps_log_lag: 'The GPS history is falling behind live positions.',
    } satisfies Record<HealthConcern, string>,
    tilesLabel: 'At a glance',
    dbLatency: 'Database round trip',
    waiting: 'Notifications waiting',
    oldest: 'Oldest waiting',
    dead: 'Undelivered (24 h)',
    stale: 'Silent drivers',
    gpsLag: 'GPS history lag',
    ms: (n: number) => `${n} ms`,
    none: 'none',
    unknown: '—',
    seconds: (n: number) =>
      n < 60
        ? `${n} s`
        : n < 3600
          ? `${Math.round(n / 60)} min`
          : n < 86_400
            ? `${Math.round(n / 3600)} h`
            : `${Math.round(n / 86_400)} d`,
    cronsTitle: 'Scheduled tasks',
    cronName: 'Task',
    cronSchedule: 'Schedule',
    cronLast: 'Last run',
    cronResult: 'Result',
    cronStatus: { ok: 'OK', error: 'Failed', running: 'Running', never: 'Not run yet' } as Record<
      'ok' | 'error' | 'running' | 'never',
      string
    >,
    overdue: 'overdue',
    cronTask: {
      outbox_sweep: 'Outbox sweep',
      stale_drivers: 'Stale drivers',
      daily_report: 'Daily report',
      partition_upkeep: 'GPS history upkeep',
    } as Record<string, string>,
    deadTitle: 'Undelivered notifications',
    deadMore: (n: number) => `${n} in all — see the notification outbox to send them again.`,
    staleTitle: (minutes: number) => `Drivers on shift without a location for over ${minutes} min`,
    silentFor: (what: string) => `silent ${what}`,
    noFix: 'no location yet',
    aboutTitle: 'About this server',
    env: 'Environment',
    version: 'Version',
    deployment: 'Deployment',
    migrations: 'Database migrations',
    migrationsCurrent: (tag: string) => `Current (${tag})`,
    migrationsBehind: (applied: string | null, expected: string) =>
      `Behind: at ${applied ?? 'none'}, this version needs ${expected}`,
    warningsTitle: 'Configuration warnings',
  },
  security: {
    title: 'Two-factor sign-in',
    intro: 'Admin accounts sign in with a code from an authenticator app (Google Authenticator, 1Password, Authy…).',
    current: 'Code from your current authenticator (to replace it)',
    start: 'Set up an authenticator',
    secret: 'Secret key (type it into the app if you cannot scan)',
    openApp: 'Open in authenticator app',
    code: '6-digit code from the new authenticator',
    confirm: 'Turn on',
    enabled:
      'Two-factor sign-in is on. Keep these recovery codes somewhere safe: each works once if you lose your phone.',
    signInNow: 'Sign in now',
  },
} as const;
