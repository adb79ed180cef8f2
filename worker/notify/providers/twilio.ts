import { settings } from '../../lib/settings';
import { publicBaseUrl } from '../public-url';
import { errorFromResponse, ProviderError, providerFetch } from './types';
import type { NotificationRow, Provider, SendContext, SendResult } from './types';

/** Twilio statuses of a message that went (or is going) out: do not send it again. */
const ALIVE = new Set(['accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'read']);

/** Twilio error 21610: the recipient replied STOP; Twilio refuses until they reply START. */
export const TWILIO_UNSUBSCRIBED = 21610;

export function twilioConfigured(env: Env): boolean {
  const cfg = settings(env);
  return !!(cfg.TWILIO_ACCOUNT_SID && cfg.TWILIO_AUTH_TOKEN && cfg.TWILIO_FROM_NUMBER);
}

function accountUrl(env: Env): string {
  const cfg = settings(env);
  return `${cfg.TWILIO_API_URL.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(cfg.TWILIO_ACCOUNT_SID ?? '')}`;
}

function headers(env: Env): Record<string, string> {
  const cfg = settings(env);
  return { authorization: `Basic ${btoa(`${cfg.TWILIO_ACCOUNT_SID}:${cfg.TWILIO_AUTH_TOKEN}`)}` };
}

/**
 * Twilio's Messages API has no idempotency key. Before a retry we look for the message a
 * previous attempt may have created (the call succeeded but we never recorded it): same
 * number, same text, sent since the row was written. Found → adopt its sid, do not resend.
 */
async function findPrevious(env: Env, row: NotificationRow): Promise<SendResult | null> {
  const since = new Date(row.created_at.getTime() - 60_000).toISOString().slice(0, 10);
  const q = new URLSearchParams({ To: row.recipient ?? '', 'DateSent>': since, PageSize: '20' });
  const res = await providerFetch('twilio', `${accountUrl(env)}/Messages.json?${q}`, { headers: headers(env) });
  if (!res.ok) throw await errorFromResponse('twilio', res);
  const page = (await res.json()) as {
    messages?: { sid: string; body?: string; status?: string; direction?: string }[];
  };
  const match = page.messages?.find(
    (m) => m.body === row.body && ALIVE.has(m.status ?? '') && (m.direction ?? 'outbound-api').startsWith('outbound'),
  );
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
    const from = settings(env).TWILIO_FROM_NUMBER ?? '';
    // A Messaging Service SID (MG…) lets Twilio pick the sender; otherwise a number we own.
    form.set(from.startsWith('MG') ? 'MessagingServiceSid' : 'From', from);
    const base = publicBaseUrl(env);
    if (base) form.set('StatusCallback', `${base}/api/v1/webhooks/twilio/status`);
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
