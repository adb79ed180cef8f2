import { eq } from 'drizzle-orm';
import * as t from '../../../db/schema';
import { isUrgent } from '../templates';
import { buildPushRequest, pushTopic } from '../web-push';
import { errorFromResponse, ProviderError, providerFetch } from './types';
import type { NotificationRow, Provider, SendContext, SendResult } from './types';

type VapidEnv = Pick<Env, 'VAPID_PUBLIC_KEY' | 'VAPID_PRIVATE_KEY' | 'VAPID_SUBJECT'>;

export function vapidConfigured(env: Partial<VapidEnv>): boolean {
  return !!(env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY);
}

/** What the service worker receives (web app: `self.addEventListener('push', …)`). */
export interface PushPayload {
  title: string;
  body: string;
  kind: string;
  job_id: string | null;
  /** Where a tap on the notification should lead. */
  url: string;
}

export function pushPayload(row: NotificationRow): PushPayload {
  return {
    title: row.subject ?? 'PlowDispatch',
    body: row.body,
    kind: row.kind,
    job_id: row.job_id,
    url: row.job_id ? `/driver/jobs/${row.job_id}` : '/driver',
  };
}

/**
 * Web Push to one of a driver's subscriptions (the row's recipient is the subscription
 * id). A subscription the push service no longer knows (404/410) is deleted and the row
 * fails without retries: the browser will subscribe again.
 */
export const webPush: Provider = {
  name: 'webpush',
  async send(row: NotificationRow, { env, db }: SendContext): Promise<SendResult> {
    const [sub] = row.recipient
      ? await db.select().from(t.push_subscriptions).where(eq(t.push_subscriptions.id, row.recipient)).limit(1)
      : [];
    if (!sub) throw new ProviderError('webpush', 'push subscription no longer exists', false);
    const urgent = isUrgent(row.kind);
    const request = await buildPushRequest(
      sub,
      pushPayload(row),
      {
        publicKey: env.VAPID_PUBLIC_KEY,
        privateKey: env.VAPID_PRIVATE_KEY,
        subject: env.VAPID_SUBJECT || 'mailto:admin@localhost',
      },
      {
        ttl: urgent ? 3600 : 24 * 3600,
        urgency: urgent ? 'high' : 'normal',
        topic: await pushTopic(row.idempotency_key),
      },
    );
    const res = await providerFetch('webpush', request.url, {
      method: 'POST',
      headers: request.headers,
      body: await request.arrayBuffer(),
    });
    if (res.status === 404 || res.status === 410) {
      await db.delete(t.push_subscriptions).where(eq(t.push_subscriptions.id, sub.id));
      throw new ProviderError('webpush', `subscription expired (HTTP ${res.status}); removed`, false);
    }
    if (!res.ok) throw await errorFromResponse('webpush', res);
    return { provider: 'webpush', provider_message_id: res.headers.get('location') };
  },
};
