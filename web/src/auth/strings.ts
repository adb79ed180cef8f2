/** Words of the emailed-link pages (`/auth/*`). */
export const strings = {
  appName: 'PlowDispatch',
  errors: {
    network: 'You seem to be offline. Check your connection and try again.',
    generic: 'Something went wrong. Please try again.',
    tryAgain: 'Try again',
  },
  notFound: { title: 'Page not found', body: 'This link is not one of ours.', back: 'Go to PlowDispatch' },
  working: 'Checking your link…',
  noToken: 'This link is incomplete. Open the newest email from us, or ask for a new link.',
  unavailable: 'This kind of link is not supported by this server yet.',
  verifyTitle: 'Confirm your email',
  verified: 'Your email address is confirmed. You can request a plow now.',
  continue: 'Continue to PlowDispatch',
  magicTitle: 'Signing you in',
  resetTitle: 'Choose a new password',
  inviteTitle: 'Welcome to PlowDispatch: choose your password',
  newPassword: 'New password (at least 10 characters)',
  savePassword: 'Save password',
  enrolTitle: 'One more step: two-factor sign-in',
  enrolBody: 'Dispatcher accounts sign in with a code from an authenticator app. Set it up now.',
  enrolContinue: 'Set up the authenticator',
} as const;
