import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { newCustomer, newDriver, newJob, rows, walkJob } from './fixtures';
import { api, call, expectError, expectRefusal } from './helpers';
import { loginAs, registerCustomer } from './auth-helpers';

const count = async (query: ReturnType<typeof sql>): Promise<number> => (await rows<{ n: number }>(query))[0]!.n;

describe('DELETE /api/v1/customers/me', () => {
  it('refuses in plain words while a job is not finished, changing nothing', async () => {
    const customer = await newCustomer();
    const job = await newJob(customer);
    await walkJob(job.id, await newDriver(), 'en_route');
    const body = await expectRefusal(409, 'job_under_way', 'DELETE', '/api/v1/customers/me', customer.token);
    expect(body.error.message).toMatch(/not finished/);
    const [u] = await rows(sql`SELECT email, is_active FROM users WHERE id = ${customer.user_id}`);
    expect(u).toMatchObject({ email: customer.email, is_active: true });
    expect((await call('GET', '/api/v1/customers/me', customer.token)).status).toBe(200);
  });

  it('keeps invoices and payments, wipes the rest, and the account can no longer sign in', async () => {
    const registered = await registerCustomer();
    const customer = await newCustomer({ preferred_contact: 'both' });
    // A finished, invoiced and paid job, a second saved place, a push subscription, a waitlist-free history.
    const driver = await newDriver();
    const job = await newJob(customer, { special_instructions: 'Gate code 4321' });
    await walkJob(job.id, driver, 'completed');
    const paid = await call('POST', `/api/v1/drivers/me/jobs/${job.id}/payment`, driver.token, { method: 'cash' });
    expect(paid.status).toBe(201);
    const invoicesBefore = await count(
      sql`SELECT count(*)::int AS n FROM invoices WHERE customer_id = ${customer.profile_id}`,
    );
    expect(invoicesBefore).toBe(1);
    await rows(
      sql`INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth) VALUES (${customer.user_id}, ${`https://push.test/${crypto.randomUUID()}`}, 'k', 'a')`,
    );

    const res = await api('/api/v1/customers/me', { method: 'DELETE', token: customer.token });
    expect(res.status).toBe(204);

    const [u] = await rows(sql`SELECT * FROM users WHERE id = ${customer.user_id}`);
    expect(u).toMatchObject({
      full_name: 'Deleted customer',
      phone: null,
      is_active: false,
      sms_consent_at: null,
      sms_consent_text: null,
    });
    expect(u!.email).not.toBe(customer.email);
    expect(u!.email).not.toContain(customer.email.split('@')[0]);
    const locations = await rows(sql`SELECT * FROM service_locations WHERE customer_id = ${customer.profile_id}`);
    expect(locations.length).toBeGreaterThan(0);
    for (const l of locations) {
      expect(l).toMatchObject({ label: null, address_line1: 'Removed', address_line2: null, postal_code: '' });
      expect(l.deleted_at).not.toBeNull();
    }
    expect(await rows(sql`SELECT 1 FROM push_subscriptions WHERE user_id = ${customer.user_id}`)).toEqual([]);
    expect(
      await rows(sql`SELECT 1 FROM refresh_tokens WHERE user_id = ${customer.user_id} AND revoked_at IS NULL`),
    ).toEqual([]);
    const [kept] = await rows(sql`SELECT special_instructions FROM jobs WHERE id = ${job.id}`);
    expect(kept!.special_instructions).toBeNull();
    // The books stay.
    const invoicesAfter = await count(
      sql`SELECT count(*)::int AS n FROM invoices WHERE customer_id = ${customer.profile_id}`,
    );
    expect(invoicesAfter).toBe(1);
    expect(await rows(sql`SELECT 1 FROM payments WHERE job_id = ${job.id}`)).toHaveLength(1);

    // Signed out everywhere, and no way back in.
    await expectRefusal(401, 'token_revoked', 'GET', '/api/v1/customers/me', customer.token);
    const audits = await count(
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.account_deleted' AND entity_id = ${customer.profile_id}`,
    );
    expect(audits).toBe(1);

    // A customer who signed up through the app cannot sign in again with their password or a link.
    expect((await api('/api/v1/customers/me', { method: 'DELETE', token: registered.access_token })).status).toBe(204);
    await expectError(await loginAs(registered.email, registered.password), 401, 'invalid_credentials');
    const link = await api('/api/v1/auth/request-magic-link', { method: 'POST', json: { email: registered.email } });
    expect(link.status).toBe(202);
  });
});
