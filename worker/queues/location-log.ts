import { z } from 'zod';
import * as t from '../../db/schema';
import { withDb } from '../lib/db';

/** One GPS fix on its way to `driver_location_log`, as the Dispatch object enqueues it. */
export const LocationLogMessage = z.object({
  driver_id: z.uuid(),
  job_id: z.uuid().nullable(),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  accuracy: z.number().nullable(),
  heading: z.number().nullable(),
  speed: z.number().nullable(),
  ts: z.iso.datetime({ offset: true }),
  received_at: z.iso.datetime({ offset: true }),
  client_event_id: z.string().nullable().optional(),
});

/**
 * Writes a batch of fixes in one INSERT. Malformed messages are acknowledged and logged
 * (retrying cannot fix them); a database failure retries the whole batch.
 */
export async function consumeLocationLog(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const rows: (typeof t.driver_location_log.$inferInsert)[] = [];
  for (const msg of batch.messages) {
    const parsed = LocationLogMessage.safeParse(msg.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: 'error', msg: 'dropping malformed location-log message', id: msg.id, issues: parsed.error.issues.length }));
      msg.ack();
      continue;
    }
    const p = parsed.data;
    rows.push({
      driver_id: p.driver_id,
      job_id: p.job_id,
      coordinates: { lat: p.lat, lng: p.lng },
      accuracy_m: p.accuracy,
      heading: p.heading,
      speed: p.speed,
      recorded_at: new Date(p.ts),
      received_at: new Date(p.received_at),
      client_event_id: p.client_event_id ?? null,
    });
  }
  if (rows.length === 0) return;
  try {
    await withDb(env, (db) => db.insert(t.driver_location_log).values(rows));
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', msg: 'location-log insert failed; retrying batch', err: String(err) }));
    batch.retryAll({ delaySeconds: 5 });
  }
}
