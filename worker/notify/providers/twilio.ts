import { errorFromResponse, ProviderError, providerFetch, type NotificationRow, type Provider, type SendContext, type SendResult } from './types';

const TWILIO_API = 'https://api.twilio.com';
/** Twilio statuses of a message that went (or is going) out: do not send it again. */
const ALIVE = new Set(['accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'read']);

/** Twilio error 21610: the recipient replied STOP; Twilio refuses until they reply START. */
export const TWILIO_UNSUBSCRIBED = 21610;

type TwilioEnv = Pick<Env, 'TWILIO_ACCOUNT_SID' | 'TWILIO_AUTH_TOKEN' | 'TWILIO_FROM_NUMBER' | 'TWILIO_API_URL' | 'PUBLIC_BASE_URL'>;

export function twilioConfigured(env: Partial<TwilioEnv>): boolean {
  return !!(env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && env.TWILIO_FROM_NUMBER);
}

function accountUrl(env: TwilioEnv): string {
  return `${(env.TWILIO_API_URL || TWILIO_API).replace(/\/$/, '')}/2010-04-01/Accounts/${env.TWILIO_ACCOUNT_SID}`;
}

function headers(env: TwilioEnv): Record<string, string> {
  return { authorization: `Basic ${btoa(`${env.TWILIO_ACCOUNT_SID}:${env.TWILIO_AUTH_TOKEN}`)}` };
}

/**
 * Twilio's Messages API has no idempotency key. Before a retry we look for the message a
 * previous attempt may have created (the call succeeded but we never recorded it): same
 * number, same text, sent since the row was written. Found → adopt its sid, do not resend.
 */
async function findPrevious(env: TwilioEnv, row: NotificationRow): Promise<SendResult | null> {
  const since = new Date(row.created_at.getTime() - 60_000).toISOString().slice(0, 10);
  const q = new URLSearchParams({ To: row.recipient ?? '', 'DateSent>': since, PageSize: '20' });
  const res = await providerFetch('twilio', `${accountUrl(env)}/Messages.json?${q}`, { headers: headers(env) });
  if (!res.ok) throw await errorFromResponse('twilio', res);
  const page = (await res.json()) as { messages?: { sid: string; body?: string; status?: string; direction?: string }[] };
  const match = page.messages?.find((m) => m.body === row.body && ALIVE.has(m.status ?? '') && (m.direction ?? 'outbound-api').startsWith('outbound'));
  return match ? { provider: 'twilio', provider_message_id: match.sid } : null;
}

/** SMS through Twilio's REST API with fetch and Basic auth (the Node SDK does not run in workerd). */
export const twilio: Provider = {
  name: 'twilio',
  async send(row: NotificationRow, { env, attempt }: SendContext): Promise<SendResult> {
    if (!row.recipient) throw new ProviderError('twilio', 'no phone number', false);
    if (attempt > 1) {
      const previous = await findPrevious(env, row);
      if (previous) return previous;
    }
    const form = new URLSearchParams({ To: row.recipient, Body: row.body });
    // A Messaging Service SID (MG…) lets Twilio pick the sender; otherwise a number we own.
    form.set(env.TWILIO_FROM_NUMBER.startsWith('MG') ? 'MessagingServiceSid' : 'From', env.TWILIO_FROM_NUMBER);
    if (env.PUBLIC_BASE_URL) form.set('StatusCallback', `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/webhooks/twilio/status`);
    const res = await providerFetch('twilio', `${accountUrl(env)}/Messages.json`, {
      method: 'POST',
      headers: { ...headers(env), 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (!res.ok) throw await errorFromResponse('twilio', res);
    const json = (await res.json()) as { sid?: string };
    if (!json.sid) throw new ProviderError('twilio', 'answer without a message sid', true);
    return { provider: 'twilio', provider_message_id: json.sid };
  },
};
