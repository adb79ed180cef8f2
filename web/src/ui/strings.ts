/**
 * The text the shared components need, as types only: each app's strings.ts fills these
 * in, so every word an app shows lives in that one file.
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
