import { Hono } from 'hono';
import { and, eq } from 'drizzle-orm';
import { PushSubscriptionBody, PushUnsubscribeBody } from '../../contract/background';
import * as t from '../../db/schema';
import { ApiError } from '../lib/errors';
import { readJson } from '../lib/validate';
import type { AppEnv } from '../types';

/** Web Push subscriptions of the signed-in user's devices (drivers' assignment alerts). */
export const push = new Hono<AppEnv>();

/** The browser needs this as `applicationServerKey`; null when push is not configured. */
push.get('/vapid-public-key', (c) => c.json({ public_key: c.env.VAPID_PUBLIC_KEY || null }));

/**
 * Saves `PushSubscription.toJSON()`. An endpoint is one browser install: subscribing again
 * (new keys, or another account signing in on the same phone) replaces the old row.
 */
push.post('/subscriptions', async (c) => {
  const body = await readJson(c, PushSubscriptionBody);
  if ((c.env.APP_ENV as string) === 'production' && !body.endpoint.startsWith('https://')) {
    throw new ApiError(400, 'validation_failed', 'A push endpoint must be an https URL.', [
      { field: 'endpoint', message: 'must be https' },
    ]);
  }
  const userId = c.var.user.sub;
  const [row] = await c.var.db
    .insert(t.push_subscriptions)
    .values({ user_id: userId, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth })
    .onConflictDoUpdate({
      target: t.push_subscriptions.endpoint,
      set: { user_id: userId, p256dh: body.keys.p256dh, auth: body.keys.auth },
    })
    .returning({
      id: t.push_subscriptions.id,
      endpoint: t.push_subscriptions.endpoint,
      created_at: t.push_subscriptions.created_at,
    });
  return c.json({ subscription: row }, 201);
});

/** Forgets one of the caller's subscriptions (sign-out on that device). Idempotent. */
push.delete('/subscriptions', async (c) => {
  const body = await readJson(c, PushUnsubscribeBody);
  await c.var.db
    .delete(t.push_subscriptions)
    .where(and(eq(t.push_subscriptions.endpoint, body.endpoint), eq(t.push_subscriptions.user_id, c.var.user.sub)));
  return c.body(null, 204);
});
