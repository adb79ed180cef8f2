import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../contract/enums';
import { ACCESS } from '../../worker/access';
import { app } from '../../worker/index';
import { authorizeTopic } from '../../worker/services/topics';
import type { SocketIdentity } from '../../durable-objects/socket-identity';
import { api, BASE, connect, db, login } from './helpers';
import { codeFor, loginAs, newAdmin, newDriver, registerCustomer } from './auth-helpers';
import { exports } from 'cloudflare:workers';

type Caller = 'anonymous' | Role;
const CALLERS: Caller[] = ['anonymous', ...ROLES];

/** Every route the app registers, as `METHOD /path` (middleware entries are method ALL). */
const REGISTERED = [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].sort();

/**
 * Probes run last when they could end the caller's own session: a body-less POST runs
 * its handler, and logout-all with the probe's token signs that probe user out.
 */
const RUN_LAST = new Set(['POST /api/v1/auth/logout-all']);

function expectedAllowed(key: string, caller: Caller): boolean {
  const access = ACCESS[key];
  if (access === undefined) return false;
  if (access === 'public') return true;
  return caller !== 'anonymous' && access.includes(caller);
}

/**
 * Whether the auth middleware turned the request away (vs. the handler answering, with
 * anything from 200 to a 4xx of its own). Its two refusals are exactly these.
 */
function deniedByMiddleware(status: number, body: { error?: { code?: string; message?: string } } | null): boolean {
  if (status === 401 && body?.error?.code === 'unauthorized') return true;
  return status === 403 && body?.error?.code === 'forbidden' && /not available to a|not allowed/.test(body.error.message ?? '');
}

describe('the route table (worker/access.ts)', () => {
  it('has an ACCESS entry for every route the app registers', () => {
    expect(REGISTERED.length).toBeGreaterThan(20);
    expect(REGISTERED.filter((key) => !(key in ACCESS))).toEqual([]);
  });

  it('has a registered route for every ACCESS entry', () => {
    expect(Object.keys(ACCESS).filter((key) => !REGISTERED.includes(key))).toEqual([]);
  });
});

describe('every route × every role', () => {
  const tokens: Partial<Record<Caller, string>> = {};

  beforeAll(async () => {
    // Fresh users, so a probe that ends a session (logout-all) touches nobody else.
    const demoAdmin = await login('admin@demo.test');
    const admin = await newAdmin(demoAdmin.access_token);
    const adminSession = await loginAs(admin.email, admin.password, await codeFor(admin.secret));
    tokens.admin = ((await adminSession.json()) as { access_token: string }).access_token;
    tokens.driver = (await newDriver(demoAdmin.access_token)).access_token;
    tokens.customer = (await registerCustomer({ verify: false })).access_token;
  }, 60_000);

  it('lets exactly the roles in ACCESS through the auth middleware, and no one through a route without an entry', async () => {
    const order = [...REGISTERED].sort((a, b) => Number(RUN_LAST.has(a)) - Number(RUN_LAST.has(b)));
    const mismatches: string[] = [];
    for (const key of order) {
      const [method, pattern] = key.split(' ') as [string, string];
      // Path parameters get a well-formed id nobody owns; bodies are malformed JSON so a
      // handler that is reached stops at validation instead of changing anything.
      const path = pattern.replace(/:(\w+)/g, () => crypto.randomUUID());
      for (const caller of CALLERS) {
        const init: RequestInit & { token?: string } = { method };
        if (caller !== 'anonymous') init.token = tokens[caller];
        if (method !== 'GET' && method !== 'HEAD') {
          init.headers = { 'content-type': 'application/json' };
          init.body = '{"probe": ';
        }
        const res = await api(path, init);
        const body = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as { error?: { code?: string; message?: string } }) : null;
        if (res.status >= 500) mismatches.push(`${key} as ${caller}: ${res.status} ${JSON.stringify(body)}`);
        const denied = deniedByMiddleware(res.status, body);
        const allowed = expectedAllowed(key, caller);
        if (allowed === denied) mismatches.push(`${key} as ${caller}: expected ${allowed ? 'allowed' : 'denied'}, got ${res.status} ${body?.error?.code ?? ''}`);
        if (!allowed && caller === 'anonymous' && !(res.status === 401 && body?.error?.code === 'unauthorized')) {
          mismatches.push(`${key} as anonymous: expected 401 unauthorized, got ${res.status}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});

describe("other users' resources answer 404", () => {
  it("hides a customer's job from another customer and from a driver it is not assigned to", async () => {
    const owner = await registerCustomer();
    const stranger = await registerCustomer({ verify: false });
    const driver = await newDriver();
    const loc = (await (await api('/api/v1/customers/me/locations', { method: 'POST', token: owner.access_token, json: { address_line1: '5 Own Rd', city: 'Concord', state_province: 'NH', postal_code: '03301', lat: 43.201, lng: -71.54 } })).json()) as { location: { id: string } };
    const { job } = (await (await api('/api/v1/jobs', { method: 'POST', token: owner.access_token, json: { location_id: loc.location.id, driveway_tier_id: 1 } })).json()) as { job: { id: string } };

    expect((await api(`/api/v1/jobs/${job.id}`, { token: owner.access_token })).status).toBe(200);
    for (const token of [stranger.access_token, driver.access_token]) {
      expect((await api(`/api/v1/jobs/${job.id}`, { token })).status).toBe(404);
      expect((await api(`/api/v1/jobs/${job.id}/status-history`, { token })).status).toBe(404);
    }
    expect((await api(`/api/v1/customers/me/jobs/${job.id}/driver-location`, { token: stranger.access_token })).status).toBe(404);
    expect((await api(`/api/v1/jobs/${job.id}`, { method: 'DELETE', token: stranger.access_token, json: {} })).status).toBe(404);
    expect((await api(`/api/v1/drivers/me/jobs/${job.id}/accept`, { method: 'POST', token: driver.access_token })).status).toBe(404);
    // A job id that does not exist looks exactly the same.
    const missing = await api(`/api/v1/jobs/${crypto.randomUUID()}`, { token: stranger.access_token });
    const hidden = await api(`/api/v1/jobs/${job.id}`, { token: stranger.access_token });
    expect(await hidden.json()).toEqual(await missing.json());
  });
});

describe('WebSocket topics × roles × own/other (authorizeTopic)', () => {
  it('admits each role to its own topics only; someone else’s job is not found', async () => {
    const demoAdmin = await login('admin@demo.test');
    const owner = await registerCustomer();
    const other = await registerCustomer({ verify: false });
    const assigned = await newDriver(demoAdmin.access_token);
    const bystander = await newDriver(demoAdmin.access_token);
    const driverId = async (token: string) => ((await (await api('/api/v1/drivers/me', { token })).json()) as { driver: { id: string } }).driver.id;
    const d1 = await driverId(assigned.access_token);
    const d2 = await driverId(bystander.access_token);
    const loc = (await (await api('/api/v1/customers/me/locations', { method: 'POST', token: owner.access_token, json: { address_line1: '9 Topic St', city: 'Concord', state_province: 'NH', postal_code: '03301', lat: 43.202, lng: -71.541 } })).json()) as { location: { id: string } };
    const { job } = (await (await api('/api/v1/jobs', { method: 'POST', token: owner.access_token, json: { location_id: loc.location.id, driveway_tier_id: 1 } })).json()) as { job: { id: string } };
    expect((await api(`/api/v1/jobs/${job.id}/assign`, { method: 'POST', token: demoAdmin.access_token, json: { driver_id: d1 } })).status).toBe(200);

    const claims = (token: string) => JSON.parse(atob(token.split('.')[1]!.replaceAll('-', '+').replaceAll('_', '/'))) as { sub: string; role: Role; did?: string; cid?: string };
    const who = (token: string): Pick<SocketIdentity, 'user_id' | 'role' | 'driver_id' | 'customer_id'> => {
      const c = claims(token);
      return { user_id: c.sub, role: c.role, driver_id: c.did ?? null, customer_id: c.cid ?? null };
    };
    const identities = { admin: who(demoAdmin.access_token), owner: who(owner.access_token), other: who(other.access_token), assigned: who(assigned.access_token), bystander: who(bystander.access_token) };
    const topics = { dispatch: 'admin:dispatch', ownDriver: `driver:${d1}`, otherDriver: `driver:${d2}`, job: `job:${job.id}`, noJob: `job:${crypto.randomUUID()}`, bogus: 'weather:today' };

    const expected: Record<keyof typeof identities, Record<keyof typeof topics, string>> = {
      admin: { dispatch: 'ok', ownDriver: 'ok', otherDriver: 'ok', job: 'ok', noJob: 'not_found', bogus: 'bad_topic' },
      owner: { dispatch: 'forbidden', ownDriver: 'forbidden', otherDriver: 'forbidden', job: 'ok', noJob: 'not_found', bogus: 'bad_topic' },
      other: { dispatch: 'forbidden', ownDriver: 'forbidden', otherDriver: 'forbidden', job: 'not_found', noJob: 'not_found', bogus: 'bad_topic' },
      assigned: { dispatch: 'forbidden', ownDriver: 'ok', otherDriver: 'forbidden', job: 'ok', noJob: 'not_found', bogus: 'bad_topic' },
      bystander: { dispatch: 'forbidden', ownDriver: 'forbidden', otherDriver: 'ok', job: 'not_found', noJob: 'not_found', bogus: 'bad_topic' },
    };
    const actual: Record<string, Record<string, string>> = {};
    for (const [name, identity] of Object.entries(identities)) {
      actual[name] = {};
      for (const [label, topic] of Object.entries(topics)) {
        const verdict = await db((d) => authorizeTopic(d, identity, topic));
        actual[name]![label] = verdict.ok ? 'ok' : verdict.code;
      }
    }
    expect(actual).toEqual(expected);

    // The same rules over real sockets: joining at connect time, and subscribing later.
    const refused = await exports.default.fetch(new Request(`${BASE}/ws?token=${other.access_token}&topic=job:${job.id}`, { headers: { upgrade: 'websocket' } }));
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const sock = await connect(bystander.access_token);
    sock.send({ type: 'subscribe', payload: { topic: `driver:${d1}` } });
    expect((await sock.next((m) => m.type === 'error')).payload).toMatchObject({ code: 'forbidden' });
    sock.send({ type: 'subscribe', payload: { topic: `job:${job.id}` } });
    expect((await sock.next((m) => m.type === 'error')).payload).toMatchObject({ code: 'not_found' });
    expect(sock.closed).toBeNull();
    sock.close();
  });
});
