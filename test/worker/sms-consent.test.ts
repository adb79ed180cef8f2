import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { SMS_CONSENT_TEXT } from '../../contract/sms-consent';
import * as t from '../../db/schema';
import { twilioSignature } from '../../worker/notify/webhook-signatures';
import {
  concordAddress,
  driverStep,
  newCustomer,
  newDriver,
  newJob,
  uniqueEmail,
  uniquePhone,
  walkJob,
} from './fixtures';
import { api, call } from './helpers';
import { db, notificationsFor, setQuietHours, waitFor } from './background-fixtures';
import { linkToken, smsTo, waitForEmail } from './stand-in';

const INBOUND = 'http://plow.test/api/v1/webhooks/twilio/inbound';
const IP = '203.0.113.41';

let restoreQuietHours: () => Promise<void>;
beforeAll(async () => {
  restoreQuietHours = await setQuietHours(null, null);
});
afterAll(async () => {
  await restoreQuietHours();
});

async function userRow(userId: string) {
  const [u] = await db((d) => d.select().from(t.users).where(eq(t.users.id, userId)));
  return u!;
}

/** The customer's SMS row for one status message, once it is sent or skipped. */
function settledSms(jobId: string, kind: string) {
  return waitFor(
    async () =>
      (await notificationsFor({ job_id: jobId, kind })).find(
        (r) => r.channel === 'sms' && ['sent', 'delivered', 'skipped'].includes(r.status),
      ),
    { what: `the ${kind} SMS row` },
  );
}

async function stop(phone: string): Promise<void> {
  const form = new URLSearchParams({ From: phone, To: env.TWILIO_FROM_NUMBER, Body: 'STOP', MessageSid: 'SMstop' });
  const res = await api(new URL(INBOUND).pathname, {
    method: 'POST',
    body: form.toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': await twilioSignature(env.TWILIO_AUTH_TOKEN, INBOUND, form),
    },
  });
  expect(res.status).toBe(200);
}

describe('SMS consent at sign-up', () => {
  it('records the wording, time and IP; texts only once the phone is verified', async () => {
    const phone = uniquePhone();
    const email = uniqueEmail('consent');
    const before = Date.now();
    const res = await api('/api/v1/auth/register', {
      method: 'POST',
      headers: { 'cf-connecting-ip': IP },
      json: { email, password: `snow-${crypto.randomUUID()}`, full_name: 'Opted In', phone, sms_consent: true },
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as { access_token: string; user: { id: string } };
    const u = await userRow(session.user.id);
    expect(u.sms_consent_text).toBe(SMS_CONSENT_TEXT);
    expect(u.sms_consent_source).toBe(IP);
    expect(u.sms_consent_at!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    // The email confirmed (needed before a first job); texts wanted, a job under way, but
    // the number is not proven yet: skipped, with why.
    const link = linkToken(await waitForEmail(email, /confirm your email/i));
    expect((await api('/api/v1/auth/verify-email', { method: 'POST', json: { token: link } })).status).toBe(200);
    const token = session.access_token;
    expect((await call('PATCH', '/api/v1/customers/me', token, { preferred_contact: 'sms' })).status).toBe(200);
    const loc = await call('POST', '/api/v1/customers/me/locations', token, concordAddress('5 Consent Way'));
    expect(loc.status).toBe(201);
    const created = await call('POST', '/api/v1/jobs', token, {
      location_id: loc.body.location.id,
      driveway_tier_id: 1,
    });
    expect(created.status).toBe(201);
    const jobId = created.body.job.id as string;
    const driver = await newDriver();
    await walkJob(jobId, driver, 'assigned');
    expect(await settledSms(jobId, 'job_assigned')).toMatchObject({
      status: 'skipped',
      last_error: 'phone number not verified',
    });

    // The texted code proves the number; the next message goes out as a text.
    expect((await call('POST', '/api/v1/auth/request-phone-code', token, {})).status).toBe(202);
    const code = /\b(\d{6})\b/.exec((await smsTo(phone)).at(-1)?.body ?? '')![1]!;
    expect((await call('POST', '/api/v1/auth/verify-phone', token, { code })).status).toBe(200);
    expect((await driverStep(jobId, driver, 'en_route')).status).toBe(200);
    expect(await settledSms(jobId, 'job_en_route')).toMatchObject({ status: 'sent', recipient: phone });
  });

  it('stores no consent when the box is left unticked, and texts are skipped for that reason', async () => {
    const res = await api('/api/v1/auth/register', {
      method: 'POST',
      json: {
        email: uniqueEmail('noconsent'),
        password: `snow-${crypto.randomUUID()}`,
        full_name: 'Not Opted In',
        phone: uniquePhone(),
      },
    });
    expect(res.status).toBe(201);
    const { user } = (await res.json()) as { user: { id: string } };
    const u = await userRow(user.id);
    expect([u.sms_consent_at, u.sms_consent_source, u.sms_consent_text]).toEqual([null, null, null]);
  });
});

describe('SMS consent on the account page', () => {
  it('withdrawing stops texts, ticking again resumes them, and STOP still wins', async () => {
    const customer = await newCustomer({ preferred_contact: 'sms' });
    const driver = await newDriver();
    const job = await newJob(customer);

    const off = await call('PATCH', '/api/v1/customers/me', customer.token, { sms_consent: false });
    expect(off.status).toBe(200);
    expect(off.body.customer.sms_consent_at).toBeNull();
    await walkJob(job.id, driver, 'assigned');
    expect(await settledSms(job.id, 'job_assigned')).toMatchObject({ status: 'skipped', last_error: 'no SMS consent' });
    expect(await smsTo(customer.phone)).toEqual([]);

    const on = await call(
      'PATCH',
      '/api/v1/customers/me',
      customer.token,
      { sms_consent: true },
      {
        headers: { 'cf-connecting-ip': IP },
      },
    );
    expect(on.status).toBe(200);
    expect(on.body.customer.sms_consent_at).toEqual(expect.any(String));
    const u = await userRow(customer.user_id);
    expect([u.sms_consent_text, u.sms_consent_source]).toEqual([SMS_CONSENT_TEXT, IP]);
    expect((await driverStep(job.id, driver, 'en_route')).status).toBe(200);
    expect(await settledSms(job.id, 'job_en_route')).toMatchObject({ status: 'sent', recipient: customer.phone });

    // STOP by text is honoured, and ticking the box in the app does not override it.
    await stop(customer.phone);
    const again = await call('PATCH', '/api/v1/customers/me', customer.token, { sms_consent: true });
    expect(again.body.customer.sms_opt_out_at).toEqual(expect.any(String));
    expect((await driverStep(job.id, driver, 'arrived')).status).toBe(200);
    expect(await settledSms(job.id, 'job_arrived')).toMatchObject({
      status: 'skipped',
      last_error: 'recipient replied STOP',
    });
    expect((await smsTo(customer.phone)).filter((m) => m.body.includes('arrived'))).toEqual([]);
  });

  it('refuses a consent that is not true or false, changing nothing', async () => {
    const customer = await newCustomer();
    const res = await call('PATCH', '/api/v1/customers/me', customer.token, { sms_consent: 'yes' });
    expect(res.status).toBe(400);
    expect((await userRow(customer.user_id)).sms_consent_at).not.toBeNull();
  });
});
