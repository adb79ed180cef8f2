import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { jobWith, newCustomer, newDriver } from './fixtures';
import { connect, db, type TestSocket } from './helpers';
import { eventually, flushLocations, watch } from './realtime-fixtures';

interface Queued {
  id: string;
  at: Date;
  msg: { type: string; payload: Record<string, unknown> };
}

/**
 * What a driver's phone queues while offline: en_route, 9 fixes, arrived, 9 fixes,
 * in_progress, 9 fixes — 30 events with client event ids and device times 5 s apart.
 */
function offlineQueue(jobId: string): Queued[] {
  const start = Date.now() - 10 * 60_000;
  const statuses: Record<number, string> = { 0: 'en_route', 10: 'arrived', 20: 'in_progress' };
  return Array.from({ length: 30 }, (_, i) => {
    const id = `replay-${String(i).padStart(3, '0')}`;
    const at = new Date(start + i * 5000);
    const status = statuses[i];
    const msg = status
      ? {
          type: 'status_change',
          payload: {
            job_id: jobId,
            new_status: status,
            recorded_at: at.toISOString(),
            client_event_id: id,
            lat: 43.2,
            lng: -71.5,
          },
        }
      : {
          type: 'location_ping',
          payload: {
            lat: 43.1 + i / 1000,
            lng: -71.6 + i / 1000,
            accuracy: 6,
            recorded_at: at.toISOString(),
            client_event_id: id,
          },
        };
    return { id, at, msg };
  });
}

/** Sends the events in order without waiting, then collects one ack per message sent. */
async function replay(
  socket: TestSocket,
  events: Queued[],
): Promise<{ client_event_id: string; duplicate: boolean }[]> {
  for (const e of events) socket.send(e.msg);
  const acks = [];
  for (let i = 0; i < events.length; i++)
    acks.push((await socket.next((m) => m.type === 'ack' || m.type === 'error', 15_000)).payload);
  return acks;
}

describe('offline replay', () => {
  it('applies 30 queued status and GPS events exactly once and in order, whatever was sent twice', async () => {
    const [customer, driver] = await Promise.all([newCustomer(), newDriver()]);
    const jobId = await jobWith(customer, driver);
    const { socket: watcher } = await watch(customer.token, jobId);
    const events = offlineQueue(jobId);

    // The phone reconnects and starts replaying; the connection drops again after 12
    // events, before the acks of the last six got back to the phone.
    const first = await connect(driver.token);
    const firstAcks = await replay(first, events.slice(0, 12));
    expect(firstAcks.map((a) => a.duplicate)).toEqual(Array(12).fill(false));
    first.close();

    // Next connection: everything not acknowledged (6…29), with two events doubled by a flaky retry.
    const second = await connect(driver.token);
    const resend = [...events.slice(6, 16), events[15]!, ...events.slice(16, 21), events[20]!, ...events.slice(21)];
    const acks = await replay(second, resend);
    expect(acks.map((a) => a.client_event_id)).toEqual(resend.map((e) => e.id));
    const duplicates = acks.filter((a) => a.duplicate).map((a) => a.client_event_id);
    expect(duplicates).toEqual([
      'replay-006',
      'replay-007',
      'replay-008',
      'replay-009',
      'replay-010',
      'replay-011',
      'replay-015',
      'replay-020',
    ]);

    // Status: one event row per transition, in order, stamped with the device times.
    const statusRows = await db(
      async (d) =>
        (
          await d.execute<{ new_status: string; client_event_id: string | null; recorded_at: string | null }>(
            sql`SELECT new_status, client_event_id, recorded_at FROM job_status_events WHERE job_id = ${jobId} ORDER BY created_at, id`,
          )
        ).rows,
    );
    expect(statusRows.map((r) => [r.new_status, r.client_event_id])).toEqual([
      ['pending', null],
      ['assigned', null],
      ['en_route', 'replay-000'],
      ['arrived', 'replay-010'],
      ['in_progress', 'replay-020'],
    ]);
    expect(statusRows.slice(2).map((r) => new Date(r.recorded_at!).toISOString())).toEqual(
      [0, 10, 20].map((i) => events[i]!.at.toISOString()),
    );

    // GPS: every fix logged once, in device order.
    const pings = events.filter((e) => e.msg.type === 'location_ping');
    await flushLocations(jobId);
    const logged = await eventually(
      () =>
        db(
          async (d) =>
            (
              await d.execute<{ client_event_id: string; recorded_at: string }>(
                sql`SELECT client_event_id, recorded_at FROM driver_location_log WHERE driver_id = ${driver.profile_id} ORDER BY recorded_at`,
              )
            ).rows,
        ),
      (rows) => rows.length >= pings.length,
    );
    expect(logged.map((r) => r.client_event_id)).toEqual(pings.map((e) => e.id));
    expect(logged.map((r) => new Date(r.recorded_at).toISOString())).toEqual(pings.map((e) => e.at.toISOString()));

    // The room: its final location is the last fix; its watcher saw each fix once, in order.
    const last = pings.at(-1)!;
    const room = await env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId)).snapshot();
    expect(room).toMatchObject({
      status: 'in_progress',
      location: { ts: last.at.toISOString(), lat: last.msg.payload.lat, lng: last.msg.payload.lng },
    });
    const seen = watcher.messages.filter((m) => m.type === 'driver_location').map((m) => m.payload.ts);
    expect(seen).toEqual(pings.map((e) => e.at.toISOString()));
    const statuses = watcher.messages.filter((m) => m.type === 'job_status').map((m) => m.payload.new_status);
    expect(statuses).toEqual(['en_route', 'arrived', 'in_progress']);
    watcher.close();
    second.close();
  });
});
