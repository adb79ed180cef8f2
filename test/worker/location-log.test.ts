import { env } from 'cloudflare:workers';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { LOCATION_LOG_RETRY_SECONDS, consumeLocationLog } from '../../worker/queues/location-log';
import { newDriver } from './fixtures';
import { db } from './helpers';
import { storedPosition } from './realtime-fixtures';

/**
 * A batch as the Queues runtime hands it to the consumer, recording what the consumer
 * does with each message (the runtime itself is outside SaaS here: its delivery is not
 * what these tests are about).
 */
function batchOf(bodies: unknown[]) {
  const outcome = new Map<string, string>();
  const messages = bodies.map((body, i) => ({
    id: `m${i}`,
    timestamp: new Date(),
    attempts: 1,
    body,
    ack: () => void outcome.set(`m${i}`, 'ack'),
    retry: (o?: QueueRetryOptions) => void outcome.set(`m${i}`, `retry:${o?.delaySeconds ?? 0}`),
  }));
  const batch: MessageBatch<unknown> = {
    queue: 'plowdispatch-location-log',
    metadata: { metrics: { backlogCount: messages.length, backlogBytes: 0 } },
    messages,
    ackAll: () => {
      for (const m of messages) m.ack();
    },
    retryAll: (o?: QueueRetryOptions) => {
      for (const m of messages) m.retry(o);
    },
  };
  return { batch, outcome };
}

function fixFor(driverId: string, n: number) {
  const at = new Date(Date.now() - (10 - n) * 1000).toISOString();
  return {
    driver_id: driverId,
    job_id: null,
    lat: 43.2 + n / 1000,
    lng: -71.5,
    accuracy: 4,
    heading: null,
    speed: null,
    ts: at,
    received_at: at,
    client_event_id: `queue-fix-${n}`,
  };
}

const loggedFor = (driverId: string) =>
  db(async (d) =>
    (
      await d.execute<{ client_event_id: string }>(
        sql`SELECT client_event_id FROM driver_location_log WHERE driver_id = ${driverId} ORDER BY recorded_at`,
      )
    ).rows.map((r) => r.client_event_id),
  );

describe('the location-log queue consumer', () => {
  it('hands a batch back for retry while the database is down, and writes it once it is back', async () => {
    const driver = await newDriver();
    const bodies = [1, 2, 3].map((n) => fixFor(driver.profile_id, n));

    const broken = { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nowhere' };
    const first = batchOf(bodies);
    await consumeLocationLog(first.batch, broken);
    expect([...first.outcome.values()]).toEqual([1, 2, 3].map(() => `retry:${LOCATION_LOG_RETRY_SECONDS}`));
    expect(await loggedFor(driver.profile_id)).toEqual([]);

    const redelivered = batchOf(bodies);
    await consumeLocationLog(redelivered.batch, env);
    expect([...redelivered.outcome.values()]).toEqual(['ack', 'ack', 'ack']);
    expect(await loggedFor(driver.profile_id)).toEqual(['queue-fix-1', 'queue-fix-2', 'queue-fix-3']);
  });

  it('acknowledges malformed messages without retrying them and still writes the good ones', async () => {
    const driver = await newDriver();
    const { batch, outcome } = batchOf([{ driver_id: 'nope' }, fixFor(driver.profile_id, 4), 'garbage']);
    await consumeLocationLog(batch, env);
    expect(Object.fromEntries(outcome)).toEqual({ m0: 'ack', m1: 'ack', m2: 'ack' });
    expect(await loggedFor(driver.profile_id)).toEqual(['queue-fix-4']);
  });

  it('sets aside only a fix the database refuses for good, and moves each live position to its newest fix', async () => {
    const driver = await newDriver();
    const gone = crypto.randomUUID(); // no such driver: the foreign key refuses it (23503)
    const fixes = [
      fixFor(driver.profile_id, 6),
      { ...fixFor(gone, 7), client_event_id: 'queue-fix-gone' },
      fixFor(driver.profile_id, 5),
    ];
    const { batch, outcome } = batchOf(fixes);
    await consumeLocationLog(batch, env);
    expect(Object.fromEntries(outcome)).toEqual({ m0: 'ack', m1: 'ack', m2: 'ack' });
    expect(await loggedFor(driver.profile_id)).toEqual(['queue-fix-5', 'queue-fix-6']);
    expect(await loggedFor(gone)).toEqual([]);

    const afterFirst = await storedPosition(driver.profile_id);
    expect(afterFirst.lat).toBeCloseTo(fixes[0]!.lat, 9);
    expect(new Date(afterFirst.at!).getTime()).toBe(Date.parse(fixes[0]!.ts));

    // A late batch holding only an older fix is logged but does not move the position back.
    const late = batchOf([{ ...fixFor(driver.profile_id, 1), client_event_id: 'queue-fix-late' }]);
    await consumeLocationLog(late.batch, env);
    expect(await loggedFor(driver.profile_id)).toEqual(['queue-fix-late', 'queue-fix-5', 'queue-fix-6']);
    expect((await storedPosition(driver.profile_id)).lat).toBeCloseTo(fixes[0]!.lat, 9);
  });

  it('reads a message of many fixes (an outbox batch) next to a single-fix one; a bad or refused fix inside is set aside, its neighbours written', async () => {
    const driver = await newDriver();
    const gone = crypto.randomUUID();
    const bundle = {
      fixes: [
        fixFor(driver.profile_id, 5),
        { ...fixFor(driver.profile_id, 9), lat: 'north' },
        { ...fixFor(gone, 7), client_event_id: 'queue-fix-gone' },
        fixFor(driver.profile_id, 6),
      ],
    };
    const { batch, outcome } = batchOf([bundle, fixFor(driver.profile_id, 8), { fixes: [] }]);
    await consumeLocationLog(batch, env);
    expect(Object.fromEntries(outcome)).toEqual({ m0: 'ack', m1: 'ack', m2: 'ack' });
    expect(await loggedFor(driver.profile_id)).toEqual(['queue-fix-5', 'queue-fix-6', 'queue-fix-8']);
    expect(await loggedFor(gone)).toEqual([]);
    expect((await storedPosition(driver.profile_id)).lat).toBeCloseTo(fixFor(driver.profile_id, 8).lat, 9);

    // While the database is down, the whole message goes back for retry, not fix by fix.
    const down = batchOf([{ fixes: [fixFor(driver.profile_id, 2), fixFor(driver.profile_id, 3)] }]);
    await consumeLocationLog(down.batch, { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nowhere' });
    expect(Object.fromEntries(down.outcome)).toEqual({ m0: `retry:${LOCATION_LOG_RETRY_SECONDS}` });
  });
});
