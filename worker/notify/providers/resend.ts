import { settings } from '../../lib/settings';
import { errorFromResponse, ProviderError, providerFetch } from './types';
import type { NotificationRow, Provider, SendContext, SendResult } from './types';

/** Email needs an API key; the sender (EMAIL_FROM) and API URL have defaults (lib/settings.ts). */
export function resendConfigured(env: Env): boolean {
  return !!settings(env).RESEND_API_KEY;
}

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The plain-text body as simple HTML: paragraphs kept, links clickable. */
export function textToHtml(text: string): string {
  const html = escapeHtml(text)
    .replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`)
    .replaceAll('\n', '<br>\n');
  return `<div style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:16px;line-height:1.5">${html}</div>`;
}

/**
 * Email through Resend's REST API. The row's idempotency key goes in the `Idempotency-Key`
 * header: Resend answers a repeated key (within 24 h) with the first response instead of
 * sending again, so a retry after a lost response cannot duplicate the email.
 */
export const resend: Provider = {
  name: 'resend',
  async send(row: NotificationRow, { env }: SendContext): Promise<SendResult> {
    if (!row.recipient) throw new ProviderError('resend', 'no email address', false);
    const cfg = settings(env);
    const res = await providerFetch('resend', `${cfg.RESEND_API_URL.replace(/\/$/, '')}/emails`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${cfg.RESEND_API_KEY}`,
        'content-type': 'application/json',
        'idempotency-key': row.idempotency_key.slice(0, 256),
      },
      body: JSON.stringify({
        from: cfg.EMAIL_FROM,
        to: [row.recipient],
        subject: row.subject ?? '(no subject)',
        text: row.body,
        html: textToHtml(row.body),
        tags: [{ name: 'kind', value: row.kind.replace(/[^\w-]/g, '_') }],
      }),
    });
    if (!res.ok) throw await errorFromResponse('resend', res);
    const json = (await res.json()) as { id?: string };
    if (!json.id) throw new ProviderError('resend', 'answer without an email id', true);
    return { provider: 'resend', provider_message_id: json.id };
  },
};
