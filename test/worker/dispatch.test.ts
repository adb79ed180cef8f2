import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Dispatch } from '../../durable-objects/dispatch';
import { PING_TEXT, PONG_TEXT } from '../../durable-objects/wire';
import { newAdmin, jobWith, newCustomer, newDriver, newJob } from './fixtures';
import { api, connect, db, type TestSocket } from './helpers';
import { eventually, fix, flushLocations, storedPosition, watch, watchedJob, watchedPlow } from './realtime-fixtures';

const dispatch = () => env.DISPATCH.get(env.DISPATCH.idFromName('default'));
const room = (jobId: string) => env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId));
const seconds = (n: number) => new Date(Date.now() - n * 1000);

/** GPS log rows Postgres holds for a driver. */
const logRows = (driverId: string) =>
  db(
    async (d) =>
      (
        await d.execute<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM driver_location_log WHERE driver_id = ${driverId}`,
        )
      ).rows[0]!.n,
  );

/** After the flush, the fix was logged once and broadcast to the watcher once. */
async function expectAppliedOnce(jobId: string, driverId: string, watcher: TestSocket) {
  await flushLocations(jobId);
  const rows = await eventually(
    () => logRows(driverId),
    (n) => n >= 1,
  );
  expect(rows).toBe(1);
  expect(watcher.messages.filter((m) => m.type === 'driver_location')).toHaveLength(1);
}

async function expectAck(socket: TestSocket, clientEventId: string, duplicate: boolean) {
  expect((await socket.next((m) => m.type === 'ack')).payload).toEqual({ client_event_id: clientEventId, duplicate });
}

/** Makes the dispatch object forget a driver (a lost RPC, a fresh deploy). */
const forgetDriver = (driverId: string) =>
  runInDurableObject(dispatch(), (_d: Dispatch, state) =>
    state.storage.sql.exec('DELETE FROM drivers WHERE driver_id = ?', driverId),
  );

/** A job whose driver the dispatch object has since forgotten, with the customer watching it. */
async function jobOfForgottenDriver() {
  const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
  const jobId = await jobWith(customer, driver);
  await forgetDriver(driver.profile_id);
  const { socket: watcher } = await watch(customer.token, jobId);
  return { driver, jobId, watcher };
}

describe('Dispatch: admin:dispatch and driver:{id}', () => {
  it('tells dispatchers about new requests and a driver about their assignment', async () => {
    const [customer, driver, dispatcher] = await Promise.all([
      newCustomer({ full_name: 'Cora Watcher' }),
      newDriver(),
      newAdmin(),
    ]);
    const board = await connect(dispatcher.token, 'admin:dispatch');
    expect(await board.next()).toEqual({ type: 'subscribed', payload: { topic: 'admin:dispatch' } });
    const phone = await connect(driver.token, `driver:${driver.profile_id}`);
    expect(await phone.next()).toEqual({ type: 'subscribed', payload: { topic: `driver:${driver.profile_id}` } });

    const { id: jobId } = await newJob(customer, { driveway_tier_id: 1 });
    expect(await board.next((m) => m.type === 'new_job_request' && m.payload.job_id === jobId)).toMatchObject({
      payload: { job_id: jobId, address: expect.any(String), quoted_price_cents: 6500, lat: expect.any(Number) },
    });
    const res = await api(`/api/v1/jobs/${jobId}/assign`, {
      method: 'POST',
      token: dispatcher.token,
      json: { driver_id: driver.profile_id },
    });
    expect(res.status).toBe(200);
    expect(await phone.next((m) => m.type === 'job_assigned')).toMatchObject({
      payload: { job_id: jobId, customer_name: 'Cora Watcher', quoted_price_cents: 6500 },
    });
    expect(await board.next((m) => m.type === 'job_assigned')).toMatchObject({ payload: { job_id: jobId } });

    await api(`/api/v1/drivers/me/jobs/${jobId}/status`, {
      method: 'PATCH',
      token: driver.token,
      json: { status: 'en_route' },
    });
    expect(await board.next((m) => m.type === 'job_status' && m.payload.job_id === jobId)).toMatchObject({
      payload: { new_status: 'en_route', previous_status: 'assigned' },
    });
    expect(
      await board.next((m) => m.type === 'driver_status_change' && m.payload.driver_id === driver.profile_id),
    ).toMatchObject({ payload: { status: 'en_route' } });
    expect(await phone.next((m) => m.type === 'job_status')).toMatchObject({
      payload: { job_id: jobId, new_status: 'en_route' },
    });

    const cancel = await api(`/api/v1/jobs/${jobId}`, {
      method: 'DELETE',
      token: dispatcher.token,
      json: { reason: 'Storm moved east' },
    });
    expect(cancel.status).toBe(200);
    expect(await phone.next((m) => m.type === 'job_cancelled')).toMatchObject({
      payload: { job_id: jobId, reason: 'Storm moved east' },
    });
    expect(await board.next((m) => m.type === 'job_cancelled')).toMatchObject({ payload: { job_id: jobId } });

    await api('/api/v1/drivers/me/status', { method: 'PATCH', token: driver.token, json: { status: 'break' } });
    expect(await board.next((m) => m.type === 'driver_status_change' && m.payload.status === 'break')).toMatchObject({
      payload: { driver_id: driver.profile_id },
    });
    // Nothing meant for dispatchers or other drivers reached this driver.
    expect(
      phone.messages.filter((m) => ['new_job_request', 'driver_status_change', 'driver_location'].includes(m.type)),
    ).toEqual([]);
    board.close();
    phone.close();
  });

  it('shows dispatchers the fleet: every current fix, and the map so far on subscribe', async () => {
    const [customer, driver, dispatcher] = await Promise.all([newCustomer(), newDriver(), newAdmin()]);
    const jobId = await jobWith(customer, driver);
    const board = await connect(dispatcher.token);
    const plow = await connect(driver.token);
    plow.send(fix(43.3, -71.6, seconds(2), 'fleet-fix-0001'));
    expect(
      await board.next((m) => m.type === 'driver_location' && m.payload.driver_id === driver.profile_id),
    ).toMatchObject({ payload: { job_id: jobId, lat: 43.3, lng: -71.6 } });

    const late = await connect(dispatcher.token);
    late.send({ type: 'subscribe', payload: { topic: 'admin:dispatch' } });
    await late.next((m) => m.type === 'subscribed');
    expect(
      await late.next((m) => m.type === 'driver_location' && m.payload.driver_id === driver.profile_id),
    ).toMatchObject({ payload: { lat: 43.3 } });
    for (const s of [board, plow, late]) s.close();
  });

  it('refuses channels that are not yours: at the upgrade and over subscribe', async () => {
    const [driver, other, customer] = await Promise.all([newDriver(), newDriver(), newCustomer()]);
    const phone = await connect(driver.token);
    for (const topic of ['admin:dispatch', `driver:${other.profile_id}`]) {
      phone.send({ type: 'subscribe', payload: { topic } });
      expect(await phone.next()).toMatchObject({ type: 'error', payload: { code: 'forbidden' } });
    }
    const { id: foreignJob } = await newJob(customer);
    phone.send({ type: 'subscribe', payload: { topic: `job:${foreignJob}` } });
    expect(await phone.next()).toMatchObject({ type: 'error', payload: { code: 'not_found' } });
    phone.send(PING_TEXT);
    expect(await phone.next()).toEqual({ type: 'pong' });
    await expect(connect(driver.token, `driver:${other.profile_id}`)).rejects.toThrow(/403/);
    await expect(connect(customer.token, `driver:${driver.profile_id}`)).rejects.toThrow(/403/);
    phone.close();
  });

  it('refuses pings from anyone but a driver, and malformed messages, keeping the socket open', async () => {
    const dispatcher = await newAdmin();
    const board = await connect(dispatcher.token);
    board.send(fix(43.2, -71.5, new Date(), 'admin-ping-001'));
    expect(await board.next()).toMatchObject({ type: 'error', payload: { code: 'forbidden' } });
    board.send('{"type":"location_ping","payload":{"lat":"north"}}');
    expect(await board.next()).toMatchObject({ type: 'error', payload: { code: 'bad_message' } });
    board.send('not json');
    expect(await board.next()).toMatchObject({ type: 'error', payload: { code: 'malformed_json' } });
    board.send({ type: 'status_change', payload: { job_id: crypto.randomUUID(), new_status: 'arrived' } });
    expect(await board.next()).toMatchObject({ type: 'error', payload: { code: 'not_found' } });
    board.send({ type: 'subscribe', payload: { topic: 'admin:dispatch' } });
    expect(await board.next()).toMatchObject({ type: 'subscribed' });
    expect(board.closed).toBeNull();
    board.close();
  });
});

describe('Dispatch: the location pipeline', () => {
  it('applies a repeated client event id once: one broadcast, one log row, a duplicate ack', async () => {
    const { driver, jobId, watcher, plow } = await watchedPlow();
    const ping = fix(43.205, -71.505, seconds(4), 'dedupe-fix-0001');
    plow.send(ping);
    plow.send(ping);
    await expectAck(plow, 'dedupe-fix-0001', false);
    await expectAck(plow, 'dedupe-fix-0001', true);
    await expectAppliedOnce(jobId, driver.profile_id, watcher);
    watcher.close();
    plow.close();
  });

  it('applies a fix arriving on two sockets at the same time once', async () => {
    const { driver, jobId, watcher } = await watchedJob();
    const [a, b] = await Promise.all([connect(driver.token), connect(driver.token)]);
    const ping = fix(43.215, -71.515, seconds(3), 'twice-fix-0001');
    a.send(ping);
    b.send(ping);
    const acks = [(await a.next((m) => m.type === 'ack')).payload, (await b.next((m) => m.type === 'ack')).payload];
    expect(acks.map((p) => p.duplicate).sort()).toEqual([false, true]);
    await expectAppliedOnce(jobId, driver.profile_id, watcher);
    for (const s of [watcher, a, b]) s.close();
  });

  it('writes live positions to Postgres with the GPS log, in one batch after the flush alarm, never per ping', async () => {
    const [c1, c2, d1, d2] = await Promise.all([newCustomer(), newCustomer(), newDriver(), newDriver()]);
    const jobs = await Promise.all([jobWith(c1, d1), jobWith(c2, d2)]);
    const [p1, p2] = await Promise.all([connect(d1.token), connect(d2.token)]);
    p1.send(fix(43.11, -71.11, seconds(20), 'flush-d1-0001'));
    const latest = seconds(10);
    p1.send(fix(43.12, -71.12, latest, 'flush-d1-0002'));
    // A late copy of an older fix arrives last: logged, but not the live position.
    p1.send(fix(43.1, -71.1, seconds(30), 'flush-d1-0000'));
    p2.send(fix(43.21, -71.21, seconds(5), 'flush-d2-0001'));
    await p1.next((m) => m.payload?.client_event_id === 'flush-d1-0000');
    await p2.next((m) => m.type === 'ack');
    // Acknowledged pings wait in their job rooms' outboxes: nothing is written per ping.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await storedPosition(d1.profile_id)).toEqual({ lat: null, lng: null, at: null });
    expect(await logRows(d1.profile_id)).toBe(0);

    const alarmOf = (stub: DurableObjectStub) =>
      runInDurableObject(stub, (_o: unknown, state) => state.storage.getAlarm());
    for (const jobId of jobs) expect(await alarmOf(room(jobId))).toBeGreaterThan(Date.now());
    expect(await alarmOf(dispatch())).toBeNull();
    for (const jobId of jobs) expect(await runDurableObjectAlarm(room(jobId))).toBe(true);

    const first = await eventually(
      () => storedPosition(d1.profile_id),
      (p) => p.lat !== null,
    );
    expect(first).toMatchObject({ lat: 43.12, lng: -71.12 });
    expect(new Date(first.at!).toISOString()).toBe(latest.toISOString());
    expect(
      await eventually(
        () => storedPosition(d2.profile_id),
        (p) => p.lat !== null,
      ),
    ).toMatchObject({ lat: 43.21, lng: -71.21 });
    expect(await logRows(d1.profile_id)).toBe(3);
    // Nothing left to send: no alarm remains to keep a room awake.
    for (const jobId of jobs) expect(await alarmOf(room(jobId))).toBeNull();
    p1.close();
    p2.close();
  });

  it('routes the pings of a driver it has never heard of to their live job, found in Postgres', async () => {
    // What the assignment fan-out told the dispatch object is lost.
    const { driver, jobId, watcher } = await jobOfForgottenDriver();
    const plow = await connect(driver.token);
    plow.send(fix(43.19, -71.49, seconds(1), 'adopt-fix-0001'));
    expect(await watcher.next((m) => m.type === 'driver_location')).toMatchObject({
      payload: { job_id: jobId, lat: 43.19 },
    });
    watcher.close();
    plow.close();
  });

  it('routes dispatch-socket pings of a driver first heard of through their job room to that room', async () => {
    const { driver, jobId, watcher } = await jobOfForgottenDriver();
    const { socket: onJob } = await watch(driver.token, jobId);
    onJob.send(fix(43.16, -71.46, seconds(3), 'first-room-0001'));
    await onJob.next((m) => m.type === 'ack');
    expect(
      await eventually(
        () => dispatch().fleet(),
        (f) => f.some((p) => p.driver_id === driver.profile_id),
      ),
    ).toEqual(expect.arrayContaining([expect.objectContaining({ driver_id: driver.profile_id, job_id: jobId })]));
    const phone = await connect(driver.token);
    phone.send(fix(43.161, -71.461, seconds(1), 'then-phone-0001'));
    await expectAck(phone, 'then-phone-0001', false);
    const seen = await eventually(
      async () => watcher.messages.filter((m) => m.type === 'driver_location').map((m) => m.payload.lat),
      (l) => l.length >= 2,
    );
    expect(seen).toEqual([43.16, 43.161]);
    for (const s of [watcher, onJob, phone]) s.close();
  });

  it('logs a driver on no job here, and keeps accepted event ids without an index on their age, in rooms and here', async () => {
    const [customer, onJob, free] = await Promise.all([newCustomer(), newDriver(), newDriver()]);
    const jobId = await jobWith(customer, onJob);
    const [a, b] = await Promise.all([connect(onJob.token), connect(free.token)]);
    a.send(fix(43.17, -71.47, seconds(2), 'prune-job-0001'));
    b.send(fix(43.18, -71.48, seconds(2), 'prune-free-001'));
    await a.next((m) => m.type === 'ack');
    await b.next((m) => m.type === 'ack');
    await flushLocations(jobId);
    const logged = await eventually(
      () =>
        db(
          async (d) =>
            (
              await d.execute<{ driver_id: string; job_id: string | null }>(
                sql`SELECT driver_id, job_id FROM driver_location_log WHERE driver_id IN (${onJob.profile_id}, ${free.profile_id}) ORDER BY ST_Y(coordinates::geometry)`,
              )
            ).rows,
        ),
      (rows) => rows.length >= 2,
    );
    expect(logged).toEqual([
      { driver_id: onJob.profile_id, job_id: jobId },
      { driver_id: free.profile_id, job_id: null },
    ]);
    // Both objects now hold accepted fixes, and nothing is written with each but its row and
    // its event id's key (gps-outbox.test.ts: how they are forgotten without an index on their age).
    for (const stub of [room(jobId), dispatch()]) {
      const indexes = await runInDurableObject(stub, (_o: unknown, state) =>
        state.storage.sql
          .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'gps_fixes'")
          .toArray(),
      );
      expect(indexes.map((r) => r.name)).toEqual(['sqlite_autoindex_gps_fixes_1']);
    }
    a.close();
    b.close();
  });

  it('answers the exact ping text from the runtime', async () => {
    const driver = await newDriver();
    const phone = await connect(driver.token);
    phone.ws.send(PING_TEXT);
    expect(await phone.next()).toEqual({ type: 'pong' });
    const pair = await runInDurableObject(dispatch(), (_d: Dispatch, state) => {
      const [ws] = state.getWebSockets(`user:${driver.user_id}`);
      return {
        response: state.getWebSocketAutoResponse()?.response,
        answeredAt: ws ? state.getWebSocketAutoResponseTimestamp(ws) : null,
      };
    });
    expect(pair.response).toBe(PONG_TEXT);
    expect(pair.answeredAt).toBeInstanceOf(Date);
    phone.close();
  });
});

describe('Dispatch: status_change over the socket', () => {
  it('runs the state machine: illegal moves are refused with the allowed ones, legal ones fan out', async () => {
    const { customer, driver, jobId, watcher } = await watchedJob();
    const phone = await connect(driver.token);
    phone.send({ type: 'status_change', payload: { job_id: jobId, new_status: 'completed' } });
    expect(await phone.next()).toMatchObject({ type: 'error', payload: { code: 'invalid_transition' } });
    phone.send({
      type: 'status_change',
      payload: { job_id: jobId, new_status: 'en_route', client_event_id: 'ws-status-0001' },
    });
    expect(await phone.next((m) => m.type === 'ack')).toMatchObject({
      payload: { client_event_id: 'ws-status-0001', duplicate: false },
    });
    expect(await watcher.next((m) => m.type === 'job_status')).toMatchObject({
      payload: { new_status: 'en_route', previous_status: 'assigned' },
    });
    const history = await api(`/api/v1/jobs/${jobId}/status-history`, { token: customer.token });
    expect(((await history.json()) as { events: { new_status: string }[] }).events.map((e) => e.new_status)).toEqual([
      'pending',
      'assigned',
      'en_route',
    ]);
    watcher.close();
    phone.close();
  });

  it('applies the same status event once when it arrives on two sockets at the same time', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    const jobId = await jobWith(customer, driver);
    const [a, b] = await Promise.all([connect(driver.token), connect(driver.token)]);
    const msg = {
      type: 'status_change',
      payload: { job_id: jobId, new_status: 'en_route', client_event_id: 'twice-status-01' },
    };
    a.send(msg);
    b.send(msg);
    const acks = [(await a.next((m) => m.type === 'ack')).payload, (await b.next((m) => m.type === 'ack')).payload];
    expect(acks.map((p) => p.duplicate).sort()).toEqual([false, true]);
    const events = await db(
      async (d) =>
        (
          await d.execute<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM job_status_events WHERE job_id = ${jobId} AND client_event_id = 'twice-status-01'`,
          )
        ).rows[0]!.n,
    );
    expect(events).toBe(1);
    a.close();
    b.close();
  });
});
