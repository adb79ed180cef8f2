import type { DriverStatus, JobStatus } from '../../../contract/enums';
import { FEET_PER_METER, METERS_PER_MILE } from '../lib/geo';

/**
 * The text the shared components need: each app's strings.ts fills these in, so every
 * word an app shows is reached from that one file. The few words all apps say alike are
 * written once, at the end of this file.
 */

export interface SignInStrings {
  title: string;
  intro?: string;
  email: string;
  password: string;
  totp?: string;
  totpHint?: string;
  submit: string;
  submitting: string;
  /** Shown when someone of another role signs in here. */
  wrongApp: (role: string) => string;
  totpRequired: string;
  /** The link to the page that emails a reset link. */
  forgotPassword: string;
}

export interface ErrorStrings {
  network: string;
  generic: string;
  tryAgain: string;
}

export interface ConnectionStrings {
  connecting: string;
  open: string;
  reconnecting: string;
  closed: string;
  signed_out: string;
}

export interface ShellStrings {
  appName: string;
  signOut: string;
  signedInAs: (name: string) => string;
  skipToContent: string;
  /** Label of a toast's close button. */
  dismiss?: string;
}

export interface PasswordChangeStrings {
  title: string;
  intro: string;
  current: string;
  next: string;
  nextHint: string;
  submit: string;
  submitting: string;
  done: string;
}

// The words every app says alike; an app spreads these and writes over what it says its own way.

export const PASSWORD_CHANGE: PasswordChangeStrings = {
  title: 'Change your password',
  intro: 'You stay signed in here; every other phone or computer signed in to your account is signed out.',
  current: 'Current password',
  next: 'New password',
  nextHint: 'At least 10 characters. Passwords known from data breaches are refused.',
  submit: 'Change password',
  submitting: 'Changing…',
  done: 'Password changed. Other devices are signed out.',
};

export const LIVE_CONNECTION: ConnectionStrings = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  closed: 'Not live',
  signed_out: 'Signed out',
};

export const SHELL: Omit<ShellStrings, 'appName'> = {
  signOut: 'Sign out',
  signedInAs: (name) => `Signed in as ${name}`,
  skipToContent: 'Skip to content',
  dismiss: 'Dismiss',
};

/** The address field's suggestion list. */
export const ADDRESS_SUGGESTIONS = {
  list: 'Suggested addresses',
  count: (n: number) =>
    n === 1
      ? '1 address suggested; use the arrow keys to pick it.'
      : `${n} addresses suggested; use the arrow keys to pick one.`,
  poweredByGoogle: 'Powered by Google',
};

export const ERRORS: ErrorStrings = {
  network: 'The server cannot be reached. Check your connection.',
  generic: 'Something went wrong. Please try again.',
  tryAgain: 'Try again',
};

/** An icon per job status, so status never rests on colour alone. */
export const STATUS_ICON: Record<JobStatus, string> = {
  pending: '○',
  assigned: '◎',
  en_route: '➜',
  arrived: '⚑',
  in_progress: '▶',
  completed: '✓',
  cancelled: '✕',
  disputed: '!',
};

/** How a phone number is best typed: shown in every phone box and in the hints beside them. */
export const PHONE_EXAMPLE = '+1 603 555 0100';

/** A driver's status as the office says it (the driver's own app words two of them its own way). */
export const DRIVER_STATUS: Readonly<Record<DriverStatus, string>> = {
  available: 'Available',
  break: 'On break',
  offline: 'Offline',
  en_route: 'En route',
  on_job: 'On a job',
};

/** A distance as people on US roads say it: feet (by 50) under a tenth of a mile, else miles. */
export function distanceWords(meters: number): string {
  const miles = meters / METERS_PER_MILE;
  if (miles < 0.1) return `${Math.max(50, Math.round((meters * FEET_PER_METER) / 50) * 50)} ft`;
  return `${miles < 10 ? miles.toFixed(1) : Math.round(miles)} mi`;
}

/** How long ago, in the largest unit that reads naturally. */
export function agoWords(seconds: number): string {
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}
