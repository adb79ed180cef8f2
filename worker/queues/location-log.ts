import { z } from 'zod';
import * as t from '../../db/schema';
import { withDb } from '../lib/db';
import { flushDriverPositions, type DriverPosition } from '../services/positions';

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

/** How long a batch waits before the Queue redelivers it after a failed write. */
export const LOCATION_LOG_RETRY_SECONDS = 5;

/**
 * SQLSTATE classes of a row the database will never take — 22 (data exception), 23
 * (integrity constraint: a fix for a driver or job deleted meanwhile). Retrying cannot fix it.
 */
function refusedForGood(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^2[23]/.test(code)) return true;
  }
  return false;
}

/** Each driver's newest fix among these rows. */
function newestPositions(rows: (typeof t.driver_location_log.$inferInsert)[]): DriverPosition[] {
  const latest = new Map<string, DriverPosition>();
  for (const r of rows) {
    const ts = r.recorded_at!.toISOString();
    const held = latest.get(r.driver_id);
    if (!held || held.ts < ts) latest.set(r.driver_id, { driver_id: r.driver_id, lat: r.coordinates.lat, lng: r.coordinates.lng, ts });
  }
  return [...latest.values()];
}

/**
 * Writes a batch of fixes in one transaction — one INSERT into the GPS log and one UPDATE
 * of each driver's live position to their newest fix (never back to an older one; see
 * docs/decisions/0025) — then acknowledges each message. Malformed
 * messages are acknowledged and logged (retrying cannot fix them). When the database
 * write fails, every valid message is handed back with `retry()`: nothing is lost, the
 * Queue redelivers (up to `max_retries`, then the dead-letter queue) — unless the database
 * refused a row for good: one such row fails the whole INSERT, so the batch is then written
 * row by row and only the refused fix is set aside (logged), instead of taking the good
 * ones in its batch to the dead-letter queue with it.
 */
export async function consumeLocationLog(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const rows: (typeof t.driver_location_log.$inferInsert)[] = [];
  const accepted: Message<unknown>[] = [];
  for (const msg of batch.messages) {
    const parsed = LocationLogMessage.safeParse(msg.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ level: 'error', msg: 'dropping malformed location-log message', id: msg.id, issues: parsed.error.issues.length }));
      msg.ack();
      continue;
    }
    const p = parsed.data;
    accepted.push(msg);
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
  const settled = new Set<Message<unknown>>();
  try {
    await withDb(env, async (db) => {
      try {
        await db.transaction(async (tx) => {
          await tx.insert(t.driver_location_log).values(rows);
          await flushDriverPositions(tx, newestPositions(rows));
        });
        for (const msg of accepted) {
          settled.add(msg);
          msg.ack();
        }
        return;
      } catch (err) {
        if (!refusedForGood(err)) throw err;
      }
      const written: typeof rows = [];
      for (const [i, msg] of accepted.entries()) {
        try {
          await db.insert(t.driver_location_log).values(rows[i]!);
          written.push(rows[i]!);
        } catch (err) {
          if (!refusedForGood(err)) throw err;
          console.error(JSON.stringify({ level: 'error', msg: 'dropping location-log message the database refuses', id: msg.id, err: String((err as { cause?: unknown }).cause ?? err) }));
        }
        settled.add(msg);
        msg.ack();
      }
      await flushDriverPositions(db, newestPositions(written));
    });
  } catch (err) {
    const rest = accepted.filter((m) => !settled.has(m));
    console.error(JSON.stringify({ level: 'error', msg: 'location-log insert failed; batch will be retried', messages: rest.length, attempts: rest[0]?.attempts, err: String(err) }));
    for (const msg of rest) msg.retry({ delaySeconds: LOCATION_LOG_RETRY_SECONDS });
  }
}
