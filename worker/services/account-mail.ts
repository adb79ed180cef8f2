import type { Context } from 'hono';
import { appBaseUrl } from '../lib/client';
import { settings } from '../lib/settings';
import type { Db } from '../lib/db';
import { sendNow } from '../notify/send';
import type { AppEnv } from '../types';
import { firstName } from '../../contract/names';

/** What sending an account message needs; `db` may be a background task's own handle. */
export interface Mailer {
  env: Env;
  db: Db;
  /** Origin emailed links point at. */
  base: string;
}

export function mailer(c: Context<AppEnv>, db: Db = c.var.db): Mailer {
  return { env: c.env, db, base: appBaseUrl(settings(c.env).APP_ORIGINS, c) };
}

interface Recipient {
  id: string;
  email: string;
  full_name: string;
}

/**
 * Where each emailed link lands in the web app. The token rides in the URL fragment so
 * it never reaches server logs or a Referer header; the page posts it to the API.
 */
export const LINK_PATHS = {
  verify_email: '/auth/verify-email',
  reset_password: '/auth/reset-password',
  magic_link: '/auth/magic-link',
  invite: '/auth/accept-invite',
} as const;

function greetingName(fullName: string): string {
  return firstName(fullName) || 'there';
}

async function email(
  m: Mailer,
  to: Recipient,
  kind: keyof typeof LINK_PATHS,
  tokenId: string,
  token: string,
  subject: string,
  lines: string[],
): Promise<void> {
  const url = `${m.base}${LINK_PATHS[kind]}#token=${encodeURIComponent(token)}`;
  await sendNow(m.env, m.db, {
    user_id: to.id,
    channel: 'email',
    recipient: to.email,
    subject,
    body: [
      `Hi ${greetingName(to.full_name)},`,
      '',
      ...lines.map((l) => l.replace('{link}', url)),
      '',
      '— PlowDispatch',
    ].join('\n'),
    kind,
    idempotency_key: `${kind}:${tokenId}`,
    redact: [token, encodeURIComponent(token)],
  });
}

export const sendVerificationEmail = (m: Mailer, to: Recipient, tokenId: string, token: string) =>
  email(m, to, 'verify_email', tokenId, token, 'Confirm your email for PlowDispatch', [
    'Please confirm your email address so we can plow your driveway:',
    '{link}',
    'The link works for 48 hours.',
  ]);

export const sendPasswordReset = (m: Mailer, to: Recipient, tokenId: string, token: string) =>
  email(m, to, 'reset_password', tokenId, token, 'Reset your PlowDispatch password', [
    'Someone (hopefully you) asked to reset your password. Choose a new one here:',
    '{link}',
    'The link works for one hour. If you did not ask for this, ignore this email.',
  ]);

export const sendMagicLink = (m: Mailer, to: Recipient, tokenId: string, token: string) =>
  email(m, to, 'magic_link', tokenId, token, 'Your PlowDispatch sign-in link', [
    'Tap to sign in — no password needed:',
    '{link}',
    'The link works once, for 15 minutes.',
  ]);

export const sendInvite = (m: Mailer, to: Recipient, role: 'driver' | 'admin', tokenId: string, token: string) =>
  email(
    m,
    to,
    'invite',
    tokenId,
    token,
    `You are invited to PlowDispatch as ${role === 'admin' ? 'a dispatcher' : 'a driver'}`,
    [
      `You have been invited to join PlowDispatch as ${role === 'admin' ? 'a dispatcher (admin)' : 'a driver'}. Set your password here:`,
      '{link}',
      'The invitation works for 7 days.',
    ],
  );

export async function sendPhoneCode(
  m: Mailer,
  userId: string,
  phone: string,
  tokenId: string,
  code: string,
): Promise<void> {
  await sendNow(m.env, m.db, {
    user_id: userId,
    channel: 'sms',
    recipient: phone,
    body: `${code} is your PlowDispatch verification code. It expires in 10 minutes.`,
    kind: 'verify_phone',
    idempotency_key: `verify_phone:${tokenId}`,
    redact: [code],
  });
}

/**
 * Told to the holder of an address someone tried to register again: the sign-up page
 * answers the same as for a new address, so this mail is how the person who owns the
 * mailbox learns of it (and how a customer who forgot they have an account gets in).
 */
export async function sendSignUpAttempt(m: Mailer, to: Recipient): Promise<void> {
  await sendNow(m.env, m.db, {
    user_id: to.id,
    channel: 'email',
    recipient: to.email,
    subject: 'Someone tried to sign up with your email address',
    body: [
      `Hi ${greetingName(to.full_name)},`,
      '',
      'Someone (perhaps you) just tried to create a PlowDispatch account with this email address. You already have one, so nothing was changed.',
      `If it was you, sign in at ${m.base}/ — or reset your password from the sign-in page if you have forgotten it.`,
      'If it was not you, you can ignore this email: your account and password are as they were.',
      '',
      '— PlowDispatch',
    ].join('\n'),
    kind: 'signup_attempt',
    idempotency_key: `signup_attempt:${to.id}:${crypto.randomUUID()}`,
  });
}
