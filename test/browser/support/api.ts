import type { BrowserContext } from 'playwright-core';
import { DEMO_ADMIN_TOTP_SECRET, DEMO_PASSWORD } from '../../../scripts/lib/seed';
import { totpNow } from './totp';

/**
 * The API as the tests' own hands use it (not through a page): sign in, and read what the
 * server recorded (status history).
 */

export interface Tokens {
  user: { id: string; email: string; role: string; full_name: string };
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export class Api {
  constructor(readonly base: string) {}

  async json<T>(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /**
   * A driver of the test's own, invited by the admin and signed in through the invitation's
   * link: no other test's jobs or fixes touch them.
   */
  async inviteDriver(adminToken: string, fullName: string): Promise<{ tokens: Tokens; driverId: string }> {
    const email = `${fullName.toLowerCase().replace(/\W+/g, '.')}.${Date.now()}@demo.test`;
    const invited = await this.json<{ invite: { user_id: string } }>('POST', '/admin/invites', adminToken, {
      email,
      full_name: fullName,
      role: 'driver',
    });
    if (invited.status !== 201)
      throw new Error(`invite ${fullName}: ${invited.status} ${JSON.stringify(invited.body)}`);
    const outbox = await this.json<{ notifications: { body: string }[] }>(
      'GET',
      `/admin/notifications?user_id=${invited.body.invite.user_id}`,
      adminToken,
    );
    const token = outbox.body.notifications
      .map((n) => /accept-invite[#?]token=([\w-]+)/.exec(n.body)?.[1])
      .find(Boolean);
    if (!token) throw new Error(`no invitation link for ${fullName} in the outbox`);
    const accepted = await this.json<Tokens>('POST', '/auth/accept-invite', undefined, {
      token,
      password: DEMO_PASSWORD,
    });
    if (accepted.status !== 200) throw new Error(`accept invite ${fullName}: ${accepted.status}`);
    const me = await this.json<{ driver: { id: string } }>('GET', '/drivers/me', accepted.body.access_token);
    return { tokens: accepted.body, driverId: me.body.driver.id };
  }

  /**
   * Assigns a job to a driver and walks it to completed through the driver's own steps. The
   * dispatcher waives the job's "After" photo first, as an office does for work it saw done.
   */
  async completeJob(jobId: string, adminToken: string, driverToken: string): Promise<void> {
    const { body: me } = await this.json<{ driver: { id: string } }>('GET', '/drivers/me', driverToken);
    await this.json('PATCH', '/drivers/me/status', driverToken, { status: 'available' });
    const steps: [string, string, string, unknown][] = [
      ['PATCH', `/jobs/${jobId}`, adminToken, { after_photo_required: false }],
      ['POST', `/jobs/${jobId}/assign`, adminToken, { driver_id: me.driver.id }],
      ...['en_route', 'arrived', 'in_progress', 'completed'].map((status): [string, string, string, unknown] => [
        'PATCH',
        `/drivers/me/jobs/${jobId}/status`,
        driverToken,
        { status },
      ]),
    ];
    for (const [method, path, token, body] of steps) {
      const res = await this.json(method, path, token, body);
      if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }

  /** A customer's request at their first saved location, on the `tierIndex`-th driveway tier; the new job's id. */
  async requestJob(customerToken: string, tierIndex: number, extra: Record<string, unknown> = {}): Promise<string> {
    const { body: locs } = await this.json<{ locations: { id: string }[] }>(
      'GET',
      '/customers/me/locations',
      customerToken,
    );
    const { body: tiers } = await this.json<{ tiers: { id: number }[] }>('GET', '/pricing/tiers');
    const created = await this.json<{ job?: { id: string } }>('POST', '/jobs', customerToken, {
      location_id: locs.locations[0]!.id,
      driveway_tier_id: tiers.tiers[tierIndex]!.id,
      ...extra,
    });
    if (!created.body?.job) throw new Error(`job not created: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.job.id;
  }

  /**
   * One GPS fix from the driver's phone, over the driver's own socket; resolves once
   * acknowledged (or after 5 s). `recordedAt` backdates it (a fix the phone kept offline).
   */
  async sendFix(
    token: string,
    eventId: string,
    at: { lat: number; lng: number } = { lat: 43.2185, lng: -71.5101 },
    recordedAt = new Date(),
  ) {
    await new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/ws?token=${token}`);
      const done = () => (ws.close(), resolve());
      ws.onopen = () =>
        ws.send(
          JSON.stringify({
            type: 'location_ping',
            payload: { ...at, accuracy: 9, recorded_at: recordedAt.toISOString(), client_event_id: eventId },
          }),
        );
      ws.onmessage = (e) => {
        if (String(e.data).includes('"ack"')) done();
      };
      ws.onerror = () => reject(new Error('driver socket failed'));
      setTimeout(done, 5000);
    });
  }

  async login(email: string, totp = false): Promise<Tokens> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await this.json<Tokens & { error?: { code: string } }>('POST', '/auth/login', undefined, {
        email,
        password: DEMO_PASSWORD,
        ...(totp ? { totp_code: totpNow(DEMO_ADMIN_TOTP_SECRET) } : {}),
      });
      if (res.status === 200) return res.body;
      // A TOTP code is good once: wait for the next 30-second window and try again.
      if (totp && res.body?.error?.code?.startsWith('totp')) {
        await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 500));
        continue;
      }
      throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    throw new Error(`login ${email}: no fresh TOTP window`);
  }
}

/** The localStorage entry an app keeps its session in (web/src/lib/session.ts). */
export function sessionEntry(app: 'customer' | 'driver' | 'admin', t: Tokens): [string, string] {
  return [
    `plowdispatch.session.${app}`,
    JSON.stringify({
      user: t.user,
      access_token: t.access_token,
      refresh_token: t.refresh_token,
      expires_at: Date.now() + t.expires_in * 1000,
    }),
  ];
}

/**
 * Signs a browser context in as `tokens` before any of its pages loads. `plane` picks the
 * tile-free map, where a click lands where the test aims, with or without WebGL. `once`
 * writes the session only while the app holds none, so a token the app has refreshed since
 * is kept across page loads.
 */
export async function signIn(
  context: BrowserContext,
  app: 'customer' | 'driver' | 'admin',
  tokens: Tokens,
  { plane = false, once = false } = {},
): Promise<void> {
  const [key, value] = sessionEntry(app, tokens);
  const write = `localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(value)});`;
  const map = plane ? " localStorage.setItem('plowdispatch.map', 'plane');" : '';
  await context.addInitScript({
    content: `${once ? `if (!localStorage.getItem(${JSON.stringify(key)})) ` : ''}${write}${map}`,
  });
}
