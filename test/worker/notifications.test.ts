import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import { localParts, zonedInstant } from '../../worker/lib/zoned-time';
import { deliverNotification } from '../../worker/notify/deliver';
import { sendNow } from '../../worker/notify/send';
import { twilioSignature } from '../../worker/notify/webhook-signatures';
import { backoffSeconds, consumeNotifications, NOTIFY_MAX_RETRIES } from '../../worker/queues/notifications';
import { enqueueNotification } from '../../worker/services/notify-intents';
import { admin, driverStep, jobAt, newCustomer, newDriver, newJob, walkJob } from './fixtures';
import { api, call, expectError } from './helpers';
import { db, notificationsFor, setQuietHours, waitFor } from './background-fixtures';
import { emailsTo, recorded, script, smsTo } from './stand-in';

const BUSINESS = 'Granite State Plowing';
const INBOUND = 'http://plow.test/api/v1/webhooks/twilio/inbound';

/** A Twilio-signed form post, as Twilio would send it. */
async function twilioPost(url: string, params: Record<string, string>, signature?: string): Promise<Response> {
  const form = new URLSearchParams(params);
  const sig = signature ?? (await twilioSignature(env.TWILIO_AUTH_TOKEN, url, form));
  return api(new URL(url).pathname, {
    method: 'POST',
    body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig },
  });
}

/** A text `body` from `from` to the business number, as Twilio's signed inbound webhook delivers it. */
const textIn = (from: string, body: string, sid: string) =>
  twilioPost(INBOUND, { From: from, To: env.TWILIO_FROM_NUMBER, Body: body, MessageSid: sid });

const sentRow =
  (jobId: string, kind: string, channel = 'sms') =>
  async () => {
    const rows = await notificationsFor({ job_id: jobId, kind });
    return rows.find((r) => r.channel === channel && ['sent', 'delivered'].includes(r.status));
  };

let restoreQuietHours: () => Promise<void>;
beforeAll(async () => {
  // Deterministic whatever the hour: quiet hours are switched on only by the test about them.
  restoreQuietHours = await setQuietHours(null, null);
});
afterAll(async () => {
  await restoreQuietHours();
});

describe('job status notifications', () => {
  it('sends exactly one SMS, with the right text, to the customer when the driver is on the way', async () => {
    const { customer, driver, job } = await jobAt('assigned', {
      customer: { preferred_contact: 'sms' },
      driver: { full_name: 'Robin Plowright' },
    });
    await waitFor(sentRow(job.id, 'job_assigned'), { what: 'the assignment SMS' });
    await walkJob(job.id, driver, 'en_route');

    const row = await waitFor(sentRow(job.id, 'job_en_route'), { what: 'the en-route SMS' });
    expect(row).toMatchObject({
      recipient: customer.phone,
      provider: 'twilio',
      attempts: 1,
      user_id: customer.user_id,
    });
    expect(row.provider_message_id).toMatch(/^SM/);
    const texts = (await smsTo(customer.phone)).map((m) => m.body);
    expect(texts.filter((b) => b.includes('is on the way'))).toEqual([
      `${BUSINESS}: Robin is on the way to ${job.job_address}. Reply STOP to opt out.`,
    ]);
    // One per status change: assignment, then en route — nothing doubled, no email.
    expect(texts).toHaveLength(2);
    // Only the sign-up's own verification email went to them, none about the job.
    expect((await emailsTo(customer.email)).filter((m) => m.subject.startsWith(BUSINESS))).toEqual([]);
  });

  it('emails a customer who prefers email, with the outbox row’s idempotency key', async () => {
    const { customer, job } = await jobAt('arrived', { customer: { preferred_contact: 'email' } });
    const row = await waitFor(sentRow(job.id, 'job_arrived', 'email'), { what: 'the arrival email' });
    const mails = (await emailsTo(customer.email)).filter((m) => m.subject.includes('arrived'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`${BUSINESS}: your driver has arrived`);
    expect(mails[0]!.text).toContain(job.job_address);
    expect(mails[0]!.req.headers['idempotency-key']).toBe(row.idempotency_key);
    expect(mails[0]!.req.headers.authorization).toBe(`Bearer ${env.RESEND_API_KEY}`);
    expect(await smsTo(customer.phone)).toEqual([]);
  });

  it('does not tell a customer about a cancellation they made, but tells the assigned driver', async () => {
    const { customer, driver, job } = await jobAt('assigned', { customer: { preferred_contact: 'both' } });
    const res = await api(`/api/v1/jobs/${job.id}`, {
      method: 'DELETE',
      token: customer.token,
      json: { reason: 'Shoveled it myself' },
    });
    expect(res.status).toBe(200);
    const driverRow = await waitFor(
      async () =>
        (await notificationsFor({ job_id: job.id, kind: 'driver_job_cancelled' })).find((r) => r.status === 'sent'),
      { what: 'the driver’s cancellation notice' },
    );
    expect(driverRow.recipient).toBe(driver.phone);
    expect(await notificationsFor({ job_id: job.id, kind: 'job_cancelled' })).toEqual([]);
  });
});

/** Twilio answers each SMS to `phone` with the next of `statuses`, then as usual. */
function smsFails(phone: string, statuses: number[]) {
  return script({
    prefix: '/twilio',
    method: 'POST',
    match: phone,
    responses: statuses.map((status) => ({ status, body: { code: 20500, message: 'Twilio is down' } })),
  });
}

describe('retries, backoff and the dead-letter queue', () => {
  it('retries a provider that fails three times, then records the SMS sent on the fourth attempt', async () => {
    const customer = await newCustomer({ preferred_contact: 'sms' });
    const driver = await newDriver();
    const job = await newJob(customer);
    await smsFails(customer.phone, [500, 503, 500]);
    await walkJob(job.id, driver, 'assigned');
    const row = await waitFor(sentRow(job.id, 'job_assigned'), { what: 'the SMS after three failures' });
    expect(row.attempts).toBe(4);
    expect(row.last_error).toBeNull();
    const posts = await smsTo(customer.phone);
    expect(posts).toHaveLength(4);
    // Before each retry the consumer asked Twilio whether an earlier attempt got through.
    const lookups = await recorded('/twilio', (r) => r.method === 'GET' && r.query.To === customer.phone);
    expect(lookups.length).toBe(3);
  });

  it('asks the queue for exponentially growing delays, and dead-letters after the last retry', async () => {
    const customer = await newCustomer({ preferred_contact: 'sms' });
    await smsFails(customer.phone, Array(10).fill(503));
    const id = await db((d) =>
      enqueueNotification(d, {
        user_id: customer.user_id,
        kind: 'test_backoff',
        channel: 'sms',
        recipient: customer.phone,
        body: 'backoff probe',
        idempotency_key: `test:backoff:${customer.user_id}`,
      }),
    );
    // Driven by hand (createMessageBatch) with the production base delay of 30 s. The plugin's
    // getQueueResult records which messages were retried but not their delay, so the delay
    // each retry() asked for is read off the message itself.
    const prodEnv = { ...env, NOTIFY_RETRY_BASE_SECONDS: '30' } as Env;
    const delays: (number | undefined)[] = [];
    for (let attempt = 1; attempt <= NOTIFY_MAX_RETRIES + 1; attempt++) {
      const batch = createMessageBatch('plowdispatch-notifications', [
        { id: `m${attempt}`, timestamp: new Date(), attempts: attempt, body: { id } },
      ]);
      const message = batch.messages[0]!;
      const retry = message.retry.bind(message);
      message.retry = (opts?: QueueRetryOptions) => {
        delays.push(opts?.delaySeconds);
        retry(opts);
      };
      const ctx = createExecutionContext();
      await consumeNotifications(batch, prodEnv);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toEqual([{ msgId: `m${attempt}` }]);
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, undefined]);
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffSeconds(a, 30))).toEqual([30, 60, 120, 240, 480, 600]);
    const [row] = await notificationsFor({ user_id: customer.user_id, kind: 'test_backoff' });
    expect(row).toMatchObject({ status: 'failed', attempts: 6 });
    expect(row!.last_error).toContain('dead-letter');
  });

  it('moves a message whose provider always fails to the DLQ and marks the row dead — nothing silently dropped', async () => {
    const customer = await newCustomer({ preferred_contact: 'sms' });
    const driver = await newDriver();
    const job = await newJob(customer);
    await smsFails(customer.phone, Array(20).fill(500));
    await walkJob(job.id, driver, 'assigned');
    const dead = await waitFor(
      async () => (await notificationsFor({ job_id: job.id, kind: 'job_assigned' })).find((r) => r.status === 'dead'),
      {
        timeoutMs: 25_000,
        what: 'the row to be marked dead by the DLQ consumer',
      },
    );
    expect(dead.attempts).toBe(NOTIFY_MAX_RETRIES + 1);
    expect(dead.last_error).toMatch(/HTTP 500.*dead-letter/s);
    expect(await smsTo(customer.phone)).toHaveLength(NOTIFY_MAX_RETRIES + 1);

    // The admin outbox shows it, and an admin can send it again once Twilio is back.
    const adminToken = await admin();
    const list = await api(`/api/v1/admin/notifications?job_id=${job.id}&status=dead`, { token: adminToken });
    expect(((await list.json()) as { notifications: { id: string }[] }).notifications.map((n) => n.id)).toEqual([
      dead.id,
    ]);
    await script({ prefix: '/twilio', method: 'POST', match: customer.phone, responses: [] });
    const retry = await api(`/api/v1/admin/notifications/${dead.id}/retry`, { method: 'POST', token: adminToken });
    expect(retry.status).toBe(202);
    await waitFor(sentRow(job.id, 'job_assigned'), { what: 'the resent SMS' });
  });
});

describe('delivering a queue batch', () => {
  /** Outbox rows written straight to the table (not enqueued), for a batch driven by hand. */
  const rowsFor = (
    customer: { user_id: string; email: string },
    rows: { subject: string; status?: 'sent'; send_after?: Date }[],
  ) =>
    db(async (d) =>
      (
        await d
          .insert(t.notification_log)
          .values(
            rows.map((r) => ({
              user_id: customer.user_id,
              kind: 'test_batch',
              channel: 'email' as const,
              recipient: customer.email,
              subject: r.subject,
              body: `${r.subject} body`,
              idempotency_key: `test:batch:${customer.user_id}:${r.subject}`,
              status: r.status ?? ('queued' as const),
              send_after: r.send_after ?? null,
            })),
          )
          .returning({ id: t.notification_log.id })
      ).map((r) => r.id),
    );

  it('delivers each row of a batch once, acknowledges a copy of an id, and puts a held one back', async () => {
    const customer = await newCustomer();
    const [first, second, held, sentBefore] = await rowsFor(customer, [
      { subject: 'Batch one' },
      { subject: 'Batch two' },
      { subject: 'Batch held', send_after: new Date(Date.now() + 3_600_000) },
      { subject: 'Batch sent before', status: 'sent' },
    ]);
    const bodies = [first, second, first, held, sentBefore, crypto.randomUUID(), 'not-a-uuid'].map((id) => ({ id }));
    const batch = createMessageBatch(
      'plowdispatch-notifications',
      bodies.map((body, i) => ({ id: `b${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await consumeNotifications(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
    expect([...result.explicitAcks].sort()).toEqual(bodies.map((_, i) => `b${i}`));

    const rows = new Map(
      (await notificationsFor({ user_id: customer.user_id, kind: 'test_batch' })).map((r) => [r.subject, r]),
    );
    expect(rows.get('Batch one')).toMatchObject({ status: 'sent', attempts: 1, provider: 'resend' });
    expect(rows.get('Batch two')).toMatchObject({ status: 'sent', attempts: 1, provider: 'resend' });
    expect(rows.get('Batch one')!.provider_message_id).not.toBe(rows.get('Batch two')!.provider_message_id);
    expect(rows.get('Batch held')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(rows.get('Batch sent before')).toMatchObject({ status: 'sent', attempts: 0 });
    const subjects = (await emailsTo(customer.email)).map((m) => m.subject).sort();
    expect(subjects).toEqual(['Batch one', 'Batch two']);
  });
});

describe('SMS consent: STOP and START by text', () => {
  it('stops all SMS after STOP (email instead), and resumes after START', async () => {
    const customer = await newCustomer({ preferred_contact: 'sms' });
    const driver = await newDriver();
    const job = await newJob(customer);

    const stop = await textIn(customer.phone, 'Stop', 'SMinbound0001');
    expect(stop.status).toBe(200);
    expect(stop.headers.get('content-type')).toContain('text/xml');
    const [u] = await db((d) => d.select().from(t.users).where(eq(t.users.id, customer.user_id)));
    expect(u!.sms_opt_out_at).not.toBeNull();

    await walkJob(job.id, driver, 'en_route');
    await waitFor(sentRow(job.id, 'job_en_route', 'email'), { what: 'the fallback email' });
    const smsRows = (await notificationsFor({ job_id: job.id, user_id: customer.user_id })).filter(
      (r) => r.channel === 'sms',
    );
    expect(smsRows.map((r) => [r.kind, r.status, r.last_error])).toEqual([
      ['job_assigned', 'skipped', 'recipient replied STOP'],
      ['job_en_route', 'skipped', 'recipient replied STOP'],
    ]);
    expect(await smsTo(customer.phone)).toEqual([]);

    const start = await textIn(customer.phone, 'START', 'SMinbound0002');
    expect(start.status).toBe(200);
    expect((await driverStep(job.id, driver, 'arrived')).status).toBe(200);
    await waitFor(sentRow(job.id, 'job_arrived'), { what: 'an SMS after START' });
    expect((await smsTo(customer.phone)).map((m) => m.body)).toEqual([
      `${BUSINESS}: Your driver has arrived at ${job.job_address}. Reply STOP to opt out.`,
    ]);
  });

  it('refuses an unsigned or wrongly signed inbound webhook with 403', async () => {
    const customer = await newCustomer();
    const stop = { From: customer.phone, Body: 'STOP' };
    await expectError(
      await api('/api/v1/webhooks/twilio/inbound', {
        method: 'POST',
        body: new URLSearchParams(stop).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      403,
      'invalid_signature',
    );
    const forged = await twilioSignature('not-the-auth-token', INBOUND, new URLSearchParams(stop));
    // Signed for other parameters than those sent.
    const other = await twilioSignature(
      env.TWILIO_AUTH_TOKEN,
      INBOUND,
      new URLSearchParams({ ...stop, Body: 'START' }),
    );
    for (const signature of [forged, other])
      await expectError(await twilioPost(INBOUND, stop, signature), 403, 'invalid_signature');
    const [u] = await db((d) => d.select().from(t.users).where(eq(t.users.id, customer.user_id)));
    expect(u!.sms_opt_out_at).toBeNull();
  });
});

describe('quiet hours', () => {
  it('holds a non-urgent SMS until quiet hours end in the operator’s timezone, but not an urgent one', async () => {
    const customer = await newCustomer({ preferred_contact: 'both' });
    const driver = await newDriver();
    const job = await newJob(customer);
    const now = new Date();
    const local = localParts(now, 'America/New_York');
    const restore = await setQuietHours(local.hour, (local.hour + 2) % 24);
    try {
      await walkJob(job.id, driver, 'en_route');
    } finally {
      await restore();
    }
    const endsAt = zonedInstant('America/New_York', local.year, local.month, local.day, local.hour + 2);
    const rows = await notificationsFor({ job_id: job.id, kind: 'job_assigned' });
    const sms = rows.find((r) => r.channel === 'sms')!;
    expect(sms.status).toBe('queued');
    expect(new Date(sms.send_after!).toISOString()).toBe(endsAt.toISOString());
    // Email is not held, and "on the way" is urgent.
    await waitFor(sentRow(job.id, 'job_assigned', 'email'), { what: 'the assignment email' });
    await waitFor(sentRow(job.id, 'job_en_route'), { what: 'the urgent SMS' });
    const texts = (await smsTo(customer.phone)).map((m) => m.body);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('is on the way');
  });
});

describe('other senders', () => {
  it('tells a waitlisted customer by SMS that a driver picked their request up', async () => {
    const customer = await newCustomer({ preferred_contact: 'sms' });
    const entry = await db(async (d) => {
      const [row] = await d
        .insert(t.waitlist)
        .values({
          customer_id: customer.profile_id,
          job_address: '9 Waiting Way, Concord, NH 03301',
          job_coordinates: { lat: 43.2031, lng: -71.5401 },
        })
        .returning();
      return row!;
    });
    const taken = await call('POST', `/api/v1/waitlist/${entry.id}/take`, (await newDriver()).token);
    expect(taken.status).toBe(201);
    await waitFor(sentRow(taken.body.job.id, 'waitlist_promoted'), { what: 'the waitlist SMS' });
    expect((await smsTo(customer.phone)).map((m) => m.body)).toContainEqual(
      expect.stringContaining('a driver has picked up your waitlisted request for 9 Waiting Way'),
    );
  });

  it('sends a verification code at once through the same outbox (sendNow)', async () => {
    const customer = await newCustomer();
    const { id } = await db((d) =>
      sendNow(env, d, {
        user_id: customer.user_id,
        channel: 'email',
        recipient: customer.email,
        subject: 'Your code',
        body: 'Your code is 123456',
        kind: 'verify_email',
        idempotency_key: `verify:${customer.user_id}:1`,
      }),
    );
    expect(id).toBeTruthy();
    const mail = await waitFor(async () => (await emailsTo(customer.email)).find((m) => m.subject === 'Your code'), {
      what: 'the code email',
    });
    expect(mail.text).toBe('Your code is 123456');
  });

  it('records messages in the built-in outbox when a provider has no keys (local dev)', async () => {
    const customer = await newCustomer();
    const noKeys = { ...env, TWILIO_ACCOUNT_SID: '', RESEND_API_KEY: '' } as Env;
    const id = await db((d) =>
      enqueueNotification(d, {
        user_id: customer.user_id,
        kind: 'test_outbox',
        channel: 'sms',
        recipient: customer.phone,
        body: 'hello from dev',
        idempotency_key: `test:outbox:${customer.user_id}`,
      }),
    );
    const outcome = await db((d) => deliverNotification(noKeys, d, id!, { finalAttempt: false }));
    expect(outcome).toEqual({ kind: 'done', status: 'sent' });
    const [row] = await notificationsFor({ user_id: customer.user_id, kind: 'test_outbox' });
    expect(row).toMatchObject({ status: 'sent', provider: 'outbox', attempts: 1 });
    expect(await smsTo(customer.phone)).toEqual([]);
  });
});
