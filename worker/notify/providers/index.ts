import { settings } from '../../lib/settings';
import { resend, resendConfigured } from './resend';
import { twilio, twilioConfigured } from './twilio';
import type { NotificationRow, Provider, SendResult } from './types';
import { vapidConfigured, webPush } from './web-push';
import { log } from '../../lib/log';

/**
 * Local development without provider keys: the message is only recorded (status `sent`,
 * provider `outbox`) and logged, and an admin reads it at GET /api/v1/admin/notifications.
 */
export const outbox: Provider = {
  name: 'outbox',
  async send(row: NotificationRow, { env }): Promise<SendResult> {
    if (settings(env).APP_ENV === 'development') {
      // Local demo: codes and links readable in the terminal.
      console.log(
        `\n📬 outbox ${row.channel} to ${row.recipient}${row.subject ? ` — ${row.subject}` : ''}\n${row.body}\n`,
      );
    } else {
      log.info({
        msg: 'outbox message (no provider configured)',
        channel: row.channel,
        kind: row.kind,
        notification_id: row.id,
      });
    }
    return { provider: 'outbox', provider_message_id: `outbox-${row.id}` };
  },
};

/** The provider for a channel: the real one when its keys are set, else the outbox. */
export function providerFor(env: Env, channel: NotificationRow['channel']): Provider {
  if (channel === 'sms' && twilioConfigured(env)) return twilio;
  if (channel === 'email' && resendConfigured(env)) return resend;
  if (channel === 'push' && vapidConfigured(env)) return webPush;
  return outbox;
}
