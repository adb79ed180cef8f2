import type { JobStatus } from '../../../contract/enums';
import type { ConnectionStrings, ErrorStrings, ShellStrings, SignInStrings } from '../ui/strings';
import { ERRORS, LIVE_CONNECTION, PASSWORD_CHANGE, SHELL, STATUS_ICON, agoWords, distanceWords } from '../ui/strings';
import { PHONE_EXAMPLE } from '../ui/strings';
import { FEET_PER_METER } from '../lib/geo';
import { SMS_CONSENT_TEXT } from '../../../contract/sms-consent';

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
  forgotPassword: 'Forgot your password?',
};

const errors: ErrorStrings = {
  ...ERRORS,
  network: 'You seem to be offline. Check your connection and try again.',
};
const connection: ConnectionStrings = LIVE_CONNECTION;
const shell: ShellStrings = { ...SHELL, appName: 'PlowDispatch' };

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

const statusIcon = STATUS_ICON;

export const strings = {
  signIn,
  errors,
  connection,
  shell,
  status,
  statusShort,
  statusIcon,
  distance: distanceWords,
  ago: agoWords,
  nav: {
    label: 'Customer',
    jobs: 'My jobs',
    request: 'Request a plow',
    locations: 'Places',
    invoices: 'Invoices',
    contract: 'Your contract',
    account: 'Account',
  },
  notFound: { title: 'Page not found', body: 'There is nothing at this address.', back: 'Go to my jobs' },
  auth: {
    tabsLabel: 'How to sign in',
    signInTab: 'I have an account',
    registerTab: 'I’m new here',
    magicTab: 'No password?',
    magicTitle: 'Sign in with an email link',
    register: 'Create your account',
    fullName: 'Full name',
    phone: 'Mobile phone (optional, for text updates)',
    smsConsent: SMS_CONSENT_TEXT,
    phoneHint: `With country code, e.g. ${PHONE_EXAMPLE}.`,
    newPassword: 'Password (at least 10 characters)',
    registerSubmit: 'Create account',
    registering: 'Creating account…',
    checkEmailTitle: 'Check your email',
    checkEmail: (email: string) => `We sent a message to ${email}. Open the link in it to finish signing up.`,
    checkEmailHint:
      'Then sign in with your email and password. Nothing there? Check the spam folder, or try again in a few minutes.',
    magicIntro: 'No password needed: we email you a link that signs you in.',
    magicSubmit: 'Email me a sign-in link',
    magicSent: 'If that email has an account, a sign-in link is on its way. Open it on this device.',
    magicUnavailable: 'Email sign-in links are not available yet. Sign in with your password.',
  },
  verify: {
    title: 'Confirm your email',
    body: 'We sent a link to your email address. You need to confirm it before your first plow.',
    resend: 'Send the link again',
    resent: 'Sent. Check your inbox (and the spam folder).',
    verified: 'Email confirmed',
    unavailable: 'Email confirmation is not available on this server yet.',
    phoneTitle: 'Text message updates',
    phoneBody: 'Confirm your mobile number to get a text when your plow is on the way and when it arrives.',
    phoneLabel: 'Mobile phone',
    sendCode: 'Text me a code',
    codeSent: 'We texted you a 6-digit code.',
    codeLabel: '6-digit code',
    confirmCode: 'Confirm number',
    phoneVerified: 'Phone confirmed: you will get text updates.',
  },
  account: {
    title: 'Your account',
    name: 'Name',
    email: 'Email',
    save: 'Save',
    saved: 'Saved.',
    unavailable: 'Editing your account is not available on this server yet.',
    smsTitle: 'Text messages',
    smsOn: 'You get text updates about your jobs.',
    smsOff: 'You do not get text updates. Tick the box to start.',
    smsNeedsPhone: 'Confirm your mobile number above to get text updates.',
    smsStopped: 'You replied STOP, so we send you no texts. Text START to our number to get them again.',
    smsSaved: (on: boolean) => (on ? 'Text updates are on.' : 'Text updates are off.'),
    deleteTitle: 'Delete your account',
    deleteIntro:
      'Your name, email, phone and saved places are removed and you can no longer sign in. Invoices and payments are kept, as the law requires.',
    deleteButton: 'Delete my account',
    deleteConfirmTitle: 'Delete your account?',
    deleteConfirm: 'This cannot be undone. Your invoices and payments are kept; everything else about you is removed.',
    deleteYes: 'Yes, delete my account',
    deleteNo: 'Keep my account',
    deleting: 'Deleting…',
    deleted: 'Your account is deleted.',
  },
  password: PASSWORD_CHANGE,
  jobs: {
    title: 'My jobs',
    empty: 'No jobs yet. Request your first plow.',
    request: 'Request a plow',
    open: 'Open',
    requestedAt: (when: string) => `Requested ${when}`,
    deviceOnly: 'Showing the jobs requested from this device.',
    loading: 'Loading your jobs…',
    photo: (address: string) => `Completion photo of ${address}`,
  },
  locations: {
    title: 'Places to plow',
    empty: 'No places yet. Add your driveway.',
    add: 'Add a place',
    label: 'Name (e.g. Home)',
    line1: 'Street address',
    line2: 'Apartment, unit (optional)',
    city: 'City',
    state: 'State',
    postal: 'ZIP code',
    isDefault: 'Use this place by default',
    save: 'Save place',
    saving: 'Saving…',
    saved: (label: string) => `Saved ${label}. You can request a plow there now.`,
    pinHint: 'Tap the map to move the pin onto your driveway (or use the arrow keys).',
    pinSet: (lat: number, lng: number) => `Pin at ${lat.toFixed(5)}, ${lng.toFixed(5)}`,
    pinUnset: 'No pin yet: we place it from the address. Choose "Set the pin on a map" to place it exactly.',
    pinOnMap: 'Tap the map where the driveway is.',
    openMap: 'Set the pin on a map',
    setPin: 'Set pin on the map',
    useGps: 'Use my current location',
    mapLabel: 'Map: your driveway pin',
    defaultTag: 'Default',
    remove: 'Remove',
    removed: 'Place removed.',
    makeDefault: 'Make default',
    unavailable: 'Editing saved places is not available on this server yet.',
    pinSaved: 'Pin moved.',
    cancel: 'Cancel',
  },
  request: {
    title: 'Request a plow',
    location: 'Where?',
    noLocations: 'You have no saved places yet. Add one before requesting a plow.',
    addLocation: 'Add a place',
    tier: 'Driveway size',
    when: 'When?',
    now: 'As soon as possible',
    later: 'Schedule for later',
    scheduledFor: 'Date and time',
    instructions: 'Notes for the driver (optional)',
    instructionsHint: 'Gate code, where to pile snow, things to avoid.',
    estimate: (price: string) => `Price: ${price}`,
    estimating: 'Working out the price…',
    outsideArea: (miles: string) => `This address is ${miles} mi from our base, outside our service area.`,
    submit: 'Request plow now',
    submitScheduled: 'Schedule plow',
    submitting: 'Sending request…',
    waitlisted:
      'We are not taking new jobs right now, so your request joined the waitlist. We will let you know when a driver can take it.',
    verifyFirst: 'Confirm your email address first: open the link we emailed you.',
    loading: 'Loading your places…',
    pastTime: 'Pick a time in the future.',
  },
  place: {
    title: 'Your place in line',
    before: (n: number) =>
      n === 0
        ? 'You are next on your driver’s route.'
        : `${n} stop${n === 1 ? '' : 's'} before you on your driver’s route.`,
    eta: (minutes: number, at: string) =>
      minutes <= 0 ? `Expected any minute now (about ${at}).` : `About ${minutes} min · expected around ${at}.`,
    mapSoon: 'The live map opens as soon as your driver sets out for you.',
  },
  live: {
    title: 'Your plow',
    loading: 'Loading your job…',
    address: 'Address',
    price: 'Price',
    instructions: 'Instructions',
    driver: 'Plow',
    distance: (d: string) => `${d} from your driveway`,
    /** The plow's position graded by age (contract/freshness.ts); never "Live" for an old fix. */
    freshness: {
      live: (a: string) => `Live · position updated ${a}`,
      delayed: (a: string) =>
        `Last seen ${a}. The driver may be out of coverage; the plow will move again when the phone reconnects.`,
      lost: (a: string) => `Lost contact ${a}. The map shows where the plow was last seen.`,
    },
    freshnessTag: { live: 'Live', delayed: 'Delayed', lost: 'Last seen' },
    accuracy: (m: number) => `±${Math.round(m * FEET_PER_METER)} ft`,
    noFix: 'Waiting for the driver’s location…',
    noDriverYet: 'You will see the plow here once a driver is on the way.',
    polling: 'Live updates are interrupted; checking every few seconds.',
    timeline: 'Progress',
    cancel: 'Cancel request',
    cancelling: 'Cancelling…',
    confirmCancel: 'Cancel this plow request?',
    cancelled: 'Your request is cancelled.',
    keep: 'Keep it',
    backToJobs: 'All my jobs',
    contactBody: (business: string) => `Questions? Call or text ${business}; the office passes word to your driver.`,
    call: 'Call',
    text: 'Text',
    mapLabel: (dist: string | null) => (dist ? `Map: the plow is ${dist} from your driveway` : 'Map: your driveway'),
    mapHome: 'Your driveway',
    mapPlow: 'Plow',
    notFound: 'We could not find that job.',
    arrivedNotice: 'Your plow has arrived at your driveway.',
    completedNotice: 'Your driveway is done. Thank you!',
    photo: 'Completion photo',
    photoAlt: (address: string) => `Your driveway at ${address} after plowing`,
    invoice: 'Invoice',
    invoiceTotal: (total: string, status: string) => `${total} · ${status}`,
    balanceDue: (amount: string) => `Balance due: ${amount}`,
    openPdf: 'Open invoice (PDF)',
    proof: 'Proof of service',
    proofHint: 'Times, GPS and photos of the visit, as recorded (PDF).',
    noInvoice: 'Your invoice will appear here once the driver records the payment.',
    scheduled: (when: string) => `Scheduled for ${when}`,
    at: (when: string) => when,
  },
  /** The live page's "Who is coming, and when" card. */
  coming: {
    title: 'Who is coming, and when',
    driver: (firstName: string) => firstName || 'Your driver',
    /** "2019 Ford F-250 pickup, plate NH 4471"; null when the driver gave no vehicle. */
    vehicle: (v: {
      vehicle_type: string | null;
      vehicle_make: string | null;
      vehicle_model: string | null;
      vehicle_year: number | null;
      license_plate: string | null;
    }) => {
      const truck = [v.vehicle_year, v.vehicle_make, v.vehicle_model, v.vehicle_type?.toLowerCase()]
        .filter(Boolean)
        .join(' ');
      const plate = v.license_plate ? `plate ${v.license_plate}` : '';
      return [truck, plate].filter(Boolean).join(', ') || null;
    },
    minutes: (n: number) => (n === 1 ? 'About 1 minute away' : `About ${n} minutes away`),
    arriving: 'Arriving now',
    here: 'At your driveway now',
    basis: { speed: 'from its distance and recent speed', typical: 'from its distance' },
  },
  /** The job page's "Edit" dialog, open until a driver sets out. */
  edit: {
    open: 'Edit',
    title: 'Change this request',
    close: 'Close',
    location: 'Where',
    tier: 'Driveway size',
    when: 'When',
    asap: 'As soon as possible',
    scheduledFor: 'Date and time',
    instructions: 'Instructions for the driver',
    estimating: 'Working out the price…',
    newPrice: (price: string, was: string) => `New price: ${price} (was ${was})`,
    samePrice: (price: string) => `Price stays ${price}`,
    outsideArea: (miles: string) => `That address is ${miles} miles away, outside the area we plow.`,
    pastTime: 'Pick a time in the future.',
    nothingChanged: 'Nothing to save: change something first.',
    save: 'Save changes',
    saving: 'Saving…',
    saved: 'Your request is updated.',
    cancel: 'Keep as it was',
  },
  invoices: {
    title: 'Invoices',
    empty: 'No invoices yet.',
    unavailable: 'Invoices are not available on this server yet.',
    number: 'Invoice',
    job: 'Address',
    total: 'Total',
    status: 'Status',
    date: 'Date',
    pdf: 'PDF',
    openPdf: (id: string) => `Open invoice ${id} as PDF`,
    opening: 'Opening…',
    statusLabel: {
      draft: 'Due',
      sent: 'Due',
      paid: 'Paid',
      void: 'Void',
      refunded: 'Refunded',
      partially_refunded: 'Paid, partly refunded',
    } as Record<string, string>,
  },
  contract: {
    title: 'Your contract',
    empty: 'You have no winter contract with us. Call us to set one up for your driveway or lot.',
    property: 'Property',
    kind: 'How it is billed',
    kinds: {
      seasonal: (price: string, n: number) =>
        `Seasonal: ${price} for the winter, in ${n} installment${n === 1 ? '' : 's'}`,
      per_push: (price: string) => `Per push: ${price} each time we plow`,
      per_inch: 'Per inch: by how much snow fell',
    },
    band: (from: number, to: number | null, price: string) =>
      to === null ? `${from} in and more: ${price}` : `${from} to ${to} in: ${price}`,
    trigger: (inches: number) => `We come when ${inches} in or more has fallen.`,
    promise: {
      open_by: (time: string) => `Cleared by ${time} after the snow stops.`,
      within_hours: (hours: number) => `Cleared within ${hours} hours of the snow stopping.`,
    },
    season: (from: string, to: string) => `Season: ${from} to ${to}`,
    notes: 'Notes for your driver',
    schedule: 'Payment schedule',
    paused: 'This contract is paused: we will not plow until it is active again.',
    accepted: (when: string) => `You accepted this contract on ${when}.`,
    acceptHelp: 'We plow and bill only once you accept the contract.',
    accept: 'Accept contract',
    acceptedToast: 'Thank you: your contract is accepted.',
  },
} as const;
