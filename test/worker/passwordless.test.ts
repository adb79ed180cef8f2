import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { uniqueEmail, uniquePhone } from './fixtures';
import { api, db, expectError, type Session, expectRefusal } from './helpers';
import { invitedDriver, registerCustomer } from './auth-helpers';
import { emailsTo, linkToken, smsTo, waitForEmail } from './stand-in';

const json = async <T = any>(res: Response): Promise<T> => (await res.json()) as T;

async function requestLink(email: string): Promise<Response> {
  return api('/api/v1/auth/request-magic-link', { method: 'POST', json: { email } });
}

/** `POST /api/v1/auth/request-phone-code`: to `json.phone`, or to the account's number when none is given. */
const requestPhoneCode = (token: string, json: { phone?: string } = {}) =>
  api('/api/v1/auth/request-phone-code', { method: 'POST', token, json });
const verifyPhone = (token: string, code: string | undefined) =>
  api('/api/v1/auth/verify-phone', { method: 'POST', token, json: { code } });

describe('magic-link sign-in', () => {
  it('emails a single-use link that signs the customer in', async () => {
    const customer = await registerCustomer({ verify: false });
    expect((await requestLink(customer.email)).status).toBe(202);
    const mail = await waitForEmail(customer.email, /sign-in link/i);
    expect(mail.text).toContain('https://app.plow.test/auth/magic-link#token=');
    const token = linkToken(mail);

    const res = await api('/api/v1/auth/magic-link', { method: 'POST', json: { token } });
    expect(res.status).toBe(200);
    const session = await json<Session>(res);
    expect(session.user).toMatchObject({ id: customer.user.id, email: customer.email, role: 'customer' });
    const me = await json(await api('/api/v1/auth/me', { token: session.access_token }));
    // Following the link proves the address.
    expect(me.user.email_verified_at).toEqual(expect.any(String));

    await expectRefusal(400, 'token_invalid', 'POST', '/api/v1/auth/magic-link', undefined, { token });
  });

  it('signs in once when the same link is opened ten times at once', async () => {
    const customer = await registerCustomer({ verify: false });
    await requestLink(customer.email);
    const token = linkToken(await waitForEmail(customer.email, /sign-in link/i));
    const answers = await Promise.all(
      Array.from(
        { length: 10 },
        async () => (await api('/api/v1/auth/magic-link', { method: 'POST', json: { token } })).status,
      ),
    );
    expect(answers.sort()).toEqual([200, ...Array(9).fill(400)]);
  });

  it('refuses a link older than 15 minutes', async () => {
    const customer = await registerCustomer({ verify: false });
    await requestLink(customer.email);
    const token = linkToken(await waitForEmail(customer.email, /sign-in link/i));
    const [row] = await db(
      async (d) =>
        (
          await d.execute<{ minutes: number }>(
            sql`SELECT round(extract(epoch FROM expires_at - created_at) / 60)::int AS minutes FROM auth_tokens WHERE user_id = ${customer.user.id} AND purpose = 'magic_link'`,
          )
        ).rows,
    );
    expect(row!.minutes).toBe(15);
    await db((d) =>
      d.execute(
        sql`UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ${customer.user.id} AND purpose = 'magic_link'`,
      ),
    );
    await expectRefusal(400, 'token_invalid', 'POST', '/api/v1/auth/magic-link', undefined, { token });
  });

  it('makes an older link stop working when a newer one is sent', async () => {
    const customer = await registerCustomer({ verify: false });
    await requestLink(customer.email);
    const first = linkToken(await waitForEmail(customer.email, /sign-in link/i));
    await requestLink(customer.email);
    const deadline = Date.now() + 5000;
    while (
      (await emailsTo(customer.email)).filter((m) => /sign-in link/i.test(m.subject)).length < 2 &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 50));
    const second = linkToken(await waitForEmail(customer.email, /sign-in link/i));
    expect(second).not.toBe(first);
    await expectRefusal(400, 'token_invalid', 'POST', '/api/v1/auth/magic-link', undefined, { token: first });
    expect((await api('/api/v1/auth/magic-link', { method: 'POST', json: { token: second } })).status).toBe(200);
  });

  it('answers 202 the same way for unknown emails and drivers, and sends them nothing', async () => {
    const unknown = uniqueEmail('nobody');
    const driver = await invitedDriver();
    const a = await requestLink(unknown);
    const b = await requestLink(driver.email);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(await a.json()).toEqual(await b.json());
    await new Promise((r) => setTimeout(r, 300));
    expect(await emailsTo(unknown)).toEqual([]);
    expect((await emailsTo(driver.email)).filter((m) => /sign-in link/i.test(m.subject))).toEqual([]);
  });
});

describe('email verification', () => {
  it('sends a fresh link on request, and only the newest link works', async () => {
    const customer = await registerCustomer({ verify: false });
    await waitForEmail(customer.email, /confirm your email/i);
    expect(
      (await api('/api/v1/auth/request-email-verification', { method: 'POST', json: { email: customer.email } }))
        .status,
    ).toBe(202);
    const deadline = Date.now() + 5000;
    while ((await emailsTo(customer.email)).length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const mails = await emailsTo(customer.email);
    expect(mails).toHaveLength(2);
    // Only the newest link works.
    await expectRefusal(400, 'token_invalid', 'POST', '/api/v1/auth/verify-email', undefined, {
      token: linkToken(mails[0]!),
    });
    expect(
      (await api('/api/v1/auth/verify-email', { method: 'POST', json: { token: linkToken(mails[1]!) } })).status,
    ).toBe(200);
  });
});

describe('phone verification', () => {
  it('texts a 6-digit code and verifies the phone with it', async () => {
    const customer = await registerCustomer({ verify: false });
    const phone = uniquePhone();
    const requested = await requestPhoneCode(customer.access_token, { phone });
    expect(requested.status).toBe(202);
    const [text] = await smsTo(phone);
    const code = /\b(\d{6})\b/.exec(text?.body ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const stored = await db(
      async (d) =>
        (
          await d.execute<{ token_hash: string }>(
            sql`SELECT token_hash FROM auth_tokens WHERE user_id = ${customer.user.id} AND purpose = 'verify_phone'`,
          )
        ).rows,
    );
    expect(stored[0]!.token_hash).not.toContain(code);

    const verified = await verifyPhone(customer.access_token, code);
    expect(verified.status).toBe(200);
    expect((await json(verified)).user).toMatchObject({ phone, phone_verified_at: expect.any(String) });
    await expectError(await verifyPhone(customer.access_token, code), 400, 'code_expired');
  });

  it('voids the code after five wrong tries', async () => {
    const customer = await registerCustomer({ verify: false, phone: uniquePhone() });
    expect((await requestPhoneCode(customer.access_token)).status).toBe(202);
    const me = await json(await api('/api/v1/auth/me', { token: customer.access_token }));
    const code = /\b(\d{6})\b/.exec((await smsTo(me.user.phone)).at(-1)?.body ?? '')![1]!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      await expectError(await verifyPhone(customer.access_token, wrong), 400, 'code_invalid');
    }
    await expectError(await verifyPhone(customer.access_token, code), 400, 'code_attempts_exceeded');
  });

  it('checks at most five guesses when forty wrong codes arrive at once, and then refuses the right one', async () => {
    const customer = await registerCustomer({ verify: false, phone: uniquePhone() });
    await requestPhoneCode(customer.access_token);
    const me = await json(await api('/api/v1/auth/me', { token: customer.access_token }));
    const code = /\b(\d{6})\b/.exec((await smsTo(me.user.phone)).at(-1)?.body ?? '')![1]!;
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const res = await verifyPhone(customer.access_token, wrong);
        return `${res.status} ${((await json(res)) as { error: { code: string } }).error.code}`;
      }),
    );
    // A guess that was compared with the code answers code_invalid; the rest were refused unchecked.
    expect(answers.filter((a) => a === '400 code_invalid')).toHaveLength(5);
    expect(answers.filter((a) => a !== '400 code_invalid')).toEqual(Array(35).fill('400 code_attempts_exceeded'));
    const [row] = await db(
      async (d) =>
        (
          await d.execute<{ attempts: number }>(
            sql`SELECT attempts FROM auth_tokens WHERE user_id = ${customer.user.id} AND purpose = 'verify_phone'`,
          )
        ).rows,
    );
    expect(row!.attempts).toBe(5);
    await expectError(await verifyPhone(customer.access_token, code), 400, 'code_attempts_exceeded');
  });

  it('texts the code to a number another account has, as to any number, and moves the number to whoever sends the code back', async () => {
    const phone = uniquePhone();
    const holder = await registerCustomer({ verify: false, phone });
    await requestPhoneCode(holder.access_token);
    const holderCode = /\b(\d{6})\b/.exec((await smsTo(phone)).at(-1)?.body ?? '')![1]!;
    expect((await verifyPhone(holder.access_token, holderCode)).status).toBe(200);

    const newcomer = await registerCustomer({ verify: false });
    const free = await requestPhoneCode(newcomer.access_token, { phone: uniquePhone() });
    const taken = await requestPhoneCode(newcomer.access_token, { phone });
    expect(taken.status).toBe(free.status);
    expect(await taken.json()).toEqual(await free.json());
    const texts = await smsTo(phone);
    expect(texts).toHaveLength(2);
    const code = /\b(\d{6})\b/.exec(texts.at(-1)!.body)![1]!;
    const verified = await verifyPhone(newcomer.access_token, code);
    expect(verified.status).toBe(200);
    expect((await json(verified)).user).toMatchObject({ phone, phone_verified_at: expect.any(String) });
    const before = await json(await api('/api/v1/auth/me', { token: holder.access_token }));
    expect(before.user).toMatchObject({ phone: null, phone_verified_at: null });
  });

  it('asks for a number when the account has none', async () => {
    const customer = await registerCustomer({ verify: false });
    await expectError(await requestPhoneCode(customer.access_token), 400, 'validation_failed');
  });
});

describe('outbox', () => {
  it('logs every account message in notification_log without the secret link', async () => {
    const customer = await registerCustomer({ verify: false });
    await requestLink(customer.email);
    const token = linkToken(await waitForEmail(customer.email, /sign-in link/i));
    const rows = await db(
      async (d) =>
        (
          await d.execute<{ kind: string; channel: string; status: string; provider: string; body: string }>(
            sql`SELECT kind, channel, status, provider, body FROM notification_log WHERE user_id = ${customer.user.id} ORDER BY created_at`,
          )
        ).rows,
    );
    expect(rows.map((r) => [r.kind, r.channel, r.status, r.provider])).toEqual([
      ['verify_email', 'email', 'sent', 'resend'],
      ['magic_link', 'email', 'sent', 'resend'],
    ]);
    expect(rows[1]!.body).not.toContain(token);
    expect(rows[1]!.body).toContain('[redacted]');
  });
});
