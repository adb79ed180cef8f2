import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { WS_CLOSE_UNAUTHORIZED } from '../../contract/errors';
import { signAccessToken } from '../../worker/auth/tokens';
import { admin, rows, uniqueEmail, uniquePhone } from './fixtures';
import { api, type ApiInit, connect, db, expectError, type Session, expectRefusal } from './helpers';
import { invitedDriver, loginAs, registerCustomer } from './auth-helpers';
import { linkToken, waitForEmail } from './stand-in';

const json = async <T = any>(res: Response): Promise<T> => (await res.json()) as T;
/** `POST /api/v1/auth/register`; `init` adds headers or Worker variables. */
const register = (body: Record<string, unknown>, init: Omit<ApiInit, 'method' | 'json'> = {}) =>
  api('/api/v1/auth/register', { ...init, method: 'POST', json: body });

describe('register → verify email → login → refresh → logout', () => {
  it('walks a new customer through the whole session lifecycle', async () => {
    const email = uniqueEmail('flow');
    const password = 'a long winter night';
    const registered = await register({ email, password, full_name: 'Wendy Winter' });
    expect(registered.status).toBe(201);
    const session = await json<Session & { expires_in: number }>(registered);
    expect(session.user).toEqual({ id: expect.any(String), email, role: 'customer', full_name: 'Wendy Winter' });
    expect(session.expires_in).toBe(900);
    expect(Object.keys(session).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'user']);

    const before = await json(await api('/api/v1/auth/me', { token: session.access_token }));
    expect(before.user).toMatchObject({ email, email_verified_at: null, totp_enabled: false });

    const mail = await waitForEmail(email, /confirm your email/i);
    expect(mail.text).toContain('https://app.plow.test/auth/verify-email#token=');
    const verified = await api('/api/v1/auth/verify-email', { method: 'POST', json: { token: linkToken(mail) } });
    expect(verified.status).toBe(200);
    expect((await json(verified)).user.email_verified_at).toEqual(expect.any(String));
    // The link works once.
    await expectRefusal(400, 'token_invalid', 'POST', '/api/v1/auth/verify-email', undefined, {
      token: linkToken(mail),
    });

    const loggedIn = await loginAs(email.toUpperCase(), password);
    expect(loggedIn.status).toBe(200);
    const second = await json<Session>(loggedIn);

    const refreshed = await api('/api/v1/auth/refresh', {
      method: 'POST',
      json: { refresh_token: second.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    const rotated = await json<Session>(refreshed);
    expect(rotated.refresh_token).not.toBe(second.refresh_token);
    expect(rotated.access_token).not.toBe(second.access_token);
    expect((await api('/api/v1/auth/me', { token: rotated.access_token })).status).toBe(200);

    const out = await api('/api/v1/auth/logout', {
      method: 'POST',
      token: rotated.access_token,
      json: { refresh_token: rotated.refresh_token },
    });
    expect(out.status).toBe(204);
    await expectRefusal(401, 'token_revoked', 'GET', '/api/v1/auth/me', rotated.access_token);
    await expectError(
      await api('/api/v1/auth/refresh', { method: 'POST', json: { refresh_token: rotated.refresh_token } }),
      401,
    );
    // The first session (from registration) is a different family and still works.
    expect((await api('/api/v1/auth/me', { token: session.access_token })).status).toBe(200);
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const customer = await registerCustomer({ verify: false });
    const rows = await db(
      async (d) =>
        (
          await d.execute<{ token_hash: string }>(
            sql`SELECT token_hash FROM refresh_tokens WHERE user_id = ${customer.user.id}`,
          )
        ).rows,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.token_hash).not.toContain(customer.refresh_token);
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const customer = await registerCustomer({ verify: false });
    const wrong = await expectError(
      await loginAs(customer.email, 'not the password at all'),
      401,
      'invalid_credentials',
    );
    const unknown = await expectError(
      await loginAs(uniqueEmail('nobody'), 'not the password at all'),
      401,
      'invalid_credentials',
    );
    expect(wrong.error.message).toBe(unknown.error.message);
  });
});

describe('POST /api/v1/auth/register never tells whether an address has an account', () => {
  const signUp = (email: string, password: string, headers: Record<string, string> = {}) =>
    register({ email, password, full_name: 'Sam Signup' }, { headers });
  const ASYNC = { prefer: 'respond-async' };

  it('answers a new and a known address alike with Prefer: respond-async; only the mailbox learns which it was', async () => {
    const known = await registerCustomer({ verify: false });
    const fresh = uniqueEmail('fresh');
    const password = 'a brand new password';
    const answers = await Promise.all([signUp(fresh, password, ASYNC), signUp(known.email, password, ASYNC)]);
    for (const res of answers) {
      expect(res.status).toBe(202);
      expect(res.headers.get('preference-applied')).toBe('respond-async');
    }
    const [freshBody, knownBody] = await Promise.all(answers.map((r) => r.text()));
    expect(knownBody).toBe(freshBody);
    expect(JSON.parse(freshBody!)).toEqual({ status: 'accepted', message: expect.stringMatching(/check your email/i) });

    // The new address: its account is confirmed by the emailed link, then signs in.
    const link = linkToken(await waitForEmail(fresh, /confirm your email/i));
    expect((await api('/api/v1/auth/verify-email', { method: 'POST', json: { token: link } })).status).toBe(200);
    expect((await loginAs(fresh, password)).status).toBe(200);

    // The known address: nothing changed, and its holder is told someone tried.
    const notice = await waitForEmail(known.email, /someone tried to sign up/i);
    expect(notice.text).not.toContain(password);
    expect((await loginAs(known.email, known.password)).status).toBe(200);
    await expectError(await loginAs(known.email, password), 401, 'invalid_credentials');
    const me = await json(await api('/api/v1/auth/me', { token: known.access_token }));
    expect(me.user.full_name).toBe('Test Customer');
  });

  it('keeps the 201 token response for a new address, and answers a known one 202 rather than 409', async () => {
    const known = await registerCustomer({ verify: false });
    const res = await signUp(known.email, 'another long password');
    expect(res.status).toBe(202);
    expect(res.headers.get('preference-applied')).toBeNull();
    expect(await json(res)).toEqual({ status: 'accepted', message: expect.any(String) });
    await waitForEmail(known.email, /someone tried to sign up/i);
    const twice = await rows(sql`SELECT count(*)::int AS n FROM users WHERE lower(email) = ${known.email}`);
    expect(twice[0]!.n).toBe(1);

    const created = await signUp(uniqueEmail('spec'), 'a long winter night');
    expect(created.status).toBe(201);
    expect(Object.keys(await json(created)).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'user']);
  });

  it('registers with a phone number another account has, as with a free one, and does not verify it', async () => {
    const phone = uniquePhone();
    const holder = await registerCustomer({ verify: false, phone });
    const withPhone = await register({
      email: uniqueEmail('samephone'),
      password: 'a long winter night',
      full_name: 'Sam Signup',
      phone,
    });
    expect(withPhone.status).toBe(201);
    const me = await json(await api('/api/v1/auth/me', { token: (await json<Session>(withPhone)).access_token }));
    expect(me.user).toMatchObject({ phone, phone_verified_at: null });
    const first = await json(await api('/api/v1/auth/me', { token: holder.access_token }));
    expect(first.user.phone).toBe(phone);
  });
});

describe('POST /api/v1/auth/login on a suspended account', () => {
  it('answers the right password exactly like a wrong one', async () => {
    const driver = await invitedDriver();
    const adminToken = await admin();
    expect(
      (await api(`/api/v1/admin/users/${driver.user_id}/suspend`, { method: 'POST', token: adminToken })).status,
    ).toBe(200);
    const right = await loginAs(driver.email, driver.password);
    const wrong = await loginAs(driver.email, 'not the password at all');
    const unknown = await loginAs(uniqueEmail('nobody'), 'not the password at all');
    expect([right.status, wrong.status, unknown.status]).toEqual([401, 401, 401]);
    const [a, b, c] = await Promise.all([right.text(), wrong.text(), unknown.text()]);
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(JSON.parse(a).error.code).toBe('invalid_credentials');
  });
});

describe('POST /api/v1/auth/refresh', () => {
  it('revokes the whole family when a rotated refresh token is used again, and logs it', async () => {
    const customer = await registerCustomer({ verify: false });
    const first = await json<Session>(
      await api('/api/v1/auth/refresh', { method: 'POST', json: { refresh_token: customer.refresh_token } }),
    );
    const second = await json<Session>(
      await api('/api/v1/auth/refresh', { method: 'POST', json: { refresh_token: first.refresh_token } }),
    );

    // The thief replays the first (already rotated) token…
    await expectRefusal(401, 'refresh_token_reused', 'POST', '/api/v1/auth/refresh', undefined, {
      refresh_token: customer.refresh_token,
    });
    // …and the legitimate holder's newest token is dead too.
    await expectRefusal(401, 'refresh_token_revoked', 'POST', '/api/v1/auth/refresh', undefined, {
      refresh_token: second.refresh_token,
    });

    const family = await db(
      async (d) =>
        (
          await d.execute<{ live: number }>(
            sql`SELECT count(*) FILTER (WHERE revoked_at IS NULL)::int AS live FROM refresh_tokens WHERE user_id = ${customer.user.id}`,
          )
        ).rows,
    );
    expect(family).toEqual([{ live: 0 }]);
    const logged = await db(
      async (d) =>
        (
          await d.execute<{ action: string }>(
            sql`SELECT action FROM audit_log WHERE actor_user_id = ${customer.user.id} AND action = 'auth.refresh_token_reused'`,
          )
        ).rows,
    );
    expect(logged.length).toBeGreaterThanOrEqual(1);
  });

  it("ends the reused family's outstanding access tokens and sockets, not the user's other sessions", async () => {
    const driver = await invitedDriver();
    const first = await json<Session>(
      await api('/api/v1/auth/refresh', { method: 'POST', json: { refresh_token: driver.refresh_token } }),
    );
    const socket = await connect(first.access_token);
    socket.send({ type: 'ping' });
    await socket.next((m) => m.type === 'pong');
    const other = await json<Session>(await loginAs(driver.email, driver.password));

    await expectRefusal(401, 'refresh_token_reused', 'POST', '/api/v1/auth/refresh', undefined, {
      refresh_token: driver.refresh_token,
    });

    expect((await socket.waitClosed()).code).toBe(WS_CLOSE_UNAUTHORIZED);
    await expectRefusal(401, 'token_revoked', 'GET', '/api/v1/drivers/me', driver.access_token);
    await expectRefusal(401, 'token_revoked', 'GET', '/api/v1/drivers/me', first.access_token);
    expect((await api('/api/v1/drivers/me', { token: other.access_token })).status).toBe(200);
  });

  it('refuses a refresh token it never issued', async () => {
    await expectRefusal(401, 'refresh_token_invalid', 'POST', '/api/v1/auth/refresh', undefined, {
      refresh_token: 'x'.repeat(43),
    });
  });
});

describe('access tokens', () => {
  const secret = () => new TextEncoder().encode(env.JWT_SECRET);

  it('carries sub, role, name, iat, exp, jti and the session id, valid for 15 minutes', async () => {
    const customer = await registerCustomer({ verify: false });
    const [header, payload] = customer.access_token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(atob(p.replaceAll('-', '+').replaceAll('_', '/'))));
    expect(header).toMatchObject({ alg: 'HS256', kid: 'k1' });
    expect(payload).toMatchObject({
      sub: customer.user.id,
      role: 'customer',
      name: 'Test Customer',
      jti: expect.any(String),
      cid: expect.any(String),
      sid: expect.any(String),
    });
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('rejects an expired token with 401 token_expired', async () => {
    const customer = await registerCustomer({ verify: false });
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ role: 'customer', name: 'Test Customer' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setSubject(customer.user.id)
      .setJti(crypto.randomUUID())
      .setIssuer('plowdispatch')
      .setIssuedAt(now - 1000)
      .setExpirationTime(now - 100)
      .sign(secret());
    await expectRefusal(401, 'token_expired', 'GET', '/api/v1/auth/me', expired);
  });

  it('rejects a token whose payload or signature was tampered with', async () => {
    const customer = await registerCustomer({ verify: false });
    const [h, p, s] = customer.access_token.split('.') as [string, string, string];
    const claims = JSON.parse(atob(p.replaceAll('-', '+').replaceAll('_', '/')));
    const forged = btoa(JSON.stringify({ ...claims, role: 'admin' }))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replace(/=+$/, '');
    await expectRefusal(401, 'token_invalid', 'GET', '/api/v1/jobs', `${h}.${forged}.${s}`);
    const flipped = s.slice(0, -2) + (s.at(-2) === 'A' ? 'B' : 'A') + s.at(-1);
    await expectRefusal(401, 'token_invalid', 'GET', '/api/v1/auth/me', `${h}.${p}.${flipped}`);
    await expectRefusal(401, 'token_invalid', 'GET', '/api/v1/auth/me', 'not-a-jwt');
  });

  it('rejects an unsigned (alg none) token', async () => {
    const customer = await registerCustomer({ verify: false });
    const enc = (o: object) => btoa(JSON.stringify(o)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    const now = Math.floor(Date.now() / 1000);
    const none = `${enc({ alg: 'none', kid: 'k1' })}.${enc({ sub: customer.user.id, role: 'admin', name: 'x', jti: 'j', iat: now, exp: now + 600, iss: 'plowdispatch' })}.`;
    await expectRefusal(401, 'token_invalid', 'GET', '/api/v1/auth/me', none);
  });

  it('accepts a token signed with the previous key during rotation, and not one with an unknown kid', async () => {
    const customer = await registerCustomer({ verify: false });
    const previous = { JWT_SECRET_PREVIOUS: 'previous-secret-abcdefabcdefabcdefabcdefabcdef', JWT_KID_PREVIOUS: 'k0' };
    const { token: old } = await signAccessToken(
      { JWT_SECRET: previous.JWT_SECRET_PREVIOUS, JWT_KID: 'k0' },
      { sub: customer.user.id, role: 'customer', name: 'Test Customer' },
    );
    expect((await api('/api/v1/auth/me', { env: previous, token: old })).status).toBe(200);
    // Once the previous key is retired, its tokens stop working.
    await expectRefusal(401, 'token_invalid', 'GET', '/api/v1/auth/me', old);
    const { token: stranger } = await signAccessToken(
      { JWT_SECRET: env.JWT_SECRET, JWT_KID: 'k9' },
      { sub: customer.user.id, role: 'customer', name: 'Test Customer' },
    );
    await expectError(await api('/api/v1/auth/me', { env: previous, token: stranger }), 401, 'token_invalid');
  });
});

describe('password policy', () => {
  it('refuses passwords shorter than 10 characters', async () => {
    const body = await expectError(
      await register({ email: uniqueEmail('short'), password: 'snowsnow1', full_name: 'Short Pw' }),
      400,
      'validation_failed',
    );
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('accepts a long password of one character class (no composition rules)', async () => {
    const res = await register({
      email: uniqueEmail('plain'),
      password: 'correcthorsebatterystaple',
      full_name: 'Plain Pw',
    });
    expect(res.status).toBe(201);
  });

  it('refuses a password HaveIBeenPwned knows, sending only the SHA-1 prefix', async () => {
    const email = uniqueEmail('pwned');
    const body = await expectError(
      await register({ email, password: 'password123456', full_name: 'Pwned Pw' }),
      400,
      'password_breached',
    );
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'password' })]);
    const reqs = (await (await fetch(`${env.STAND_IN_URL}/__requests?prefix=/hibp/range/98A16`)).json()) as {
      path: string;
      headers: Record<string, string>;
    }[];
    expect(reqs.length).toBeGreaterThanOrEqual(1);
    expect(reqs.at(-1)!.path).toBe('/hibp/range/98A16');
    expect(reqs.at(-1)!.headers['add-padding']).toBe('true');
    const rows = await db(async (d) => (await d.execute(sql`SELECT 1 FROM users WHERE email = ${email}`)).rows);
    expect(rows).toHaveLength(0);
  });

  it('skips the breach check when HaveIBeenPwned is unreachable', async () => {
    const res = await register(
      { email: uniqueEmail('offline'), password: 'password123456', full_name: 'Offline' },
      { env: { HIBP_API_URL: 'http://127.0.0.1:9' } },
    );
    expect(res.status).toBe(201);
  });

  it('skips the breach check when HaveIBeenPwned is too slow', async () => {
    await fetch(`${env.STAND_IN_URL}/__script`, {
      method: 'POST',
      body: JSON.stringify({
        prefix: '/hibp/range/98A16',
        responses: [{ status: 200, body: '', contentType: 'text/plain', delay_ms: 4000 }],
      }),
    });
    const started = Date.now();
    const res = await register({ email: uniqueEmail('slow'), password: 'password123456', full_name: 'Slow' });
    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it('does not call HaveIBeenPwned at all when it is switched off', async () => {
    const res = await register(
      { email: uniqueEmail('nohibp'), password: 'password123456', full_name: 'No Hibp' },
      { env: { HIBP_ENABLED: 'false' } },
    );
    expect(res.status).toBe(201);
  });
});
