import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { SocketIdentity } from '../../durable-objects/socket-identity';
import { INTERNAL_HEADERS, TICKET_TTL_MS, signTicket, type UpgradeTicket } from '../../durable-objects/upgrade-ticket';
import { newAdmin, jobWith, newCustomer, newDriver, newJob } from './fixtures';
import { connect, upgradeWs } from './helpers';
import { watch } from './realtime-fixtures';

/** Every header the Worker sets on a forwarded upgrade, and the names earlier versions trusted. */
const PROBED_HEADERS = [
  ...Object.values(INTERNAL_HEADERS),
  'x-plow-identity',
  'x-plow-topic',
  'x-plow-job',
  'x-plow-subscribe',
];

const dispatch = () => env.DISPATCH.get(env.DISPATCH.idFromName('default'));
const room = (jobId: string) => env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId));

function adminIdentity(userId: string): SocketIdentity {
  const now = Math.floor(Date.now() / 1000);
  return { user_id: userId, role: 'admin', driver_id: null, customer_id: null, exp: now + 600, iat: now };
}

function adminTicket(userId: string, jobId: string): UpgradeTicket {
  return {
    identity: adminIdentity(userId),
    topic: 'admin:dispatch',
    job: { job_id: jobId, status: 'cancelled', driver_id: null, version: 1_000_000 },
    snapshot: true,
    expires_ms: Date.now() + TICKET_TTL_MS,
  };
}

/**
 * What a client might put in a header the Worker uses internally, to pass as someone it
 * is not: plain claims, and tickets that are not the Worker's (another key, altered after
 * signing, expired).
 */
async function forgedValues(jobId: string): Promise<string[]> {
  const dispatcher = await newAdmin();
  const ticket = adminTicket(dispatcher.user_id, jobId);
  const json = JSON.stringify(ticket);
  const genuine = await signTicket(env, { ...ticket, identity: { ...ticket.identity, role: 'customer' } });
  const [, mac] = genuine.split('.');
  return [
    JSON.stringify(ticket.identity),
    'admin:dispatch',
    JSON.stringify(ticket.job),
    '1',
    json,
    `${btoa(json)}.${mac}`,
    await signTicket({ JWT_SECRET: 'not-the-servers-secret-0123456789abcdef' }, ticket),
    await signTicket(env, { ...ticket, expires_ms: Date.now() - 1 }),
  ];
}

describe('GET /ws: headers a client sends are never taken as the server’s word', () => {
  it('gives a driver who sends x-plow-topic: admin:dispatch nothing of the fleet', async () => {
    const driver = await newDriver();
    const phone = await connect(driver.token, undefined, { 'x-plow-topic': 'admin:dispatch' });
    phone.send({ type: 'subscribe', payload: { topic: `driver:${driver.profile_id}` } });
    expect(await phone.next()).toEqual({ type: 'subscribed', payload: { topic: `driver:${driver.profile_id}` } });
    phone.close();
  });

  it('ignores every internal header on the way to the dispatch object', async () => {
    const customer = await newCustomer();
    const { id: jobId } = await newJob(customer);
    for (const value of await forgedValues(jobId)) {
      // A driver per value: each probe is a subscribe, which has a small budget per user.
      const driver = await newDriver();
      for (const name of PROBED_HEADERS) {
        const phone = await connect(driver.token, undefined, { [name]: value });
        // The first thing it hears is the answer to its own question, as the driver it is.
        phone.send({ type: 'subscribe', payload: { topic: 'admin:dispatch' } });
        expect(await phone.next(), `${name}: ${value}`).toMatchObject({
          type: 'error',
          payload: { code: 'forbidden' },
        });
        phone.close();
      }
    }
  });

  it('ignores every internal header on the way to a job room', async () => {
    const [driver, customer] = await Promise.all([newDriver(), newCustomer()]);
    const jobId = await jobWith(customer, driver);
    for (const value of await forgedValues(jobId)) {
      for (const name of PROBED_HEADERS) {
        const res = await upgradeWs(customer.token, undefined, { [name]: value });
        expect(res.status, `${name}: ${value}`).toBe(101);
        res.webSocket!.accept();
        res.webSocket!.close(1000, 'done');
        // The room still holds the job as the database has it.
        expect(await room(jobId).snapshot(), `${name}: ${value}`).toMatchObject({
          status: 'assigned',
          driver_id: driver.profile_id,
        });
      }
    }
    const { socket, status } = await watch(customer.token, jobId);
    expect(status).toMatchObject({ new_status: 'assigned', driver_id: driver.profile_id });
    socket.close();
  });
});

describe('JobRoom and Dispatch: an upgrade that did not come from the Worker', () => {
  it('is refused by both objects, whatever internal header it carries', async () => {
    const customer = await newCustomer();
    const { id: jobId } = await newJob(customer);
    const values = await forgedValues(jobId);
    const objects = { dispatch: dispatch(), room: room(jobId) };
    for (const [which, stub] of Object.entries(objects)) {
      for (const value of values) {
        for (const name of PROBED_HEADERS) {
          const res = await stub.fetch(
            new Request('https://object.internal/ws', { headers: { upgrade: 'websocket', [name]: value } }),
          );
          expect(res.status, `${which} ${name}: ${value}`).not.toBe(101);
          expect(res.webSocket, `${which} ${name}: ${value}`).toBeNull();
        }
        // All of them at once, too.
        const all = Object.fromEntries(PROBED_HEADERS.map((name) => [name, value]));
        const res = await stub.fetch(
          new Request('https://object.internal/ws', { headers: { upgrade: 'websocket', ...all } }),
        );
        expect(res.status, `${which} all: ${value}`).not.toBe(101);
      }
    }
  });

  it('takes a ticket the Worker signed, so the refusals above are the signature’s doing', async () => {
    const [customer, dispatcher] = await Promise.all([newCustomer(), newAdmin()]);
    const { id: jobId } = await newJob(customer);
    const ticket = adminTicket(dispatcher.user_id, jobId);
    const open = async (stub: { fetch(r: Request): Promise<Response> }, t: UpgradeTicket) => {
      const res = await stub.fetch(
        new Request('https://object.internal/ws', {
          headers: { upgrade: 'websocket', [INTERNAL_HEADERS.ticket]: await signTicket(env, t) },
        }),
      );
      res.webSocket?.accept();
      res.webSocket?.close(1000, 'done');
      return res.status;
    };
    expect(await open(dispatch(), { ...ticket, job: null })).toBe(101);
    expect(
      await open(room(jobId), {
        ...ticket,
        topic: null,
        job: { job_id: jobId, status: 'pending', driver_id: null, version: 1 },
      }),
    ).toBe(101);
  });
});
