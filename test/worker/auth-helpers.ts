import { totpAt } from '../../worker/auth/totp';
import { admin, uniqueEmail } from './fixtures';
import { api, type Session } from './helpers';
import { linkToken, waitForEmail } from './stand-in';

/**
 * Accounts made through the real sign-up and invitation flows, and TOTP codes, for the
 * tests of those flows. Tests that only need someone signed in use `./fixtures`.
 */

export interface Registered extends Session {
  email: string;
  password: string;
}

/** A new customer through the real sign-up, with the email verified unless asked not to. */
export async function registerCustomer(
  opts: { verify?: boolean; phone?: string; tag?: string } = {},
): Promise<Registered> {
  const email = uniqueEmail(opts.tag ?? 'customer');
  const password = `snow-${crypto.randomUUID()}`;
  const res = await api('/api/v1/auth/register', {
    method: 'POST',
    json: { email, password, full_name: 'Test Customer', ...(opts.phone ? { phone: opts.phone } : {}) },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as Session;
  if (opts.verify !== false) {
    const token = linkToken(await waitForEmail(email, /confirm your email/i));
    const verified = await api('/api/v1/auth/verify-email', { method: 'POST', json: { token } });
    if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${await verified.text()}`);
  }
  return { ...session, email, password };
}

export interface Invited {
  email: string;
  password: string;
  user_id: string;
}

/** Invites a driver or admin as the demo admin and returns the emailed token. */
export async function invite(
  role: 'driver' | 'admin',
  adminToken?: string,
): Promise<{ email: string; user_id: string; token: string }> {
  const token = adminToken ?? (await admin());
  const email = uniqueEmail(role);
  const res = await api('/api/v1/admin/invites', {
    method: 'POST',
    token,
    json: { email, full_name: `Test ${role}`, role },
  });
  if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${await res.text()}`);
  const { invite: inv } = (await res.json()) as { invite: { user_id: string } };
  return { email, user_id: inv.user_id, token: linkToken(await waitForEmail(email, /invited/i)) };
}

/** A driver made the way an operator makes one: invited, invitation accepted, signed in. */
export async function invitedDriver(adminToken?: string): Promise<Invited & Session> {
  const inv = await invite('driver', adminToken);
  const password = `plow-${crypto.randomUUID()}`;
  const res = await api('/api/v1/auth/accept-invite', { method: 'POST', json: { token: inv.token, password } });
  if (res.status !== 200) throw new Error(`accept-invite failed: ${res.status} ${await res.text()}`);
  return { ...((await res.json()) as Session), email: inv.email, password, user_id: inv.user_id };
}

const lastStep = new Map<string, number>();

/**
 * A TOTP code of `secret` the server will still take for `account`. A code is accepted
 * once per account and only if its 30-second step is newer than the last one accepted,
 * within one step of now: this hands out the previous step (unless the current one ends
 * within seconds, when the previous one could fall out of the window before the request
 * lands), then the current one, then the next, and then waits for the clock to move on —
 * so a test that uses more than three codes on one account takes a while.
 */
export async function codeFor(secret: string, account: string): Promise<string> {
  for (;;) {
    const ms = Date.now();
    const now = Math.floor(ms / 30_000);
    const lowest = (now + 1) * 30_000 - ms < 5_000 ? now : now - 1;
    const step = Math.max(lowest, (lastStep.get(account) ?? 0) + 1);
    if (step <= now + 1) {
      lastStep.set(account, step);
      return totpAt(secret, step);
    }
    await new Promise((r) => setTimeout(r, (now + 1) * 30_000 - Date.now() + 100));
  }
}

/** The code of the current step, whether or not it was used: for asserting refusals. */
export async function currentCode(secret: string): Promise<string> {
  return totpAt(secret, Math.floor(Date.now() / 30_000));
}

/** An admin made the way an operator makes one: invited, password set, authenticator enrolled and confirmed. */
export async function invitedAdmin(
  adminToken?: string,
): Promise<Invited & { secret: string; recovery_codes: string[] }> {
  const inv = await invite('admin', adminToken);
  const password = `plow-${crypto.randomUUID()}`;
  const accepted = await api('/api/v1/auth/accept-invite', { method: 'POST', json: { token: inv.token, password } });
  if (accepted.status !== 200) throw new Error(`accept-invite failed: ${accepted.status} ${await accepted.text()}`);
  const { totp_enrolment_token: enrol_token } = (await accepted.json()) as { totp_enrolment_token: string };
  const enrol = await api('/api/v1/auth/totp/enrol', { method: 'POST', json: { enrol_token } });
  if (enrol.status !== 200) throw new Error(`enrol failed: ${enrol.status} ${await enrol.text()}`);
  const { secret } = (await enrol.json()) as { secret: string };
  const confirm = await api('/api/v1/auth/totp/confirm', {
    method: 'POST',
    json: { enrol_token, code: await codeFor(secret, inv.email) },
  });
  if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.status} ${await confirm.text()}`);
  const { recovery_codes } = (await confirm.json()) as { recovery_codes: string[] };
  return { email: inv.email, password, user_id: inv.user_id, secret, recovery_codes };
}

export async function loginAs(email: string, password: string, totp_code?: string): Promise<Response> {
  return api('/api/v1/auth/login', { method: 'POST', json: { email, password, ...(totp_code ? { totp_code } : {}) } });
}
