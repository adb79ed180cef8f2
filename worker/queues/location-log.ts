import { z } from 'zod';
import { sql } from 'drizzle-orm';
import { geographyPointSql } from '../../db/geo';
import { withDb, type Db } from '../lib/db';
import { flushDriverPositions, type DriverPosition } from '../services/positions';
import { log } from '../lib/log';
import { readMessage } from './message';

/** One GPS fix on its way to `driver_location_log`. */
export const LocationFix = z.object({
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

/** Most fixes one message carries (a message may hold 128 KB; a fix is about 300 bytes). */
export const FIXES_PER_MESSAGE = 100;

/**
 * A message of the GPS-log queue: a batch of fixes from one object's outbox (what
 * `GpsOutbox` sends: one message per batch, since Queues bill per message), or a single fix
 * (what earlier deploys sent; still read, so messages already queued during a deploy land).
 */
export const LocationLogMessage = z.union([
  LocationFix,
  z.object({ fixes: z.array(z.unknown()).min(1).max(FIXES_PER_MESSAGE) }),
]);

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

/** A validated fix as one element of the JSON array the INSERT reads (absent keys read as NULL). */
type LogRow = z.infer<typeof LocationFix>;

/** Each driver's newest fix among these rows. */
function newestPositions(rows: LogRow[]): DriverPosition[] {
  const latest = new Map<string, DriverPosition>();
  for (const r of rows) {
    const held = latest.get(r.driver_id);
    if (!held || Date.parse(held.ts) < Date.parse(r.ts))
      latest.set(r.driver_id, { driver_id: r.driver_id, lat: r.lat, lng: r.lng, ts: r.ts });
  }
  return [...latest.values()];
}

/**
 * One INSERT for the whole batch with the rows as a single JSON parameter, read back by
 * `jsonb_to_recordset`. This is the hot write path of every driver's stream: built per
 * column per row through the query builder, a batch of 50 fixes cost the isolate about
 * 0.8 MB of short-lived objects, and that garbage is shared with the Durable Objects'
 * message handling (docs/decisions/0061).
 */
async function insertLog(db: Pick<Db, 'execute'>, rows: LogRow[]): Promise<void> {
  await db.execute(sql`
    INSERT INTO driver_location_log (driver_id, job_id, coordinates, accuracy_m, heading, speed, recorded_at, received_at, client_event_id)
    SELECT r.driver_id, r.job_id, ${geographyPointSql(sql.raw('r.lat'), sql.raw('r.lng'))},
           r.accuracy, r.heading, r.speed, r.ts, r.received_at, r.client_event_id
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(
      driver_id uuid, job_id uuid, lat double precision, lng double precision, accuracy numeric,
      heading double precision, speed double precision, ts timestamptz, received_at timestamptz, client_event_id text)`);
}

/**
 * Writes a batch of fixes in one transaction — one INSERT into the GPS log and one UPDATE
 * of each driver's live position to their newest fix (never back to an older one; see
 * docs/decisions/0025) — then acknowledges each message. Malformed messages, and malformed
 * fixes inside a message, are set aside and logged (retrying cannot fix them). When the
 * database write fails, every message with fixes still to write is handed back with
 * `retry()`: nothing is lost, the Queue redelivers (up to `max_retries`, then the
 * dead-letter queue) — unless the database refused a row for good: one such row fails the
 * whole INSERT, so the batch is then written fix by fix and only the refused fix is set
 * aside (logged), instead of taking the good ones in its batch to the dead-letter queue.
 */
export async function consumeLocationLog(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const rows: LogRow[] = [];
  /** The message each row came in. */
  const from: Message<unknown>[] = [];
  const accepted: Message<unknown>[] = [];
  for (const msg of batch.messages) {
    const body = readMessage(msg, LocationLogMessage, 'dropping malformed location-log message');
    if (!body) continue;
    const fixes = 'fixes' in body ? body.fixes : [body];
    let good = 0;
    for (const [i, candidate] of fixes.entries()) {
      const fix = LocationFix.safeParse(candidate);
      if (!fix.success) {
        log.error({
          msg: 'dropping malformed fix in a location-log message',
          id: msg.id,
          index: i,
          issues: fix.error.issues.length,
        });
        continue;
      }
      rows.push(fix.data);
      from.push(msg);
      good++;
    }
    if (good === 0) msg.ack();
    else accepted.push(msg);
  }
  if (rows.length === 0) return;
  const settled = new Set<Message<unknown>>();
  try {
    await withDb(env, async (db) => {
      try {
        await db.transaction(async (tx) => {
          await insertLog(tx, rows);
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
      // Fix by fix; a message is acknowledged once all of its fixes are written or set aside.
      const left = new Map<Message<unknown>, number>();
      for (const msg of from) left.set(msg, (left.get(msg) ?? 0) + 1);
      const written: typeof rows = [];
      for (const [i, row] of rows.entries()) {
        const msg = from[i]!;
        try {
          await insertLog(db, [row]);
          written.push(row);
        } catch (err) {
          if (!refusedForGood(err)) throw err;
          log.error({
            msg: 'dropping a fix the database refuses',
            id: msg.id,
            client_event_id: row.client_event_id ?? null,
            err: String((err as { cause?: unknown }).cause ?? err),
          });
        }
        const remaining = left.get(msg)! - 1;
        left.set(msg, remaining);
        if (remaining === 0) {
          settled.add(msg);
          msg.ack();
        }
      }
      await flushDriverPositions(db, newestPositions(written));
    });
  } catch (err) {
    const rest = accepted.filter((m) => !settled.has(m));
    log.error({
      msg: 'location-log insert failed; batch will be retried',
      messages: rest.length,
      attempts: rest[0]?.attempts,
      err: String(err),
    });
    for (const msg of rest) msg.retry({ delaySeconds: LOCATION_LOG_RETRY_SECONDS });
  }
}
