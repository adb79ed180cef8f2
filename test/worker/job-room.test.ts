import { env } from 'cloudflare:workers';
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { type SQL, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { JobRoom } from '../../durable-objects/job-room';
import { LOGGED_THROUGH_KEY } from '../../durable-objects/gps-outbox';
import { dispatchStub } from '../../worker/realtime';
import { PING_TEXT, PONG_TEXT } from '../../durable-objects/wire';
import { WS_CLOSE_ACCESS_ENDED, WS_CLOSE_UNAUTHORIZED } from '../../contract/errors';
import { jobWith, newAdmin, newCustomer, newDriver, newJob, type Person } from './fixtures';
import { api, connect, db, expectError, upgradeWs, expectRefusal } from './helpers';
import {
  eventually,
  expectJoined,
  fix,
  flushLocations,
  shortLivedToken,
  watch,
  watchedJob,
  watchedPlow,
} from './realtime-fixtures';

const room = (jobId: string) => env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId));
const seconds = (n: number) => new Date(Date.now() - n * 1000);
/** The GPS log rows `query` reads, once `done` says they have arrived. */
const loggedRows = <T extends Record<string, unknown>>(query: SQL, done: (rows: T[]) => boolean) =>
  eventually(() => db(async (d) => (await d.execute<T>(query)).rows as T[]), done);

describe('JobRoom: joining job:{id}', () => {
  it('answers a new subscriber at once with subscribed, the job status and the last known location', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    const jobId = await jobWith(customer, driver);
    const plow = await connect(driver.token);
    plow.send(fix(43.2011, -71.5411, seconds(2), 'join-snap-0001'));
    await plow.next((m) => m.type === 'ack');

    const watcher = await connect(customer.token, `job:${jobId}`);
    await expectJoined(watcher, jobId, { new_status: 'assigned', driver_id: driver.profile_id });
    expect(await watcher.next()).toMatchObject({
      type: 'driver_location',
      payload: { job_id: jobId, driver_id: driver.profile_id, lat: 43.2011, lng: -71.5411, accuracy: 5 },
    });
    watcher.close();
    plow.close();
  });

  it('sends only the status to a subscriber of a job with no location yet', async () => {
    const customer = await newCustomer();
    const { id: jobId } = await newJob(customer);
    const watcher = await connect(customer.token, `job:${jobId}`);
    await watcher.next((m) => m.type === 'subscribed');
    expect(await watcher.next()).toMatchObject({
      type: 'job_status',
      payload: { job_id: jobId, new_status: 'pending', driver_id: null },
    });
    expect(watcher.messages).toEqual([]);
    watcher.close();
  });

  it('refuses someone else’s job at the upgrade (404) and over subscribe (error, socket stays open)', async () => {
    const [owner, stranger, driver] = await Promise.all([newCustomer(), newCustomer(), newDriver()]);
    const jobId = await jobWith(owner, driver);
    await expectError(await upgradeWs(stranger.token, `job:${jobId}`), 404, 'not_found');
    await expectError(await upgradeWs(stranger.token, 'admin:dispatch'), 403, 'forbidden');
    await expectError(await upgradeWs(stranger.token, 'job:nope'), 400, 'bad_topic');
    await expectError(await upgradeWs('not-a-token', `job:${jobId}`), 401);

    const { id: ownJob } = await newJob(stranger);
    const { socket } = await watch(stranger.token, ownJob);
    socket.send({ type: 'subscribe', payload: { topic: `job:${jobId}` } });
    expect(await socket.next()).toMatchObject({ type: 'error', payload: { code: 'wrong_room' } });
    socket.send({ type: 'location_ping', payload: { lat: 43.2, lng: -71.5 } });
    expect(await socket.next()).toMatchObject({ type: 'error', payload: { code: 'forbidden' } });
    socket.send(PING_TEXT);
    expect(await socket.next()).toEqual({ type: 'pong' });
    expect(socket.closed).toBeNull();
    socket.close();
  });
});

describe('JobRoom: fan-out', () => {
  it('delivers a ping to every subscriber of its job and to none of another job', async () => {
    const [c1, c2, d1, d2, dispatcher] = await Promise.all([
      newCustomer(),
      newCustomer(),
      newDriver(),
      newDriver(),
      newAdmin(),
    ]);
    const [jobA, jobB] = await Promise.all([jobWith(c1, d1), jobWith(c2, d2)]);
    const watchersA = (
      await Promise.all([watch(c1.token, jobA), watch(c1.token, jobA), watch(dispatcher.token, jobA)])
    ).map((w) => w.socket);
    const { socket: watcherB } = await watch(c2.token, jobB);

    const plowA = await connect(d1.token);
    const plowB = await connect(d2.token);
    plowA.send(fix(43.21, -71.51, seconds(1), 'fan-a-000001'));
    for (const w of watchersA) {
      expect(await w.next((m) => m.type === 'driver_location')).toMatchObject({
        payload: { job_id: jobA, driver_id: d1.profile_id, lat: 43.21 },
      });
    }
    // B's watcher gets B's fix, and nothing of A's before or after it.
    plowB.send(fix(43.22, -71.52, seconds(1), 'fan-b-000001'));
    expect(await watcherB.next((m) => m.type === 'driver_location')).toMatchObject({
      payload: { job_id: jobB, driver_id: d2.profile_id, lat: 43.22 },
    });
    await plowA.next((m) => m.type === 'ack');
    await plowB.next((m) => m.type === 'ack');
    expect(watcherB.messages.filter((m) => m.type === 'driver_location')).toEqual([]);
    for (const w of [...watchersA, watcherB, plowA, plowB]) w.close();
  });

  it("takes the assigned driver's pings on the job's own socket: shown at once to the watchers but not back to the driver, a replay neither shown nor logged twice", async () => {
    const [customer, driver, dispatcher] = await Promise.all([newCustomer(), newDriver(), newAdmin()]);
    const jobId = await jobWith(customer, driver);
    const { socket: watcher } = await watch(customer.token, jobId);
    const board = await connect(dispatcher.token, 'admin:dispatch');
    const { socket: plow } = await watch(driver.token, jobId);
    const ping = fix(43.207, -71.537, seconds(2), 'room-fix-00001');
    plow.send(ping);
    plow.send(ping);
    for (const duplicate of [false, true]) {
      expect((await plow.next((m) => m.type === 'ack')).payload).toEqual({
        client_event_id: 'room-fix-00001',
        duplicate,
      });
    }
    expect(await watcher.next((m) => m.type === 'driver_location')).toMatchObject({
      payload: { job_id: jobId, driver_id: driver.profile_id, lat: 43.207 },
    });
    expect(
      await board.next((m) => m.type === 'driver_location' && m.payload.driver_id === driver.profile_id),
    ).toMatchObject({ payload: { job_id: jobId, lat: 43.207 } });
    expect(watcher.messages.filter((m) => m.type === 'driver_location')).toEqual([]);
    // Shown before it is acknowledged: had the driver's own socket been sent the fix, it would be here by now.
    expect(plow.messages.filter((m) => m.type === 'driver_location')).toEqual([]);

    await flushLocations(jobId);
    const logged = await loggedRows<{ job_id: string }>(
      sql`SELECT job_id FROM driver_location_log WHERE driver_id = ${driver.profile_id}`,
      (rows) => rows.length >= 1,
    );
    expect(logged).toEqual([{ job_id: jobId }]);
    for (const s of [watcher, board, plow]) s.close();
  });

  it("passes its driver's fixes on to the fleet map at most every 2 s; one held back goes with the flush alarm", async () => {
    const [customer, driver, dispatcher] = await Promise.all([newCustomer(), newDriver(), newAdmin()]);
    const jobId = await jobWith(customer, driver);
    const board = await connect(dispatcher.token, 'admin:dispatch');
    const { socket: plow } = await watch(driver.token, jobId);
    const fixes = [3, 2, 1].map((s, i) => fix(43.3 + i / 100, -71.6, seconds(s), `fleet-fix-000${i}`));
    for (const f of fixes) plow.send(f);
    for (const f of fixes)
      await plow.next((m) => m.type === 'ack' && m.payload.client_event_id === f.payload.client_event_id);
    const onBoard = (m: { type: string; payload?: { driver_id?: string } }) =>
      m.type === 'driver_location' && m.payload?.driver_id === driver.profile_id;
    expect(await board.next(onBoard)).toMatchObject({ payload: { job_id: jobId, lat: 43.3 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(board.messages.filter(onBoard)).toEqual([]);

    await flushLocations(jobId);
    expect(await board.next(onBoard)).toMatchObject({ payload: { job_id: jobId, lat: 43.32 } });
    expect((await dispatchStub(env).fleet()).find((f) => f.driver_id === driver.profile_id)).toMatchObject({
      job_id: jobId,
      lat: 43.32,
    });
    for (const s of [board, plow]) s.close();
  });

  it('keeps the GPS outbox of an ended job until it has gone, then forgets its event ids and schedules nothing', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    const jobId = await jobWith(customer, driver);
    const { socket: plow } = await watch(driver.token, jobId);
    plow.send(fix(43.28, -71.58, seconds(1), 'ended-fix-0001'));
    await plow.next((m) => m.type === 'ack');
    for (const status of ['en_route', 'arrived', 'in_progress', 'completed']) {
      expect(
        (
          await api(`/api/v1/drivers/me/jobs/${jobId}/status`, {
            method: 'PATCH',
            token: driver.token,
            json: { status },
          })
        ).status,
      ).toBe(200);
    }
    const tables = () =>
      runInDurableObject(room(jobId), async (_r: JobRoom, state) => ({
        kv: [...state.storage.kv.list()].length,
        fixes: state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM gps_fixes').one().n,
        waiting: state.storage.sql
          .exec<{ n: number }>(
            'SELECT count(*) AS n FROM gps_fixes WHERE seq > ?',
            state.storage.kv.get<number>(LOGGED_THROUGH_KEY) ?? 0,
          )
          .one().n,
        alarm: await state.storage.getAlarm(),
      }));
    // The finished job stays (without a position) until its bill is settled; its GPS goes out.
    expect(await tables()).toMatchObject({ kv: 1, fixes: 1, waiting: 1, alarm: expect.any(Number) });

    expect(await runDurableObjectAlarm(room(jobId))).toBe(true);
    expect(await tables()).toEqual({ kv: 1, fixes: 0, waiting: 0, alarm: null });
    const logged = await loggedRows<{ client_event_id: string; job_id: string }>(
      sql`SELECT client_event_id, job_id FROM driver_location_log WHERE driver_id = ${driver.profile_id}`,
      (rows) => rows.length >= 1,
    );
    expect(logged).toEqual([{ client_event_id: 'ended-fix-0001', job_id: jobId }]);
  });

  it('does not show a fix older than the current one, but still logs it', async () => {
    const { customer, driver, jobId, watcher, plow } = await watchedPlow();

    const newer = seconds(5);
    plow.send(fix(43.25, -71.55, newer, 'order-new-0001'));
    plow.send(fix(43.24, -71.54, seconds(30), 'order-old-0001'));
    plow.send(fix(43.26, -71.56, newer, 'order-same-001'));
    await plow.next((m) => m.payload?.client_event_id === 'order-same-001');

    const seen = watcher.messages.filter((m) => m.type === 'driver_location');
    expect(seen.map((m) => m.payload.lat)).toEqual([43.25]);
    expect((await room(jobId).snapshot())?.location).toMatchObject({ lat: 43.25, ts: newer.toISOString() });
    const polled = await api(`/api/v1/customers/me/jobs/${jobId}/driver-location`, { token: customer.token });
    expect(await polled.json()).toMatchObject({ lat: 43.25, lng: -71.55, recorded_at: newer.toISOString() });

    await flushLocations(jobId);
    const logged = await loggedRows<{ client_event_id: string }>(
      sql`SELECT client_event_id FROM driver_location_log WHERE driver_id = ${driver.profile_id} ORDER BY recorded_at, client_event_id`,
      (rows) => rows.length === 3,
    );
    expect(logged.map((r) => r.client_event_id)).toEqual(['order-old-0001', 'order-new-0001', 'order-same-001']);
    watcher.close();
    plow.close();
  });

  it('tells subscribers about status changes, keeps a finished job’s room for its bill, and ends it once paid', async () => {
    const { customer, driver, jobId, watcher } = await watchedJob();
    for (const status of ['en_route', 'arrived', 'in_progress', 'completed']) {
      const res = await api(`/api/v1/drivers/me/jobs/${jobId}/status`, {
        method: 'PATCH',
        token: driver.token,
        json: { status },
      });
      expect(res.status).toBe(200);
    }
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await watcher.next((m) => m.type === 'job_status')).payload);
    expect(statuses.map((p) => [p.previous_status, p.new_status])).toEqual([
      ['assigned', 'en_route'],
      ['en_route', 'arrived'],
      ['arrived', 'in_progress'],
      ['in_progress', 'completed'],
    ]);

    // The driver takes the money at the door: the customer watching hears the bill change, then the room ends.
    const paid = await api(`/api/v1/drivers/me/jobs/${jobId}/payment`, {
      method: 'POST',
      token: driver.token,
      json: { method: 'cash', client_event_id: `pay-${jobId}` },
    });
    expect(paid.status).toBe(201);
    expect(await watcher.next((m) => m.type === 'invoice_changed')).toMatchObject({
      payload: { job_id: jobId, status: 'paid' },
    });
    expect(await watcher.waitClosed()).toMatchObject({ code: 1000, reason: 'job ended' });

    // Storage is wiped; a late viewer gets the final status from the database.
    expect(await runInDurableObject(room(jobId), (_r: JobRoom, state) => [...state.storage.kv.list()])).toEqual([]);
    const late = await connect(customer.token, `job:${jobId}`);
    expect(await late.next((m) => m.type === 'job_status')).toMatchObject({ payload: { new_status: 'completed' } });
    late.close();
  });

  it('closes the room at once when the job is cancelled', async () => {
    const customer = await newCustomer();
    const { id: jobId } = await newJob(customer);
    const { socket: watcher } = await watch(customer.token, jobId);
    const res = await api(`/api/v1/jobs/${jobId}`, { method: 'DELETE', token: customer.token, json: {} });
    expect(res.status).toBe(200);
    expect(await watcher.waitClosed()).toMatchObject({ code: 1000, reason: 'job ended' });
    const late = await connect(customer.token, `job:${jobId}`);
    expect(await late.next((m) => m.type === 'job_status')).toMatchObject({ payload: { new_status: 'cancelled' } });
    expect(await late.waitClosed()).toMatchObject({ code: 1000, reason: 'job ended' });
  });
});

describe('GET /api/v1/customers/me/jobs/:id/driver-location (polling fallback)', () => {
  it('answers 204 before any fix, then the last fix with lat, lng, accuracy, recorded_at and received_at', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    const jobId = await jobWith(customer, driver);
    const path = `/api/v1/customers/me/jobs/${jobId}/driver-location`;
    const none = await api(path, { token: customer.token });
    expect(none.status).toBe(204);
    expect(await none.text()).toBe('');

    const at = seconds(3);
    const sentAt = Date.now();
    const plow = await connect(driver.token);
    plow.send(fix(43.2044, -71.5422, at, 'poll-fix-00001', { heading: 90, speed: 4 }));
    await plow.next((m) => m.type === 'ack');
    plow.close();

    const res = await api(path, { token: customer.token });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    for (const key of ['lat', 'lng', 'accuracy', 'recorded_at', 'received_at']) expect(body).toHaveProperty(key);
    expect(body).toMatchObject({ lat: 43.2044, lng: -71.5422, accuracy: 5, recorded_at: at.toISOString() });
    const received = Date.parse(String(body.received_at));
    expect(received).toBeGreaterThanOrEqual(sentAt - 1000);
    expect(received).toBeLessThanOrEqual(Date.now() + 1000);
    await expectRefusal(404, 'not_found', 'GET', path, (await newCustomer()).token);
  });
});

describe('JobRoom: durability and hibernation', () => {
  it('shows a live fix before anything is written, then stores its claim and acknowledges it', async () => {
    const { watcher, plow, jobId } = await watchedPlow();
    const claimed = (id: string) =>
      runInDurableObject(room(jobId), (_r: JobRoom, state) => {
        const sql = state.storage.sql;
        if (sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'gps_fixes'").toArray().length === 0) return 0;
        return sql.exec<{ n: number }>('SELECT count(*) AS n FROM gps_fixes WHERE event_id LIKE ?', `%:${id}`).one().n;
      });
    plow.send(fix(43.233, -71.533, seconds(1), 'turn-live-0001'));
    await watcher.next((m) => m.type === 'driver_location');
    // The watchers' message left in a turn that wrote nothing; the write follows within the window.
    expect(await claimed('turn-live-0001')).toBe(0);
    expect((await plow.next((m) => m.type === 'ack')).payload).toEqual({
      client_event_id: 'turn-live-0001',
      duplicate: false,
    });
    expect(await claimed('turn-live-0001')).toBe(1);
    for (const s of [watcher, plow]) s.close();
  });

  it('keeps the job status and location across an eviction, and its hibernated sockets keep working', async () => {
    const { customer, driver, jobId, watcher, plow } = await watchedPlow();
    const at = seconds(3);
    plow.send(fix(43.231, -71.531, at, 'evict-fix-0001', { heading: 90, speed: 7.5 }));
    await watcher.next((m) => m.type === 'driver_location');
    await plow.next((m) => m.type === 'ack'); // "stored": what an eviction must not lose

    await evictDurableObject(room(jobId));

    expect(await room(jobId).snapshot()).toMatchObject({
      job_id: jobId,
      status: 'assigned',
      driver_id: driver.profile_id,
      location: { lat: 43.231, lng: -71.531, accuracy: 5, heading: 90, speed: 7.5, ts: at.toISOString() },
    });
    const late = await connect(customer.token, `job:${jobId}`);
    expect(await late.next((m) => m.type === 'driver_location')).toMatchObject({
      payload: { lat: 43.231, ts: at.toISOString() },
    });
    // An older fix is still refused after the restart: the device time survived too.
    plow.send(fix(43.1, -71.1, seconds(60), 'evict-old-0001'));
    plow.send(fix(43.232, -71.532, seconds(1), 'evict-fix-0002'));
    expect(await watcher.next((m) => m.type === 'driver_location')).toMatchObject({ payload: { lat: 43.232 } });
    for (const s of [watcher, late, plow]) s.close();
  });

  it('answers the exact ping text from the runtime without waking the room, and schedules nothing', async () => {
    const customer = await newCustomer();
    const { id: jobId } = await newJob(customer);
    const { socket } = await watch(customer.token, jobId);

    const setup = await runInDurableObject(room(jobId), async (_r: JobRoom, state) => {
      const pair = state.getWebSocketAutoResponse();
      return {
        request: pair?.request,
        response: pair?.response,
        alarm: await state.storage.getAlarm(),
        sockets: state.getWebSockets().length,
      };
    });
    expect(setup).toEqual({ request: PING_TEXT, response: PONG_TEXT, alarm: null, sockets: 1 });

    await evictDurableObject(room(jobId));
    socket.ws.send(PING_TEXT);
    expect(await socket.next()).toEqual({ type: 'pong' });
    const after = await runInDurableObject(room(jobId), (_r: JobRoom, state) => {
      const [ws] = state.getWebSockets();
      return { answeredAt: ws ? state.getWebSocketAutoResponseTimestamp(ws) : null, tags: ws ? state.getTags(ws) : [] };
    });
    expect(after.answeredAt).toBeInstanceOf(Date);
    expect(after.tags).toEqual([`user:${customer.user_id}`, 'role:customer']);
    socket.close();
  });
});

describe('JobRoom: bad input and expired sessions', () => {
  it('answers malformed messages with an error and keeps the socket usable', async () => {
    const customer = await newCustomer();
    const { id: jobId } = await newJob(customer);
    const { socket } = await watch(customer.token, jobId);
    const refusals: [unknown, string][] = [
      ['{"type":', 'malformed_json'],
      ['"just a string"', 'bad_message'],
      [{ type: 'teleport', payload: {} }, 'bad_message'],
      [{ type: 'subscribe', payload: { topic: 'everything' } }, 'bad_message'],
      [{ type: 'location_ping', payload: { lat: 200, lng: 0 } }, 'bad_message'],
      [{ type: 'status_change', payload: { job_id: jobId, new_status: 'flying' } }, 'bad_message'],
      ['x'.repeat(9000), 'message_too_large'],
    ];
    for (const [msg, code] of refusals) {
      socket.send(msg);
      expect(await socket.next()).toMatchObject({ type: 'error', payload: { code, message: expect.any(String) } });
    }
    socket.ws.send(new Uint8Array([1, 2, 3]));
    expect(await socket.next()).toMatchObject({ type: 'error', payload: { code: 'bad_message' } });
    socket.send({ type: 'ping', payload: { n: 1 } });
    expect(await socket.next()).toEqual({ type: 'pong' });
    socket.send({ type: 'subscribe', payload: { topic: `job:${jobId}` } });
    expect(await socket.next()).toMatchObject({ type: 'subscribed' });
    expect(socket.closed).toBeNull();
    socket.close();
  });

  it('closes a socket with 4001 once its token has expired, at its next message or broadcast', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    const jobId = await jobWith(customer, driver);
    const { socket: brief } = await watch(await shortLivedToken(customer, 'customer', 2), jobId);
    const { socket: lasting } = await watch(customer.token, jobId);
    await new Promise((r) => setTimeout(r, 2500));

    const plow = await connect(driver.token);
    plow.send(fix(43.2, -71.5, seconds(1), 'expiry-fix-001'));
    expect(await lasting.next((m) => m.type === 'driver_location')).toMatchObject({ payload: { job_id: jobId } });
    expect(await brief.next((m) => m.type === 'error')).toMatchObject({ payload: { code: 'token_expired' } });
    expect(await brief.waitClosed()).toMatchObject({ code: 4001 });
    expect(brief.messages.filter((m) => m.type === 'driver_location')).toEqual([]);
    lasting.close();
    plow.close();
  });
});

describe('JobRoom: a socket leaves the moment its user loses the job', () => {
  type Setup = {
    customer: Awaited<ReturnType<typeof newCustomer>>;
    driver: Awaited<ReturnType<typeof newDriver>>;
    next: Awaited<ReturnType<typeof newDriver>>;
    dispatcher: Person;
    jobId: string;
  };
  const as = (token: string, path: string, json?: unknown) =>
    api(path, { method: 'POST', token, ...(json === undefined ? {} : { json }) });
  /** An assigned job, its customer and dispatcher, and the driver who could take it over. */
  const assignedWithNext = async (): Promise<Setup> => {
    const [customer, driver, next, dispatcher] = await Promise.all([
      newCustomer(),
      newDriver(),
      newDriver(),
      newAdmin(),
    ]);
    return { customer, driver, next, dispatcher, jobId: await jobWith(customer, driver, 'assigned', dispatcher) };
  };
  const reassign = ({ dispatcher, next, jobId }: Setup) =>
    as(dispatcher.token, `/api/v1/jobs/${jobId}/reassign`, { driver_id: next.profile_id });

  /**
   * Every way a driver stops being allowed to follow a job they hold, and how the room's
   * socket of theirs must end: 4003 when only this job is gone, 1000 when the job ended,
   * 4001 when the session did. After it, the job goes on with the next driver.
   */
  const TRIGGERS: {
    name: string;
    act: (s: Setup) => Promise<unknown>;
    close: number;
    /** The driver's token still works afterwards (their session did not end). */
    signedIn?: boolean;
  }[] = [
    { name: 'the job is reassigned', act: reassign, close: WS_CLOSE_ACCESS_ENDED, signedIn: true },
    {
      name: 'they reject the job and it goes to another driver',
      act: async (s) => {
        expect((await as(s.driver.token, `/api/v1/drivers/me/jobs/${s.jobId}/reject`, {})).status).toBe(200);
        expect(
          (await as(s.dispatcher.token, `/api/v1/jobs/${s.jobId}/assign`, { driver_id: s.next.profile_id })).status,
        ).toBe(200);
      },
      close: WS_CLOSE_ACCESS_ENDED,
      signedIn: true,
    },
    {
      name: 'the job is cancelled',
      act: async (s) =>
        expect((await api(`/api/v1/jobs/${s.jobId}`, { method: 'DELETE', token: s.dispatcher.token })).status).toBe(
          200,
        ),
      close: 1000,
    },
    {
      name: 'the job is reassigned and then they are suspended',
      act: async (s) => {
        expect((await reassign(s)).status).toBe(200);
        const suspended = await as(s.dispatcher.token, `/api/v1/admin/users/${s.driver.user_id}/suspend`);
        expect(suspended.status).toBe(200);
      },
      close: WS_CLOSE_ACCESS_ENDED,
    },
    {
      name: 'they are suspended while holding the job',
      act: async (s) => {
        const suspended = await as(s.dispatcher.token, `/api/v1/admin/users/${s.driver.user_id}/suspend`);
        expect(suspended.status).toBe(200);
        expect((await reassign(s)).status).toBe(200);
      },
      close: WS_CLOSE_UNAUTHORIZED,
    },
    {
      name: 'they sign out of this session',
      act: async (s) => {
        const out = await api('/api/v1/auth/logout', {
          method: 'POST',
          token: s.driver.token,
          json: { refresh_token: 'r'.repeat(43) },
        });
        expect(out.status).toBe(204);
        expect((await reassign(s)).status).toBe(200);
      },
      close: WS_CLOSE_UNAUTHORIZED,
    },
    {
      name: 'they sign out everywhere',
      act: async (s) => {
        expect((await as(s.driver.token, '/api/v1/auth/logout-all')).status).toBe(204);
        expect((await reassign(s)).status).toBe(200);
      },
      close: WS_CLOSE_UNAUTHORIZED,
    },
  ];

  for (const trigger of TRIGGERS) {
    it(`closes the driver's job socket when ${trigger.name}, before they hear more of it`, async () => {
      const setup = await assignedWithNext();
      const { customer, driver, next, jobId } = setup;
      const { socket: old } = await watch(driver.token, jobId);
      const { socket: watcher } = await watch(customer.token, jobId);

      await trigger.act(setup);
      expect((await old.waitClosed()).code).toBe(trigger.close);
      // Nothing of the job after the change reached them — no new status, no new driver's
      // position — except, for a job that ended, its final status.
      const heard = old.messages.filter((m) => m.type === 'job_status' || m.type === 'driver_location');
      expect(heard).toEqual(
        trigger.close === 1000
          ? [expect.objectContaining({ payload: expect.objectContaining({ new_status: 'cancelled' }) })]
          : [],
      );
      if (trigger.close === WS_CLOSE_ACCESS_ENDED)
        expect(old.messages).toContainEqual({
          type: 'error',
          payload: { code: 'access_ended', message: expect.any(String) },
        });

      if (trigger.close !== 1000) {
        // The job goes on: its customer follows the new driver; the old one is refused as over HTTP.
        const plow = await connect(next.token);
        plow.send(fix(43.25, -71.55, seconds(1), `moved-on-${crypto.randomUUID().slice(0, 6)}`));
        expect(await watcher.next((m) => m.type === 'driver_location')).toMatchObject({
          payload: { driver_id: next.profile_id },
        });
        plow.close();
        if (trigger.signedIn) {
          await expectRefusal(404, 'not_found', 'GET', `/api/v1/jobs/${jobId}`, driver.token);
          await expectError(await upgradeWs(driver.token, `job:${jobId}`), 404, 'not_found');
        }
      }
      watcher.close();
    });
  }

  it('keeps the job’s customer, its new driver and dispatchers in the room through a reassignment', async () => {
    const { customer, driver, next, dispatcher, jobId } = await assignedWithNext();
    const { socket: watcher } = await watch(customer.token, jobId);
    const { socket: board } = await watch(dispatcher.token, jobId);
    expect((await reassign({ customer, driver, next, dispatcher, jobId })).status).toBe(200);
    const { socket: plow } = await watch(next.token, jobId);
    plow.send(fix(43.26, -71.56, seconds(1), 'kept-in-room-01'));
    for (const s of [watcher, board])
      expect(await s.next((m) => m.type === 'driver_location')).toMatchObject({
        payload: { driver_id: next.profile_id },
      });
    expect((await plow.next((m) => m.type === 'ack')).payload).toEqual({
      client_event_id: 'kept-in-room-01',
      duplicate: false,
    });
    for (const s of [watcher, board, plow]) {
      expect(s.closed).toBeNull();
      s.close();
    }
  });
});
