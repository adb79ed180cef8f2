import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import * as t from '../../db/schema';
import { concatBytes, fromBase64Url, toBase64Url } from '../../worker/lib/base64url';
import { twilioSignature } from '../../worker/notify/webhook-signatures';
import { admin, jobAt, newCustomer, newDriver, newJob, walkJob } from './fixtures';
import { api, expectError, login, expectRefusal } from './helpers';
import { db, notificationsFor, waitFor } from './background-fixtures';
import { recorded } from './stand-in';

const enc = new TextEncoder();

/** A browser's push subscription: its own P-256 key pair and auth secret (RFC 8291 §2). */
async function browserSubscription() {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as CryptoKeyPair;
  const p256dh = new Uint8Array((await crypto.subtle.exportKey('raw', keys.publicKey)) as ArrayBuffer);
  const auth = crypto.getRandomValues(new Uint8Array(16));
  const endpoint = `${env.STAND_IN_URL}/push/${crypto.randomUUID()}`;
  return { keys, p256dh, auth, json: { endpoint, keys: { p256dh: toBase64Url(p256dh), auth: toBase64Url(auth) } } };
}

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, bytes: number) {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, bytes * 8));
}

/** What the browser does with an `aes128gcm` push message (RFC 8291 §3, RFC 8188 §2), written independently of the sender. */
async function decryptPush(body: Uint8Array, sub: Awaited<ReturnType<typeof browserSubscription>>): Promise<string> {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const asKey = await crypto.subtle.importKey('raw', asPublic, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const ecdh = { name: 'ECDH', public: asKey } as unknown as SubtleCryptoDeriveKeyAlgorithm;
  const secret = new Uint8Array(await crypto.subtle.deriveBits(ecdh, sub.keys.privateKey, 256));
  const ikm = await hkdf(sub.auth, secret, concatBytes(enc.encode('WebPush: info\0'), sub.p256dh, asPublic), 32);
  const cek = await hkdf(salt, ikm, enc.encode('Content-Encoding: aes128gcm\0'), 16);
  const nonce = await hkdf(salt, ikm, enc.encode('Content-Encoding: nonce\0'), 12);
  const key = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['decrypt']);
  const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce }, key, ciphertext));
  let end = plain.length - 1;
  while (end > 0 && plain[end] === 0) end--; // padding
  expect(plain[end]).toBe(0x02); // the last record's delimiter
  return new TextDecoder().decode(plain.subarray(0, end));
}

describe('POST /api/v1/push/subscriptions', () => {
  it('stores a driver’s subscription and delivers the assignment as an encrypted, VAPID-signed push', async () => {
    const driver = await newDriver({ full_name: 'Sam Push' });
    const sub = await browserSubscription();
    const saved = await api('/api/v1/push/subscriptions', {
      method: 'POST',
      token: driver.token,
      json: sub.json,
    });
    expect(saved.status).toBe(201);
    const customer = await newCustomer({ preferred_contact: 'email' });
    const job = await newJob(customer);
    await walkJob(job.id, driver, 'assigned');

    const path = new URL(sub.json.endpoint).pathname;
    const [req] = await waitFor(() => recorded(path).then((r) => (r.length ? r : null)), { what: 'the push request' });
    expect(req!.headers['content-encoding']).toBe('aes128gcm');
    expect(req!.headers.urgency).toBe('high');
    expect(Number(req!.headers.ttl)).toBeGreaterThan(0);
    expect(req!.headers.topic).toMatch(/^[\w-]{1,32}$/);
    const payload = JSON.parse(
      await decryptPush(
        Uint8Array.from(atob(req!.body_base64), (c) => c.charCodeAt(0)),
        sub,
      ),
    );
    expect(payload).toMatchObject({
      title: 'New job assigned',
      kind: 'driver_job_assigned',
      job_id: job.id,
      url: `/driver/jobs/${job.id}`,
    });
    expect(payload.body).toContain(job.job_address);

    // VAPID (RFC 8292): an ES256 JWT for the push service's origin, verifiable with our public key.
    const m = /^vapid t=([\w-]+)\.([\w-]+)\.([\w-]+), k=([\w-]+)$/.exec(req!.headers.authorization ?? '');
    expect(m).not.toBeNull();
    const [, h, c, s, k] = m!;
    expect(k).toBe(env.VAPID_PUBLIC_KEY);
    const claims = JSON.parse(new TextDecoder().decode(fromBase64Url(c!)));
    expect(claims).toMatchObject({ aud: new URL(env.STAND_IN_URL).origin, sub: env.VAPID_SUBJECT });
    expect(claims.exp - Date.now() / 1000).toBeLessThanOrEqual(24 * 3600);
    const vapidKey = await crypto.subtle.importKey(
      'raw',
      fromBase64Url(k!),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    expect(
      await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        vapidKey,
        fromBase64Url(s!),
        enc.encode(`${h}.${c}`),
      ),
    ).toBe(true);

    const row = await waitFor(
      async () =>
        (await notificationsFor({ job_id: job.id, kind: 'driver_job_assigned' })).find((r) => r.status === 'sent'),
      { what: 'the push row' },
    );
    expect(row).toMatchObject({ channel: 'push', provider: 'webpush' });
    expect(await notificationsFor({ job_id: job.id, user_id: driver.user_id })).toHaveLength(1); // push only, no SMS
  });

  it('drops a subscription the push service reports gone (410) and records the failure', async () => {
    const driver = await newDriver();
    const sub = await browserSubscription();
    await api('/api/v1/push/subscriptions', { method: 'POST', token: driver.token, json: sub.json });
    await fetch(`${env.STAND_IN_URL}/__script`, {
      method: 'POST',
      body: JSON.stringify({ prefix: new URL(sub.json.endpoint).pathname, responses: [{ status: 410, body: {} }] }),
    });
    const job = await newJob(await newCustomer({ preferred_contact: 'none' }));
    await walkJob(job.id, driver, 'assigned');
    const row = await waitFor(
      async () =>
        (await notificationsFor({ job_id: job.id, kind: 'driver_job_assigned' })).find((r) => r.status === 'failed'),
      { what: 'the failed push' },
    );
    expect(row.last_error).toContain('410');
    expect(
      await db((d) => d.select().from(t.push_subscriptions).where(eq(t.push_subscriptions.user_id, driver.user_id))),
    ).toEqual([]);
  });

  it('refuses a malformed subscription with 400 and lets the owner delete theirs', async () => {
    const driver = await newDriver();
    await expectRefusal(400, 'validation_failed', 'POST', '/api/v1/push/subscriptions', driver.token, {
      endpoint: 'not a url',
      keys: {},
    });
    const sub = await browserSubscription();
    await api('/api/v1/push/subscriptions', { method: 'POST', token: driver.token, json: sub.json });
    const del = await api('/api/v1/push/subscriptions', {
      method: 'DELETE',
      token: driver.token,
      json: { endpoint: sub.json.endpoint },
    });
    expect(del.status).toBe(204);
    expect(
      await db((d) =>
        d.select().from(t.push_subscriptions).where(eq(t.push_subscriptions.endpoint, sub.json.endpoint)),
      ),
    ).toEqual([]);
    const key = await api('/api/v1/push/vapid-public-key');
    expect(await key.json()).toEqual({ public_key: env.VAPID_PUBLIC_KEY });
  });
});

describe('provider delivery webhooks', () => {
  it('marks an SMS delivered from Twilio’s signed status callback', async () => {
    // En route is urgent: not held by quiet hours whatever the hour.
    const { customer, job } = await jobAt('en_route', { customer: { preferred_contact: 'sms' } });
    const row = await waitFor(
      async () => (await notificationsFor({ job_id: job.id, kind: 'job_en_route' })).find((r) => r.status === 'sent'),
      { what: 'the SMS' },
    );
    const url = 'http://plow.test/api/v1/webhooks/twilio/status';
    const form = new URLSearchParams({
      MessageSid: row.provider_message_id!,
      MessageStatus: 'delivered',
      To: customer.phone,
      AccountSid: env.TWILIO_ACCOUNT_SID,
    });
    const unsigned = await api('/api/v1/webhooks/twilio/status', {
      method: 'POST',
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await expectError(unsigned, 403, 'invalid_signature');
    const res = await api('/api/v1/webhooks/twilio/status', {
      method: 'POST',
      body: form.toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': await twilioSignature(env.TWILIO_AUTH_TOKEN, url, form),
      },
    });
    expect(res.status).toBe(204);
    const [after] = await db((d) => d.select().from(t.notification_log).where(eq(t.notification_log.id, row.id)));
    expect(after).toMatchObject({ status: 'delivered' });
    expect(after!.delivered_at).toBeInstanceOf(Date);
  });

  it('marks an email bounced from Resend’s Svix-signed webhook, and refuses a bad signature', async () => {
    const customer = await newCustomer({ preferred_contact: 'email' });
    const job = await newJob(customer);
    await walkJob(job.id, await newDriver(), 'assigned');
    const row = await waitFor(
      async () =>
        (await notificationsFor({ job_id: job.id, kind: 'job_assigned' })).find(
          (r) => r.status === 'sent' && r.channel === 'email',
        ),
      { what: 'the email' },
    );
    const body = JSON.stringify({
      type: 'email.bounced',
      created_at: new Date().toISOString(),
      data: { email_id: row.provider_message_id, to: [customer.email], bounce: { message: 'Mailbox does not exist' } },
    });
    const id = `msg_${crypto.randomUUID()}`;
    const ts = String(Math.floor(Date.now() / 1000));
    const key = fromBase64Url(env.RESEND_WEBHOOK_SECRET.slice('whsec_'.length));
    const hmac = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const sig = btoa(
      String.fromCharCode(...new Uint8Array(await crypto.subtle.sign('HMAC', hmac, enc.encode(`${id}.${ts}.${body}`)))),
    );
    const send = (signature: string) =>
      api('/api/v1/webhooks/resend', {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'svix-id': id,
          'svix-timestamp': ts,
          'svix-signature': signature,
        },
      });
    await expectError(await send(`v1,${btoa('not the signature, not at all....')}`), 403, 'invalid_signature');
    expect((await send(`v1,bogus v1,${sig}`)).status).toBe(200);
    const [after] = await db((d) => d.select().from(t.notification_log).where(eq(t.notification_log.id, row.id)));
    expect(after).toMatchObject({ status: 'failed', last_error: 'Resend: bounced — Mailbox does not exist' });
  });
});

describe('GET /api/v1/admin/notifications', () => {
  it('pages an admin through the outbox, newest first, and is closed to everyone else', async () => {
    const { customer, job } = await jobAt('en_route', { customer: { preferred_contact: 'both' } });
    // Rows are written with the transitions (some SMS may be held for quiet hours: they are listed all the same).
    expect(await notificationsFor({ job_id: job.id })).toHaveLength(5);
    const token = await admin();
    const seen: { id: string; kind: string; created_at: string }[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(
        `/api/v1/admin/notifications?job_id=${job.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token },
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as {
        notifications: { id: string; kind: string; created_at: string }[];
        next_cursor: string | null;
      };
      seen.push(...page.notifications);
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen.map((n) => n.id)).size).toBe(5);
    expect(seen.map((n) => n.created_at)).toEqual([...seen.map((n) => n.created_at)].sort().reverse());
    expect(new Set(seen.map((n) => n.kind))).toEqual(new Set(['job_assigned', 'driver_job_assigned', 'job_en_route']));

    const sms = await api(`/api/v1/admin/notifications?job_id=${job.id}&channel=sms`, { token });
    expect(((await sms.json()) as { notifications: unknown[] }).notifications).toHaveLength(3);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/admin/notifications?limit=0', token);
    await expectRefusal(400, 'validation_failed', 'GET', '/api/v1/admin/notifications?cursor=nope', token);
    await expectRefusal(403, 'forbidden', 'GET', '/api/v1/admin/notifications', customer.token);
    await expectRefusal(
      403,
      'forbidden',
      'GET',
      '/api/v1/admin/notifications',
      (await login('driver1@demo.test')).access_token,
    );
  });
});
