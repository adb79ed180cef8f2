import { Hono, type Context } from 'hono';
import { and, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import { ResendEvent } from '../../contract/background';
import * as t from '../../db/schema';
import { ApiError } from '../lib/errors';
import { TWILIO_UNSUBSCRIBED } from '../notify/providers/twilio';
import { applyKeyword, keywordOf } from '../notify/sms-consent';
import { verifySvixSignature, verifyTwilioSignature } from '../notify/webhook-signatures';
import type { AppEnv } from '../types';
import { log } from '../lib/log';

/** Provider callbacks: public routes, each authenticated by the provider's signature. */
export const webhooks = new Hono<AppEnv>();

const MAX_WEBHOOK_BYTES = 64 * 1024;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

const invalidSignature = () => new ApiError(403, 'invalid_signature', 'The request signature is missing or wrong.');

/** Reads a Twilio form post and checks X-Twilio-Signature; unsigned or forged → 403. */
async function twilioForm(c: Context<AppEnv>): Promise<URLSearchParams> {
  const raw = await c.req.text();
  if (raw.length > MAX_WEBHOOK_BYTES) throw new ApiError(413, 'payload_too_large', 'Webhook body too large.');
  const params = new URLSearchParams(raw);
  const ok = await verifyTwilioSignature(
    c.env.TWILIO_AUTH_TOKEN,
    c.req.url,
    params,
    c.req.header('x-twilio-signature'),
  );
  if (!ok) throw invalidSignature();
  return params;
}

/**
 * Incoming SMS to our number. STOP (and Twilio's other opt-out words) records the opt-out
 * and no further SMS goes to that phone; START records consent. Answered with empty TwiML:
 * Twilio's Advanced Opt-Out sends the carrier-required confirmation itself.
 */
webhooks.post('/twilio/inbound', async (c) => {
  const params = await twilioForm(c);
  const from = params.get('From') ?? '';
  const keyword = keywordOf(params.get('Body') ?? '');
  const affected = await applyKeyword(c.var.db, from, keyword);
  log.info({
    msg: 'inbound sms',
    keyword,
    matched_users: affected,
    message_sid: params.get('MessageSid'),
  });
  return c.body(EMPTY_TWIML, 200, { 'content-type': 'text/xml' });
});

/** Twilio's delivery status callback (StatusCallback set on every send). */
webhooks.post('/twilio/status', async (c) => {
  const params = await twilioForm(c);
  const sid = params.get('MessageSid') ?? params.get('SmsSid');
  const status = params.get('MessageStatus') ?? params.get('SmsStatus');
  if (!sid || !status) return c.body(null, 204);
  const where = and(eq(t.notification_log.provider, 'twilio'), eq(t.notification_log.provider_message_id, sid));
  if (status === 'delivered' || status === 'read') {
    await c.var.db
      .update(t.notification_log)
      .set({ status: 'delivered', delivered_at: new Date() })
      .where(and(where, inArray(t.notification_log.status, ['sent', 'queued'])));
  } else if (status === 'undelivered' || status === 'failed') {
    const code = params.get('ErrorCode');
    const [row] = await c.var.db
      .update(t.notification_log)
      .set({ status: 'failed', last_error: `Twilio reported ${status}${code ? ` (error ${code})` : ''}` })
      .where(and(where, inArray(t.notification_log.status, ['sent', 'queued', 'delivered'])))
      .returning({ user_id: t.notification_log.user_id });
    if (Number(code) === TWILIO_UNSUBSCRIBED && row?.user_id) {
      await c.var.db.update(t.users).set({ sms_opt_out_at: new Date() }).where(eq(t.users.id, row.user_id));
    }
  }
  return c.body(null, 204);
});

/**
 * Resend's delivery events (signed by Svix). Delivered → `delivered`; bounced, complained
 * or failed → `failed` with the reason; everything else is acknowledged and ignored.
 */
webhooks.post('/resend', async (c) => {
  const raw = await c.req.text();
  if (raw.length > MAX_WEBHOOK_BYTES) throw new ApiError(413, 'payload_too_large', 'Webhook body too large.');
  const ok = await verifySvixSignature(
    c.env.RESEND_WEBHOOK_SECRET,
    {
      id: c.req.header('svix-id'),
      timestamp: c.req.header('svix-timestamp'),
      signature: c.req.header('svix-signature'),
    },
    raw,
  );
  if (!ok) throw invalidSignature();
  let event: z.infer<typeof ResendEvent>;
  try {
    event = ResendEvent.parse(JSON.parse(raw));
  } catch {
    throw new ApiError(400, 'malformed_event', 'Not a Resend event.');
  }
  const where = and(
    eq(t.notification_log.provider, 'resend'),
    eq(t.notification_log.provider_message_id, event.data.email_id),
  );
  if (event.type === 'email.delivered') {
    await c.var.db
      .update(t.notification_log)
      .set({ status: 'delivered', delivered_at: new Date() })
      .where(and(where, inArray(t.notification_log.status, ['sent', 'queued'])));
  } else if (event.type === 'email.bounced' || event.type === 'email.complained' || event.type === 'email.failed') {
    const detail =
      (event.data as { bounce?: { message?: string }; failed?: { reason?: string } }).bounce?.message ??
      (event.data as { failed?: { reason?: string } }).failed?.reason;
    await c.var.db
      .update(t.notification_log)
      .set({
        status: 'failed',
        last_error: `Resend: ${event.type.slice('email.'.length)}${detail ? ` — ${detail}` : ''}`.slice(0, 1000),
      })
      .where(where);
  }
  return c.json({ ok: true });
});
