import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JOB_STATUSES } from '../../contract/enums';
import { ClientMessage } from '../../contract/ws';
import { MESSAGE_BUDGETS } from '../../durable-objects/message-budget';
import { MAX_MESSAGE_BYTES } from '../../durable-objects/wire';
import worker from '../../worker/index';
import { InvoiceMessage, NotificationMessage } from '../../worker/notify/outbox';
import { CONSUMERS } from '../../worker/queues';
import { LocationLogMessage } from '../../worker/queues/location-log';
import { rng, runSeed, type Rng } from '../support/prng';
import { newAdmin, jobWith, newCustomer, newDriver } from './fixtures';
import { connect, db, type TestSocket } from './helpers';
import { expectJoined, fix, watch } from './realtime-fixtures';

/**
 * Generated bad input beyond the JSON routes (fuzz.test.ts covers those): every kind of
 * malformed, oversized or unknown WebSocket message, sent to both kinds of room as each
 * role, and junk on every queue the Worker consumes. A bad message is answered (sockets:
 * an `error` message) or set aside with a log line (queues); a socket stays open and
 * usable, a room keeps serving, a consumer never throws and never retries what retrying
 * cannot fix. Seeded: a failure prints its seed, `PROPERTY_SEED=<n>` replays it.
 */

// ---- WebSocket messages -------------------------------------------------------------

const TYPES: unknown[] = [
  'ping',
  'subscribe',
  'unsubscribe',
  'location_ping',
  'status_change',
  'teleport',
  '',
  'PING',
  '__proto__',
  'constructor',
  'toString',
  42,
  null,
  ['ping'],
  { type: 'ping' },
];
const NUMBERS = [-1, 0.5, -0.5, 91, -181, 1e308, -1e308, 2 ** 53, Number.MAX_SAFE_INTEGER, 360.5];
const STRINGS = [
  '',
  ' ',
  'x'.repeat(300),
  '\u0000',
  'a\u0000b',
  '☃️💥',
  '\ud800',
  '<script>',
  "'; DROP TABLE jobs; --",
  '2026-13-45T99:99:99Z',
  'NaN',
  'null',
  '../../etc',
];

function junkTopic(r: Rng): unknown {
  return r.pick([
    'everything',
    'job:',
    'job:nope',
    `job:${crypto.randomUUID()}`,
    `driver:${crypto.randomUUID()}`,
    'admin:dispatch',
    'x'.repeat(300),
    7,
    null,
  ]);
}

function junkScalar(r: Rng): unknown {
  return r.pick([r.pick(NUMBERS), r.pick(STRINGS), null, true, [], {}]);
}

function junkPayload(r: Rng): unknown {
  switch (r.int(0, 7)) {
    case 0:
      return undefined;
    case 1:
      return junkScalar(r);
    case 2:
      return { topic: junkTopic(r) };
    case 3:
      return {
        lat: r.pick([...NUMBERS, 43.2]),
        lng: r.pick([...NUMBERS, -71.5]),
        recorded_at: r.pick([...STRINGS, new Date().toISOString()]),
        client_event_id: r.pick(STRINGS),
      };
    case 4:
      return {
        job_id: r.pick([crypto.randomUUID(), 'nope', '', 42]),
        new_status: r.pick(['flying', 'completed', '', 'pending', 'en_route', null]),
      };
    case 5:
      return Object.fromEntries(
        Array.from({ length: r.int(1, 6) }, () => [
          r.pick(['topic', 'lat', 'lng', 'job_id', 'new_status', 'notes', 'extra']),
          junkScalar(r),
        ]),
      );
    case 6:
      return Array.from({ length: r.int(0, 50) }, () => junkScalar(r));
    default:
      return { nested: { deeper: { still: [junkScalar(r), { x: junkScalar(r) }] } } };
  }
}

/**
 * A message the schema accepts but the room must still refuse or shrug off: someone
 * else's topic, a job that does not exist, a fix from someone who is not driving it.
 * (Never the socket's own job in a status change: that would really move it.)
 */
function wellFormedButWrong(r: Rng): unknown {
  switch (r.int(0, 3)) {
    case 0:
      return {
        type: 'subscribe',
        payload: { topic: r.pick([`job:${crypto.randomUUID()}`, `driver:${crypto.randomUUID()}`, 'admin:dispatch']) },
      };
    case 1:
      return {
        type: 'status_change',
        payload: {
          job_id: crypto.randomUUID(),
          new_status: r.pick(JOB_STATUSES),
          client_event_id: `fuzz-${crypto.randomUUID().slice(0, 8)}`,
        },
      };
    case 2:
      return {
        type: 'location_ping',
        payload: {
          lat: 43.2 + r.next() / 100,
          lng: -71.5 - r.next() / 100,
          accuracy: r.int(0, 50),
          ...(r.bool() ? { recorded_at: new Date(Date.now() - r.int(0, 600_000)).toISOString() } : {}),
        },
      };
    default:
      return {
        type: 'status_change',
        payload: { job_id: crypto.randomUUID(), new_status: 'completed', notes: 'n'.repeat(1000), lat: 0, lng: 0 },
      };
  }
}

/** One generated frame: a text message or binary bytes. */
function junkFrame(r: Rng): string | Uint8Array {
  switch (r.int(0, 11)) {
    case 10:
    case 11:
      return JSON.stringify(wellFormedButWrong(r));
    case 0:
      return r.pick([
        '',
        ' ',
        '{',
        '}',
        'null',
        '[]',
        '"x"',
        '42',
        'true',
        '{"type":',
        '{"type":"ping"',
        '{"type":"ping"}}',
        'undefined',
        '\u0000',
      ]);
    case 1:
      return String.fromCharCode(...Array.from({ length: r.int(1, 200) }, () => r.int(0, 255)));
    case 2:
      return new Uint8Array(Array.from({ length: r.pick([0, 1, 64, 5000]) }, () => r.int(0, 255)));
    case 3:
      return 'x'.repeat(r.pick([MAX_MESSAGE_BYTES + 1, 20_000, 120_000]));
    case 4:
      return JSON.stringify({ type: 'ping', payload: 'y'.repeat(MAX_MESSAGE_BYTES) });
    case 5:
      return r.bool() ? '['.repeat(4000) + ']'.repeat(4000) : '{"a":'.repeat(1300) + '1' + '}'.repeat(1300);
    case 6:
      return `{"__proto__":{"type":"ping"},"constructor":{"prototype":{"polluted":true}},"type":${JSON.stringify(r.pick(TYPES))}}`;
    case 7:
      return JSON.stringify(
        r.pick([
          [{ type: 'ping' }],
          { payload: junkPayload(r) },
          { type: r.pick(TYPES), payload: junkPayload(r), extra: junkScalar(r) },
        ]),
      );
    default:
      return JSON.stringify({ type: r.pick(TYPES), payload: junkPayload(r) });
  }
}

/** What the shared schema makes of a frame: the message if the server must accept it. */
function parsed(frame: string | Uint8Array): ClientMessage | null {
  if (typeof frame !== 'string' || frame.length > MAX_MESSAGE_BYTES) return null;
  try {
    const result = ClientMessage.safeParse(JSON.parse(frame));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

const FRAMES_PER_SOCKET = 100;
/**
 * Frames per connection: each frame and its sentinel are two messages, and a few frames are
 * subscribes or status changes; a new connection every this many keeps each well inside its
 * message budgets (durable-objects/message-budget.ts), which are not what this test is about.
 */
const FRAMES_PER_CONNECTION = Math.min(20, Math.floor(MESSAGE_BUDGETS.socket.burst / 4));

/** Codes a refused frame may be answered with (durable-objects/wire.ts readInbound). */
const REFUSALS = ['malformed_json', 'bad_message', 'message_too_large'];
/** Not the exact keep-alive text, so the room's handler — not the runtime — answers it, in order. */
const SENTINEL = JSON.stringify({ type: 'ping', payload: { sentinel: true } });

interface FuzzReport {
  sent: number;
  refused: number;
  accepted: number;
}

/**
 * Sends `count` generated frames on `socket`, each followed by a sentinel ping: the answers
 * to a frame are what arrives before the sentinel's pong (a socket's messages are handled
 * in order). Refused frames get exactly one `error` with a refusal code; accepted frames
 * never an `internal` error. A frame the schema accepts as a plain `ping` or `unsubscribe`
 * is not sent (a pong we would mistake for the sentinel's; a socket closed on request).
 */
async function fuzzSocket(
  open: () => Promise<TestSocket>,
  r: Rng,
  count: number,
  label: string,
): Promise<{ report: FuzzReport; socket: TestSocket }> {
  const report: FuzzReport = { sent: 0, refused: 0, accepted: 0 };
  let socket = await open();
  while (report.sent < count) {
    if (report.sent > 0 && report.sent % FRAMES_PER_CONNECTION === 0) {
      expect(socket.closed, `${label}: before reconnecting`).toBeNull();
      socket.close();
      socket = await open();
    }
    const frame = junkFrame(r);
    const msg = parsed(frame);
    if (msg?.type === 'ping' || msg?.type === 'unsubscribe') continue;
    socket.messages.length = 0;
    if (typeof frame === 'string') socket.ws.send(frame);
    else socket.ws.send(frame);
    socket.ws.send(SENTINEL);
    const what = `${label}: frame ${report.sent} ${typeof frame === 'string' ? JSON.stringify(frame.slice(0, 80)) : `<${frame.length} bytes>`}`;
    await socket
      .next((m) => m.type === 'pong', 10_000)
      .catch((err: unknown) => {
        throw new Error(`${what}: no answer (${String(err)})`);
      });
    const errors = socket.messages.filter((m) => m.type === 'error');
    if (msg) {
      report.accepted++;
      expect(
        errors.filter((e) => e.payload?.code === 'internal'),
        what,
      ).toEqual([]);
      expect(errors.length, what).toBeLessThanOrEqual(1);
    } else {
      report.refused++;
      expect(errors, what).toHaveLength(1);
      expect(REFUSALS, what).toContain(errors[0]!.payload.code);
      expect(typeof errors[0]!.payload.message, what).toBe('string');
    }
    expect(socket.closed, what).toBeNull();
    report.sent++;
  }
  return { report, socket };
}

describe('WebSocket protocol fuzz', () => {
  it('answers every malformed, oversized or unknown frame with an error, on both rooms and as every role; sockets and rooms keep working', async () => {
    const seed = runSeed();
    const r = rng(seed);
    const [customer, driver, dispatcher] = await Promise.all([newCustomer(), newDriver(), newAdmin()]);
    const jobId = await jobWith(customer, driver);
    const openers: [string, () => Promise<TestSocket>][] = [
      ['customer in the job room', async () => (await watch(customer.token, jobId)).socket],
      ['assigned driver in the job room', async () => (await watch(driver.token, jobId)).socket],
      ['driver on the dispatch channel', () => connect(driver.token)],
      [
        'dispatcher on admin:dispatch',
        async () => {
          const socket = await connect(dispatcher.token, 'admin:dispatch');
          await socket.next((m) => m.type === 'subscribed');
          return socket;
        },
      ],
    ];

    const totals: FuzzReport = { sent: 0, refused: 0, accepted: 0 };
    const sockets: [string, TestSocket][] = [];
    for (const [label, open] of openers) {
      const { report, socket } = await fuzzSocket(open, r, FRAMES_PER_SOCKET, `seed ${seed}, ${label}`);
      sockets.push([label, socket]);
      totals.sent += report.sent;
      totals.refused += report.refused;
      totals.accepted += report.accepted;
    }
    console.log(JSON.stringify({ fuzz: 'websocket', seed, ...totals }));
    expect(totals.sent).toBe(FRAMES_PER_SOCKET * sockets.length);
    // Mostly refusals by construction, and a share the schema accepts but the room must refuse.
    expect(totals.refused).toBeGreaterThan(totals.sent / 2);
    expect(totals.accepted).toBeGreaterThan(totals.sent / 20);

    // Every socket is still open and usable, and both objects still serve.
    for (const [label, socket] of sockets) expect(socket.closed, label).toBeNull();
    const [customerSocket, driverSocket, plow] = sockets.map(([, s]) => s) as [TestSocket, TestSocket, TestSocket];
    customerSocket.messages.length = 0;
    customerSocket.send({ type: 'subscribe', payload: { topic: `job:${jobId}` } });
    await expectJoined(customerSocket, jobId, { new_status: 'assigned' });
    const at = new Date();
    plow.send(fix(43.2222, -71.5555, at, `fuzz-after-${seed}`));
    expect(await plow.next((m) => m.type === 'ack')).toMatchObject({
      payload: { client_event_id: `fuzz-after-${seed}`, duplicate: false },
    });
    expect(
      await customerSocket.next((m) => m.type === 'driver_location' && m.payload.ts === at.toISOString()),
    ).toMatchObject({ payload: { lat: 43.2222 } });
    // The driver's own socket in the room still streams.
    const later = new Date(at.getTime() + 1000);
    driverSocket.send(fix(43.2223, -71.5556, later, `fuzz-room-${seed}`));
    expect(await driverSocket.next((m) => m.type === 'ack')).toMatchObject({
      payload: { client_event_id: `fuzz-room-${seed}`, duplicate: false },
    });
    expect(
      await customerSocket.next((m) => m.type === 'driver_location' && m.payload.ts === later.toISOString()),
    ).toMatchObject({ payload: { lat: 43.2223 } });
    expect(await env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId)).snapshot()).toMatchObject({
      status: 'assigned',
      location: { ts: later.toISOString() },
    });
    for (const [, s] of sockets) s.close();
  }, 120_000);
});

// ---- Queue messages -----------------------------------------------------------------

afterEach(() => {
  vi.restoreAllMocks();
});

/** Junk queue bodies: wrong shapes, wrong types, and well-formed ids that point at nothing. */
function junkBodies(r: Rng): unknown[] {
  const shapes: unknown[] = [
    null,
    42,
    'garbage',
    '',
    [],
    [{ id: crypto.randomUUID() }],
    {},
    { id: 'not-a-uuid' },
    { id: 42 },
    { job_id: 'nope' },
    { driver_id: 'nope', lat: 'north' },
    { __proto__: { id: crypto.randomUUID() } },
    { nested: { deep: { deeper: [1, { id: null }] } } },
    { id: 'x'.repeat(5000) },
    new Uint8Array([1, 2, 3]),
    {
      driver_id: crypto.randomUUID(),
      job_id: null,
      lat: 91,
      lng: 0,
      accuracy: null,
      heading: null,
      speed: null,
      ts: 'yesterday',
      received_at: 'now',
    },
  ];
  return Array.from({ length: 40 }, () => r.pick(shapes));
}

/** The schema each consumer parses its messages with: what it must refuse. */
const SCHEMAS: Record<string, { safeParse(v: unknown): { success: boolean } }> = {
  'plowdispatch-location-log': LocationLogMessage,
  'plowdispatch-notifications': NotificationMessage,
  'plowdispatch-notifications-dlq': NotificationMessage,
  'plowdispatch-invoices': InvoiceMessage,
};

/** A well-formed GPS fix (for the location-log queue). */
function fixBody(driverId: string, id: string) {
  const at = new Date(Date.now() - 30_000).toISOString();
  return {
    driver_id: driverId,
    job_id: null,
    lat: 43.21,
    lng: -71.53,
    accuracy: 4,
    heading: null,
    speed: null,
    ts: at,
    received_at: at,
    client_event_id: id,
  };
}

/** Runs a batch through the Worker's own queue entry point, as the Queues runtime would. */
async function deliver(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `fuzz-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe('queue consumer fuzz', () => {
  it('acknowledges junk on every queue with a log line and retries none of it; good messages in the same batch still land', async () => {
    const seed = runSeed();
    const r = rng(seed + 7);
    const logged = vi.spyOn(console, 'error');
    const driver = await newDriver();
    const good = `fuzz-good-${seed}`;

    const counts: Record<string, { messages: number; refused: number }> = {};
    for (const queue of Object.keys(CONSUMERS)) {
      const bodies = junkBodies(r);
      // The location log also gets a good fix and a well-formed one for a driver who does
      // not exist (deleted meanwhile): neither may hold the other back.
      if (queue === 'plowdispatch-location-log')
        bodies.push(fixBody(driver.profile_id, good), fixBody(crypto.randomUUID(), `fuzz-orphan-${seed}`));
      logged.mockClear();
      const result = await deliver(queue, bodies);
      const label = `seed ${seed}, ${queue}`;
      expect(result.retryBatch, label).toMatchObject({ retry: false });
      expect(result.retryMessages, label).toEqual([]);
      expect(result.ackAll || result.explicitAcks.length === bodies.length, `${label}: ${JSON.stringify(result)}`).toBe(
        true,
      );
      // Every message its consumer's schema refuses was logged, by its id.
      const lines = logged.mock.calls.map((c) => String(c[0]));
      const refused = bodies
        .map((body, i) => ({ body, id: `fuzz-${i}` }))
        .filter(({ body }) => !SCHEMAS[queue]!.safeParse(body).success);
      expect(refused.length, label).toBeGreaterThan(bodies.length / 2);
      counts[queue] = { messages: bodies.length, refused: refused.length };
      expect(
        refused.filter(({ id }) => !lines.some((l) => l.includes(`"${id}"`))).map(({ id }) => id),
        `${label}: set aside without a log line`,
      ).toEqual([]);
    }
    console.log(JSON.stringify({ fuzz: 'queues', seed, ...counts }));
    expect(
      await db(
        async (d) =>
          (
            await d.execute<{ client_event_id: string }>(
              sql`SELECT client_event_id FROM driver_location_log WHERE driver_id = ${driver.profile_id}`,
            )
          ).rows,
      ),
    ).toEqual([{ client_event_id: good }]);

    // A queue the Worker does not know: acknowledged as a whole and logged, never a throw.
    logged.mockClear();
    const stray = await deliver('someone-elses-queue', junkBodies(r));
    expect(stray.ackAll).toBe(true);
    expect(logged.mock.calls.map((c) => String(c[0])).some((l) => l.includes('unknown queue'))).toBe(true);
  });
});
