import type pg from 'pg';
import { METER_PATH, type MeterTally } from './meter-tally';

/** What one unit of use (a job, a driver-hour…) costs in each billed quantity. */
export interface Units {
  /** Worker invocations: HTTP requests and WebSocket upgrades, queue batches, cron runs. */
  worker_requests: number;
  /** CPU of the app's workerd process (Worker, Durable Objects and consumers together): an upper bound. */
  worker_cpu_ms: number;
  /** Stub calls (fetch, RPC), alarms, and incoming WebSocket messages at 20:1. */
  do_requests: number;
  /** Objects' active wall-clock at 128 MB. */
  do_gb_s: number;
  sqlite_rows_read: number;
  sqlite_rows_written: number;
  /** Writes, reads and deletes, per 64 KB of each message. */
  queue_ops: number;
  r2_class_a: number;
  r2_class_b: number;
  r2_bytes: number;
  /** Postgres transactions that wrote (`pg_current_xact_id`). */
  pg_write_xacts: number;
  /** Growth of the tables (`pg_total_relation_size`, indexes and TOAST included). */
  pg_bytes: number;
  notifications: number;
}

export const UNIT_KEYS = [
  'worker_requests',
  'worker_cpu_ms',
  'do_requests',
  'do_gb_s',
  'sqlite_rows_read',
  'sqlite_rows_written',
  'queue_ops',
  'r2_class_a',
  'r2_class_b',
  'r2_bytes',
  'pg_write_xacts',
  'pg_bytes',
  'notifications',
] as const satisfies readonly (keyof Units)[];

export async function readMeter(baseUrl: string): Promise<MeterTally> {
  const res = await fetch(`${baseUrl}${METER_PATH}`);
  if (res.status !== 200) throw new Error(`the meter answered ${res.status}: is the app running bench/cost-meter?`);
  return (await res.json()) as MeterTally;
}

type Tree = { [k: string]: number | Tree };

/** `after − before`, leaf by leaf (keys only `after` has count from zero). */
export function diff<T>(after: T, before: T): T {
  const walk = (a: Tree, b: Tree | undefined): Tree => {
    const out: Tree = {};
    for (const [k, v] of Object.entries(a)) {
      const prev = b?.[k];
      out[k] = typeof v === 'number' ? v - (typeof prev === 'number' ? prev : 0) : walk(v, prev as Tree | undefined);
    }
    return out;
  };
  return walk(after as Tree, before as Tree) as T;
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** The billed quantities in a meter delta, plus what the clients sent over WebSockets. */
export function billed(
  d: MeterTally,
  extra: { clientWsMessages: number; cpuMs: number; pgWrites: number; pgBytes: number; notifications: number },
  gbPerObject: number,
  messagesPerRequest: number,
): Units {
  const alarms = Object.entries(d.do_events)
    .filter(([k]) => k.endsWith('.alarm'))
    .reduce((a, [, v]) => a + v, 0);
  let queueOps = 0;
  for (const q of Object.values(d.queues)) {
    // Each message is written, read once per delivery, and deleted: per 64 KB chunk.
    const chunks = q.sent > 0 ? q.sent_chunks / q.sent : 1;
    queueOps += q.sent_chunks + q.delivered * chunks + q.sent_chunks;
  }
  return {
    worker_requests: d.worker.fetch + d.worker.queue_batches + d.worker.scheduled,
    worker_cpu_ms: extra.cpuMs,
    do_requests: sum(d.do_calls) + alarms + extra.clientWsMessages / messagesPerRequest,
    do_gb_s: (sum(d.do_active_ms) / 1000) * gbPerObject,
    sqlite_rows_read: d.sqlite.rows_read + d.kv.rows_read,
    sqlite_rows_written: d.sqlite.rows_written + d.kv.rows_written,
    queue_ops: queueOps,
    r2_class_a: d.r2.class_a,
    r2_class_b: d.r2.class_b,
    r2_bytes: d.r2.bytes_put,
    pg_write_xacts: extra.pgWrites,
    pg_bytes: extra.pgBytes,
    notifications: extra.notifications,
  };
}

export function scaleUnits(u: Units, by: number): Units {
  const out = { ...u };
  for (const k of UNIT_KEYS) out[k] = u[k] * by;
  return out;
}

export function addUnits(...all: Units[]): Units {
  const out = scaleUnits(all[0]!, 0);
  for (const u of all) for (const k of UNIT_KEYS) out[k] += u[k];
  return out;
}

/** Bytes of every table (partitions included, their parents not), with indexes and TOAST. */
export async function tableBytes(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ bytes: string }>(`
    SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')`);
  return Number(rows[0]!.bytes);
}

/** The number of write transactions Postgres has started so far. */
export async function writeXacts(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x');
  return Number(rows[0]!.x);
}
