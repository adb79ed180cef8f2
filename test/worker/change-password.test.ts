import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { invitedDriver, loginAs, registerCustomer } from './auth-helpers';
import { api, db, expectError, type Session, expectRefusal } from './helpers';

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

const passwordHash = async (userId: string) =>
  (
    await db(
      async (d) =>
        (
          await d.execute<{ h: string }>(sql`SELECT password_hash AS h FROM users WHERE id = ${userId}`)
        ).rows,
    )
  )[0]!.h;

const change = (token: string, body: unknown) =>
  api('/api/v1/auth/change-password', { method: 'POST', token, json: body });

describe('POST /api/v1/auth/change-password', () => {
  it('with a wrong current password answers 400 and changes nothing', async () => {
    const customer = await registerCustomer();
    const before = await passwordHash(customer.user.id);
    const body = await expectError(
      await change(customer.access_token, { current_password: 'not-my-password', new_password: 'fresh-snow-2026-x' }),
      400,
      'wrong_password',
    );
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'current_password' })]);
    expect(await passwordHash(customer.user.id)).toBe(before);
    expect((await loginAs(customer.email, customer.password)).status).toBe(200);
    expect((await loginAs(customer.email, 'fresh-snow-2026-x')).status).toBe(401);
    // This device stays signed in.
    expect((await api('/api/v1/auth/me', { token: customer.access_token })).status).toBe(200);
  });

  it('refuses a breached, short or unchanged new password, changing nothing', async () => {
    const customer = await registerCustomer();
    const before = await passwordHash(customer.user.id);
    await expectError(
      await change(customer.access_token, { current_password: customer.password, new_password: 'password123456' }),
      400,
      'password_breached',
    );
    await expectError(
      await change(customer.access_token, { current_password: customer.password, new_password: 'short' }),
      400,
      'validation_failed',
    );
    await expectError(
      await change(customer.access_token, { current_password: customer.password, new_password: customer.password }),
      400,
      'same_password',
    );
    expect(await passwordHash(customer.user.id)).toBe(before);
  });

  it('signs in with the new password only, and ends the sign-ins on other devices', async () => {
    const customer = await registerCustomer();
    const other = await json<Session>(await loginAs(customer.email, customer.password));
    const next = `new-snow-${crypto.randomUUID()}`;

    const res = await change(customer.access_token, { current_password: customer.password, new_password: next });
    expect(res.status).toBe(200);
    const fresh = await json<Session>(res);
    expect(fresh).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });

    expect((await loginAs(customer.email, next)).status).toBe(200);
    await expectError(await loginAs(customer.email, customer.password), 401, 'invalid_credentials');

    // The other device: its refresh token and access token no longer work.
    await expectError(
      await api('/api/v1/auth/refresh', { method: 'POST', json: { refresh_token: other.refresh_token } }),
      401,
    );
    await expectRefusal(401, 'token_revoked', 'GET', '/api/v1/auth/me', other.access_token);
    const live = await db(
      async (d) =>
        (
          await d.execute<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = ${customer.user.id} AND revoked_at IS NULL`,
          )
        ).rows,
    );
    expect(live[0]!.n).toBe(2); // the fresh sign-in in the answer, and the sign-in with the new password above

    // This device carries on with the sign-in it was handed.
    expect((await api('/api/v1/auth/me', { token: fresh.access_token })).status).toBe(200);
    expect(
      (await api('/api/v1/auth/refresh', { method: 'POST', json: { refresh_token: fresh.refresh_token } })).status,
    ).toBe(200);
    const audit = await db(
      async (d) =>
        (
          await d.execute(
            sql`SELECT 1 FROM audit_log WHERE action = 'auth.password_changed' AND entity_id = ${customer.user.id}`,
          )
        ).rows,
    );
    expect(audit).toHaveLength(1);
  });

  it('works the same for a driver', async () => {
    const driver = await invitedDriver();
    const next = `plow-new-${crypto.randomUUID()}`;
    expect((await change(driver.access_token, { current_password: driver.password, new_password: next })).status).toBe(
      200,
    );
    expect((await loginAs(driver.email, next)).status).toBe(200);
    expect((await loginAs(driver.email, driver.password)).status).toBe(401);
  });

  it('needs a sign-in', async () => {
    await expectRefusal(401, 'unauthorized', 'POST', '/api/v1/auth/change-password', undefined, {
      current_password: 'x',
      new_password: 'fresh-snow-2026-x',
    });
  });
});
