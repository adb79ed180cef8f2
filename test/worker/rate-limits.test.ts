import { describe, expect, it } from 'vitest';
import { MESSAGE_BUDGETS } from '../../durable-objects/message-budget';
import { PING_TEXT } from '../../durable-objects/wire';
import { jobWith, newCustomer, newDriver, uniqueEmail } from './fixtures';
import { api, connect, expectError, type TestSocket } from './helpers';
import { registerCustomer } from './auth-helpers';
import { watch } from './realtime-fixtures';

/** Requests carry a client IP only where a test sets one (see worker/lib/client.ts). */
const from = (ip: string) => ({ headers: { 'cf-connecting-ip': ip } });

/**
 * The local rate-limiting binding counts in fixed 60 s windows aligned to the wall clock
 * (miniflare's RateLimiterObject: `epoch = floor(now / 60 s)`), so a count that straddles
 * a minute boundary starts over half-way. Counting tests first wait for a fresh window when
 * less than `needMs` of this one is left.
 */
async function inFreshWindow(needMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needMs) await new Promise((r) => setTimeout(r, left + 250));
}

/** Makes `n` requests one after another; how many answered with each status. */
async function statusCounts(n: number, request: (i: number) => Promise<Response>): Promise<Record<number, number>> {
  const statuses = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const res = await request(i);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  return Object.fromEntries(statuses);
}

describe('general rate limits (Workers rate-limiting bindings)', () => {
  it('answers the 61st anonymous request in a minute from one IP with 429 and Retry-After', {
    timeout: 45_000,
  }, async () => {
    const ip = '198.51.100.61';
    await inFreshWindow(15_000);
    expect(await statusCounts(60, () => api('/healthz', from(ip)))).toEqual({ 200: 60 });
    const limited = await api('/healthz', from(ip));
    const body = await expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(body.error.message).toMatch(/try again in 60 seconds/);
    // Another IP, and the same IP with a made-up bearer on a public route, are counted apart / the same.
    expect((await api('/healthz', from('198.51.100.62'))).status).toBe(200);
    expect(
      (await api('/healthz', { headers: { 'cf-connecting-ip': ip, authorization: 'Bearer made-up' } })).status,
    ).toBe(429);
  });

  it("answers a signed-in user's 301st request in a minute with 429, wherever it comes from", {
    timeout: 60_000,
  }, async () => {
    const customer = await registerCustomer({ verify: false });
    await inFreshWindow(25_000);
    // GET /ws without an upgrade is authenticated and counted, then refused with 426 before
    // any database work: 300 quick requests without exhausting the embedded test database's
    // connection slots.
    const statuses = await statusCounts(300, (i) =>
      api('/ws', { token: customer.access_token, headers: { 'cf-connecting-ip': `203.0.113.${i % 250}` } }),
    );
    expect(statuses).toEqual({ 426: 300 });
    const limited = await api('/api/v1/auth/me', { token: customer.access_token });
    await expectError(limited, 429, 'rate_limited');
    expect(limited.headers.get('retry-after')).toBe('60');
    // Other users are not affected.
    const other = await registerCustomer({ verify: false });
    expect((await api('/api/v1/auth/me', { token: other.access_token })).status).toBe(200);
  });
});

describe('GET /readyz and the anonymous limit', { timeout: 45_000 }, () => {
  it('answers a monitor polling /readyz from one IP past the anonymous budget, and does not spend it', async () => {
    const ip = '198.51.100.81';
    await inFreshWindow(20_000);
    expect(await statusCounts(70, () => api('/readyz', from(ip)))).toEqual({ 200: 70 });
    // The IP's budget is untouched: other routes from it still pass.
    for (let i = 0; i < 5; i++) expect((await api('/healthz', from(ip))).status).toBe(200);
  });
});

/** Waits until each of `count` messages sent on `socket` has had its one answer: `answered`, or a refusal. */
async function answers(socket: TestSocket, count: number, answered: (m: { type: string }) => boolean) {
  const deadline = Date.now() + 30_000;
  const tally = () => {
    const ok = socket.messages.filter(answered).length;
    const limited = socket.messages.filter((m) => m.type === 'error' && m.payload?.code === 'rate_limited');
    return { ok, limited };
  };
  while (tally().ok + tally().limited.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(tally())} of ${count} answered`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const { ok, limited } = tally();
  socket.messages.length = 0;
  return { ok, limited: limited.length, messages: limited.map((m) => m.payload?.message as string) };
}

/** Sends `count` copies of `msg` and waits for their answers (see `answers`). */
function burst(socket: TestSocket, msg: unknown, count: number, answered: (m: { type: string }) => boolean) {
  for (let i = 0; i < count; i++) socket.send(msg);
  return answers(socket, count, answered);
}

/** Both objects that hold sockets: a driver's dispatch socket, and a customer watching their job's room. */
const OBJECTS = [
  {
    name: 'Dispatch',
    open: async () => {
      const driver = await newDriver();
      return { token: driver.token, topic: undefined, subscribe: `driver:${driver.profile_id}` };
    },
  },
  {
    name: 'JobRoom',
    open: async () => {
      const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
      const jobId = await jobWith(customer, driver);
      return { token: customer.token, topic: `job:${jobId}`, subscribe: `job:${jobId}` };
    },
  },
];

describe('WebSocket message budgets (durable-objects/message-budget.ts)', () => {
  for (const object of OBJECTS) {
    it(`answers a ${object.name} socket past its message budget with rate_limited errors, keeps it open, and the keep-alive free`, async () => {
      const who = await object.open();
      const socket = await connect(who.token, who.topic);
      if (who.topic) await socket.next((m) => m.type === 'job_status');
      socket.messages.length = 0;
      const sent = MESSAGE_BUDGETS.socket.burst + 30;
      const { ok, limited, messages } = await burst(
        socket,
        { type: 'ping', payload: {} },
        sent,
        (m) => m.type === 'pong',
      );
      expect(ok).toBeGreaterThanOrEqual(MESSAGE_BUDGETS.socket.burst);
      expect(ok).toBeLessThan(sent);
      expect(limited).toBe(sent - ok);
      expect(messages[0]).toMatch(/Too many messages on this connection: wait \d+ seconds?/);
      // The runtime's keep-alive answer costs nothing and still works.
      socket.ws.send(PING_TEXT);
      expect(await socket.next()).toEqual({ type: 'pong' });
      expect(socket.closed).toBeNull();
      socket.close();
    });

    it(`limits subscribe on ${object.name} per socket and per user across their sockets`, async () => {
      const who = await object.open();
      const sockets = await Promise.all([1, 2, 3, 4].map(() => connect(who.token, who.topic)));
      for (const s of sockets) {
        if (who.topic) await s.next((m) => m.type === 'job_status');
        s.messages.length = 0;
      }
      const started = Date.now();
      const msg = { type: 'subscribe', payload: { topic: who.subscribe } };
      const results = await Promise.all(sockets.map((s) => burst(s, msg, 15, (m) => m.type === 'subscribed')));
      const refill = Math.ceil(((Date.now() - started) / 1000) * MESSAGE_BUDGETS.user_costly.per_second) + 1;
      for (const r of results) expect(r.ok).toBeLessThanOrEqual(MESSAGE_BUDGETS.socket_costly.burst + 1);
      const total = results.reduce((n, r) => n + r.ok, 0);
      expect(total).toBeGreaterThanOrEqual(MESSAGE_BUDGETS.user_costly.burst);
      expect(total).toBeLessThanOrEqual(MESSAGE_BUDGETS.user_costly.burst + refill);
      for (const s of sockets) {
        expect(s.closed).toBeNull();
        s.close();
      }
    });
  }

  it('keeps upgrades, other users and /readyz answering while one driver floods subscribes on 20 sockets', {
    timeout: 60_000,
  }, async () => {
    const [flooder, customer, bystander] = await Promise.all([newDriver(), newCustomer(), newDriver()]);
    const jobId = await jobWith(customer, flooder);
    const sockets = await Promise.all(Array.from({ length: 20 }, () => connect(flooder.token)));
    // Each one makes the object ask Postgres whether the driver may see the job.
    const msg = JSON.stringify({ type: 'subscribe', payload: { topic: `job:${jobId}` } });
    const started = Date.now();
    for (let i = 0; i < 200; i++) for (const s of sockets) s.send(msg);

    const within = async <T>(what: string, work: Promise<T>, ms = 5_000): Promise<T> => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
      });
      try {
        return await Promise.race([work, late]);
      } finally {
        if (timer) clearTimeout(timer);
      }
    };
    expect((await within('/readyz', api('/readyz'))).status).toBe(200);
    const other = await within('another driver’s upgrade', connect(bystander.token));
    other.send({ type: 'subscribe', payload: { topic: `driver:${bystander.profile_id}` } });
    expect(
      await within(
        'another driver’s subscribe',
        other.next((m) => m.type === 'subscribed'),
      ),
    ).toBeTruthy();
    const { socket: watcher } = await within('the customer’s room', watch(customer.token, jobId));

    // Of the 4,000, only the user's budget of them reached Postgres; the rest were refused.
    const results = await Promise.all(sockets.map((s) => answers(s, 200, (m) => m.type === 'subscribed')));
    const refill = Math.ceil(((Date.now() - started) / 1000) * MESSAGE_BUDGETS.user_costly.per_second) + 1;
    const reached = results.reduce((n, r) => n + r.ok, 0);
    expect(reached).toBeLessThanOrEqual(MESSAGE_BUDGETS.user_costly.burst + refill);
    expect(results.reduce((n, r) => n + r.limited, 0)).toBe(4000 - reached);
    for (const s of [...sockets, other, watcher]) s.close();
  });
});

describe('strict limits on sensitive auth endpoints (RateCounter, per IP + account)', () => {
  it('locks sign-in for an account from an IP after 5 failures in 15 minutes, even with the right password', async () => {
    const customer = await registerCustomer({ verify: false });
    const ip = '198.51.100.71';
    const attempt = (password: string, where = ip) =>
      api('/api/v1/auth/login', { method: 'POST', json: { email: customer.email, password }, ...from(where) });
    for (let i = 0; i < 5; i++) await expectError(await attempt('wrong password guess'), 401, 'invalid_credentials');
    const locked = await attempt(customer.password);
    await expectError(locked, 429, 'rate_limited');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // The account from elsewhere, and another account from this IP, still work.
    expect((await attempt(customer.password, '198.51.100.72')).status).toBe(200);
    const other = await registerCustomer({ verify: false });
    expect(
      (
        await api('/api/v1/auth/login', {
          method: 'POST',
          json: { email: other.email, password: other.password },
          ...from(ip),
        })
      ).status,
    ).toBe(200);
  });

  it('does not count successful sign-ins', async () => {
    const customer = await registerCustomer({ verify: false });
    for (let i = 0; i < 6; i++) {
      expect(
        (
          await api('/api/v1/auth/login', {
            method: 'POST',
            json: { email: customer.email, password: customer.password },
            ...from('198.51.100.73'),
          })
        ).status,
      ).toBe(200);
    }
  });

  it('allows 5 magic-link requests per email and IP in 15 minutes, then 429', async () => {
    const email = uniqueEmail('spam');
    const ask = () =>
      api('/api/v1/auth/request-magic-link', { method: 'POST', json: { email }, ...from('198.51.100.74') });
    for (let i = 0; i < 5; i++) expect((await ask()).status).toBe(202);
    await expectError(await ask(), 429, 'rate_limited');
  });

  it('takes its budget from RATE_LIMIT_AUTH', async () => {
    const email = uniqueEmail('tight');
    const ask = () =>
      api('/api/v1/auth/request-password-reset', {
        env: { RATE_LIMIT_AUTH: '2/60' },
        method: 'POST',
        json: { email },
        ...from('198.51.100.75'),
      });
    expect((await ask()).status).toBe(202);
    expect((await ask()).status).toBe(202);
    const limited = await ask();
    await expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('limits guesses at one-time tokens per IP', async () => {
    const guess = () =>
      api('/api/v1/auth/magic-link', {
        method: 'POST',
        json: { token: crypto.randomUUID().replaceAll('-', '') },
        ...from('198.51.100.76'),
      });
    for (let i = 0; i < 5; i++) await expectError(await guess(), 400, 'token_invalid');
    await expectError(await guess(), 429, 'rate_limited');
  });
});
