import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { JobRoom } from '../../durable-objects/job-room';
import { newAdmin, jobWith, newCustomer, newDriver } from './fixtures';
import { connect, db, type TestSocket } from './helpers';
import { eventually, expectJoined, fix, flushLocations, watch, watchedPlow } from './realtime-fixtures';

/**
 * Reliability: a job's room is restarted while the driver streams GPS and people watch —
 * what a deploy, a runtime update or a crash does to a Durable Object. Unlike an eviction
 * (job-room.test.ts, "keeps the job status and location across an eviction", where the
 * hibernated sockets stay connected), a restart ends the room's sockets. The clients
 * reconnect, as the apps do, and must get the snapshot: the job's status and its latest
 * location, from the room's storage. No acknowledged fix is lost on the way to the GPS log.
 */

const room = (jobId: string) => env.JOB_ROOM.get(env.JOB_ROOM.idFromName(jobId));

/** Restarts the room as the runtime would: the instance is thrown away, storage stays. */
async function restart(jobId: string): Promise<void> {
  await runInDurableObject(room(jobId), (_r: JobRoom, state) => state.abort('chaos: restart')).catch(() => {
    // abort() rejects the call that made it; that is the point.
  });
}

describe('JobRoom restarted mid-stream', () => {
  it('drops its watchers, who reconnect to the latest location and keep following the stream; every acknowledged fix is logged once', async () => {
    const [customer, driver, dispatcher] = await Promise.all([newCustomer(), newDriver(), newAdmin()]);
    const jobId = await jobWith(customer, driver);
    const watchers: { token: string; socket: TestSocket }[] = [];
    for (const token of [customer.token, customer.token, dispatcher.token])
      watchers.push({ token, socket: (await watch(token, jobId)).socket });
    const plow = await connect(driver.token);
    const start = Date.now() - 60_000;
    const fixes = Array.from({ length: 12 }, (_, i) =>
      fix(43.2 + i / 1000, -71.54 + i / 1000, new Date(start + i * 5000), `restart-fix-${String(i).padStart(3, '0')}`),
    );
    const acked = async (i: number) =>
      (
        await plow.next(
          (m) => m.type === 'ack' && m.payload.client_event_id === fixes[i]!.payload.client_event_id,
          15_000,
        )
      ).payload;

    // Streaming: fixes 0–4 reach every watcher.
    for (let i = 0; i < 5; i++) {
      plow.send(fixes[i]);
      await acked(i);
    }
    for (const w of watchers) {
      await eventually(
        async () => w.socket.messages.filter((m) => m.type === 'driver_location').length,
        (n) => n === 5,
      );
    }

    // The room restarts while fixes 5–7 are on their way.
    const restarting = restart(jobId);
    for (let i = 5; i < 8; i++) plow.send(fixes[i]);
    await restarting;
    for (const w of watchers) await w.socket.waitClosed(15_000);
    for (let i = 5; i < 8; i++) expect(await acked(i)).toMatchObject({ duplicate: false });
    expect(plow.closed).toBeNull();

    // The apps reconnect: the snapshot has the status and the newest fix the room holds.
    const held = (await room(jobId).snapshot())!;
    expect(held).toMatchObject({ job_id: jobId, status: 'assigned', driver_id: driver.profile_id });
    const heldAt = fixes.findIndex((f) => f.payload.recorded_at === held.location?.ts);
    expect(heldAt, `room holds ${JSON.stringify(held.location)}`).toBeGreaterThanOrEqual(4);
    const again: TestSocket[] = [];
    for (const w of watchers) {
      const socket = await connect(w.token, `job:${jobId}`);
      await expectJoined(socket, jobId, { new_status: 'assigned', driver_id: driver.profile_id });
      expect(await socket.next()).toMatchObject({
        type: 'driver_location',
        payload: { job_id: jobId, ts: held.location!.ts, lat: fixes[heldAt]!.payload.lat },
      });
      again.push(socket);
    }

    // The stream goes on into the new instance and reaches the reconnected watchers.
    for (let i = 8; i < 12; i++) {
      plow.send(fixes[i]);
      await acked(i);
    }
    for (const socket of again) {
      const seen = await eventually(
        async () => socket.messages.filter((m) => m.type === 'driver_location').map((m) => m.payload.ts),
        (ts) => ts.length === 4,
      );
      expect(seen).toEqual(fixes.slice(8).map((f) => f.payload.recorded_at));
    }
    expect((await room(jobId).snapshot())!.location).toMatchObject({
      ts: fixes[11]!.payload.recorded_at,
      lat: fixes[11]!.payload.lat,
    });

    // Nothing acknowledged was lost: all twelve fixes reach the GPS log, once each.
    await flushLocations(jobId);
    const logged = await eventually(
      () =>
        db(
          async (d) =>
            (
              await d.execute<{ client_event_id: string }>(
                sql`SELECT client_event_id FROM driver_location_log WHERE driver_id = ${driver.profile_id} ORDER BY recorded_at`,
              )
            ).rows,
        ),
      (r) => r.length >= fixes.length,
    );
    expect(logged.map((r) => r.client_event_id)).toEqual(fixes.map((f) => f.payload.client_event_id));
    for (const s of [...again, plow]) s.close();
  });

  it('hands a status change made just after the restart to the watcher when it reconnects', async () => {
    const { customer, driver, jobId, watcher, plow } = await watchedPlow();

    // The room goes down and, before anyone reconnects, the driver moves the job on.
    await restart(jobId);
    await watcher.waitClosed(15_000);
    plow.send({
      type: 'status_change',
      payload: {
        job_id: jobId,
        new_status: 'en_route',
        client_event_id: `restart-status-${crypto.randomUUID().slice(0, 8)}`,
      },
    });
    expect(await plow.next((m) => m.type === 'ack' || m.type === 'error', 15_000)).toMatchObject({
      type: 'ack',
      payload: { duplicate: false },
    });

    const back = await connect(customer.token, `job:${jobId}`);
    await back.next((m) => m.type === 'subscribed');
    expect(await back.next((m) => m.type === 'job_status')).toMatchObject({
      payload: { job_id: jobId, new_status: 'en_route' },
    });
    expect(await room(jobId).snapshot()).toMatchObject({ status: 'en_route', driver_id: driver.profile_id });
    back.close();
    plow.close();
  });
});
