/**
 * The app's Worker with a meter around it, for `npm run bench:cost` (`wrangler dev` runs
 * this module in place of wrangler.toml's `main`; the app's code runs unchanged). It counts
 * what Cloudflare bills, where it happens:
 *
 * - Worker invocations: fetch (and WebSocket upgrades among them), queue batches, cron runs;
 * - Durable Object requests: every call on a stub (fetch or RPC method), counted at the
 *   caller, plus incoming WebSocket messages, closes and alarms, counted in the object;
 * - Durable Object active time: wall-clock while an object has an event or call in progress
 *   (an object that can hibernate is not billed for idle time);
 * - SQLite rows read and written (`cursor.rowsRead` / `rowsWritten` of every `sql.exec`),
 *   and the key-value API and `setAlarm`, which Cloudflare bills as rows;
 * - Queue messages sent (with their size) and delivered to the consumer, per queue;
 * - R2 Class A (put, list) and Class B (get, head) operations and bytes stored.
 *
 * All objects of a local `wrangler dev` share one isolate, so one module-level tally sees
 * the Worker and every Durable Object. `GET /api/__meter` returns it: under `/api/`, so the
 * request reaches the Worker first even when the web app is built and served as assets.
 */
import app, {
  AutoDispatch as AutoDispatchBase,
  CronSchedule as CronScheduleBase,
  Dispatch as DispatchBase,
  JobRoom as JobRoomBase,
  RateCounter as RateCounterBase,
  SessionGuard as SessionGuardBase,
} from '../../worker/index';
import { METER_PATH, type MeterTally } from '../lib/meter-tally';

type Counts = Record<string, number>;

const tally: MeterTally = {
  worker: { fetch: 0, upgrades: 0, queue_batches: 0, scheduled: 0 },
  do_calls: {},
  do_events: {},
  do_active_ms: {},
  sqlite: { statements: 0, rows_read: 0, rows_written: 0 },
  kv: { rows_read: 0, rows_written: 0, set_alarm: 0 },
  queues: {},
  r2: { class_a: 0, class_b: 0, bytes_put: 0, objects_put: 0 },
};

const bump = (counts: Counts, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** Cursors whose row counts are read when the tally is (they grow while they are iterated). */
let cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];

function settleCursors(): void {
  for (const c of cursors) {
    tally.sqlite.rows_read += c.rowsRead;
    tally.sqlite.rows_written += c.rowsWritten;
  }
  cursors = [];
}

// ---- bindings seen from the Worker and the objects ----

const QUEUE_METADATA_BYTES = 100;

function meteredQueue(name: string, queue: Queue): Queue {
  const t = (tally.queues[name] ??= { sent: 0, sent_bytes: 0, sent_chunks: 0, delivered: 0, redelivered: 0 });
  const count = (body: unknown) => {
    const bytes = JSON.stringify(body ?? null).length + QUEUE_METADATA_BYTES;
    t.sent++;
    t.sent_bytes += bytes;
    t.sent_chunks += Math.max(1, Math.ceil(bytes / 64_000));
  };
  return new Proxy(queue, {
    get(target, prop) {
      if (prop === 'send')
        return (body: unknown, opts?: QueueSendOptions) => {
          count(body);
          return target.send(body, opts);
        };
      if (prop === 'sendBatch')
        return (messages: Iterable<MessageSendRequest>, opts?: QueueSendBatchOptions) => {
          const list = [...messages];
          for (const m of list) count(m.body);
          return target.sendBatch(list, opts);
        };
      return Reflect.get(target, prop);
    },
  });
}

function meteredBucket(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const fn = Reflect.get(target, prop) as unknown;
      if (typeof fn !== 'function') return fn;
      return (...args: unknown[]) => {
        if (prop === 'put') {
          tally.r2.class_a++;
          tally.r2.objects_put++;
          return (fn as R2Bucket['put']).apply(target, args as Parameters<R2Bucket['put']>).then((o) => {
            tally.r2.bytes_put += o?.size ?? 0;
            return o;
          });
        }
        if (prop === 'list' || prop === 'createMultipartUpload') tally.r2.class_a++;
        if (prop === 'get' || prop === 'head') tally.r2.class_b++;
        return (fn as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const NOT_CALLS = new Set<string | symbol>(['then', 'id', 'name', 'toJSON']);

function meteredStub<T extends object>(cls: string, stub: T): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof prop !== 'string' || NOT_CALLS.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        bump(tally.do_calls, `${cls}.${prop}`);
        return Reflect.apply(value as (...a: unknown[]) => unknown, target, args);
      };
    },
  });
}

function meteredNamespace(cls: string, ns: DurableObjectNamespace): DurableObjectNamespace {
  return new Proxy(ns, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if ((prop === 'get' || prop === 'getByName') && typeof value === 'function')
        return (...args: unknown[]) =>
          meteredStub(cls, Reflect.apply(value as (...a: unknown[]) => object, target, args));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const NAMESPACES: Record<string, string> = {
  JOB_ROOM: 'JobRoom',
  DISPATCH: 'Dispatch',
  SESSION_GUARD: 'SessionGuard',
  RATE_COUNTER: 'RateCounter',
  AUTO_DISPATCH: 'AutoDispatch',
  CRON_SCHEDULE: 'CronSchedule',
};
const QUEUES = ['LOCATION_LOG', 'NOTIFICATIONS', 'INVOICES'] as const;

const meteredEnvs = new WeakMap<object, Env>();

/** The same bindings, each behind its meter (made once per env object). */
function metered(env: Env): Env {
  let out = meteredEnvs.get(env);
  if (out) return out;
  const copy: Record<string, unknown> = { ...env };
  for (const [binding, cls] of Object.entries(NAMESPACES))
    copy[binding] = meteredNamespace(cls, env[binding as keyof Env] as unknown as DurableObjectNamespace);
  for (const q of QUEUES) copy[q] = meteredQueue(q, env[q]);
  copy.FILES = meteredBucket(env.FILES);
  out = copy as unknown as Env;
  meteredEnvs.set(env, out);
  return out;
}

// ---- storage, patched once on the runtime's prototypes ----

let storagePatched = false;

function patchStorage(storage: DurableObjectStorage): void {
  if (storagePatched) return;
  storagePatched = true;
  const sqlProto = Object.getPrototypeOf(storage.sql) as SqlStorage;
  const exec = sqlProto.exec;
  sqlProto.exec = function (this: SqlStorage, ...args: Parameters<SqlStorage['exec']>) {
    const cursor = exec.apply(this, args);
    tally.sqlite.statements++;
    cursors.push(cursor);
    return cursor;
  } as SqlStorage['exec'];

  const keysIn = (k: unknown) => (Array.isArray(k) ? k.length : 1);
  const entriesIn = (k: unknown) => (typeof k === 'string' ? 1 : Object.keys(k as object).length);
  const wrap = <O extends object>(proto: O, name: string, counter: (args: unknown[], result: unknown) => void) => {
    const fn = Reflect.get(proto, name) as ((...a: unknown[]) => unknown) | undefined;
    if (typeof fn !== 'function') return;
    Reflect.set(proto, name, function (this: unknown, ...args: unknown[]) {
      const result = fn.apply(this, args);
      counter(args, result);
      return result;
    });
  };
  const storageProto = Object.getPrototypeOf(storage) as object;
  wrap(storageProto, 'get', (a) => (tally.kv.rows_read += keysIn(a[0])));
  wrap(storageProto, 'put', (a) => (tally.kv.rows_written += entriesIn(a[0])));
  wrap(storageProto, 'delete', (a) => (tally.kv.rows_written += keysIn(a[0])));
  wrap(storageProto, 'list', (_a, r) => {
    void (r as Promise<Map<string, unknown>>).then((m) => (tally.kv.rows_read += Math.max(1, m.size)));
  });
  wrap(storageProto, 'setAlarm', () => {
    tally.kv.rows_written++;
    tally.kv.set_alarm++;
  });
  const kv = (storage as { kv?: object }).kv;
  if (kv) {
    const kvProto = Object.getPrototypeOf(kv) as object;
    wrap(kvProto, 'get', (a) => (tally.kv.rows_read += keysIn(a[0])));
    wrap(kvProto, 'put', () => tally.kv.rows_written++);
    wrap(kvProto, 'delete', () => tally.kv.rows_written++);
  }
}

// ---- objects: events counted, active time summed ----

const EVENTS = new Set(['webSocketMessage', 'webSocketClose', 'webSocketError', 'alarm']);
const active = new WeakMap<object, { depth: number; since: number }>();

function enter(self: object): void {
  const a = active.get(self) ?? { depth: 0, since: 0 };
  if (a.depth++ === 0) a.since = performance.now();
  active.set(self, a);
}

function leave(cls: string, self: object): void {
  const a = active.get(self);
  if (!a) return;
  if (--a.depth === 0) bump(tally.do_active_ms, cls, performance.now() - a.since);
}

// biome-ignore lint/suspicious/noExplicitAny: a class of any constructor shape
type AnyClass = abstract new (...args: any[]) => object;

/** A subclass whose every method is timed (RPC sees prototype methods only) and whose env is metered. */
function meterClass<C extends AnyClass>(cls: string, Base: C): C {
  // biome-ignore lint/suspicious/noExplicitAny: forwarding the runtime's (ctx, env)
  const Sub = class extends (Base as any) {
    constructor(ctx: DurableObjectState, env: Env) {
      patchStorage(ctx.storage);
      super(ctx, metered(env));
    }
  };
  for (const key of Object.getOwnPropertyNames(Base.prototype)) {
    const desc = Object.getOwnPropertyDescriptor(Base.prototype, key);
    if (key === 'constructor' || !desc || typeof desc.value !== 'function') continue;
    const fn = desc.value as (...a: unknown[]) => unknown;
    Object.defineProperty(Sub.prototype, key, {
      ...desc,
      value(this: object, ...args: unknown[]) {
        if (EVENTS.has(key)) bump(tally.do_events, `${cls}.${key}`);
        enter(this);
        let result: unknown;
        try {
          result = fn.apply(this, args);
        } catch (err) {
          leave(cls, this);
          throw err;
        }
        if (result instanceof Promise) return result.finally(() => leave(cls, this));
        leave(cls, this);
        return result;
      },
    });
  }
  return Sub as unknown as C;
}

export const JobRoom = meterClass('JobRoom', JobRoomBase);
export const Dispatch = meterClass('Dispatch', DispatchBase);
export const SessionGuard = meterClass('SessionGuard', SessionGuardBase);
export const RateCounter = meterClass('RateCounter', RateCounterBase);
export const AutoDispatch = meterClass('AutoDispatch', AutoDispatchBase);
export const CronSchedule = meterClass('CronSchedule', CronScheduleBase);

export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === METER_PATH) {
      settleCursors();
      return Response.json(tally);
    }
    tally.worker.fetch++;
    if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') tally.worker.upgrades++;
    return app.fetch(request, metered(env), ctx);
  },
  queue(batch, env) {
    tally.worker.queue_batches++;
    const name = Object.keys(tally.queues).find((q) => batch.queue.replaceAll('-', '_').includes(q.toLowerCase()));
    const t = (tally.queues[name ?? batch.queue] ??= {
      sent: 0,
      sent_bytes: 0,
      sent_chunks: 0,
      delivered: 0,
      redelivered: 0,
    });
    t.delivered += batch.messages.length;
    t.redelivered += batch.messages.filter((m) => m.attempts > 1).length;
    return app.queue(batch, metered(env));
  },
  scheduled(controller, env, ctx) {
    tally.worker.scheduled++;
    return app.scheduled(controller, metered(env), ctx);
  },
} satisfies ExportedHandler<Env>;
