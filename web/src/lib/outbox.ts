/**
 * The driver's offline outbox (SPEC §2, ApexPlow §4 "Offline Resilience"): status changes,
 * GPS batches, payments and job photos made without a connection are kept in IndexedDB, in the order
 * they happened, each with its own `client_event_id` and the device time it happened
 * (`recorded_at`). When the connection returns they are replayed strictly in that order,
 * one at a time; an item leaves the outbox only once the server has taken it (or refused
 * it for good). The server dedupes on `client_event_id`, so a replay whose answer was lost
 * on the way back is applied once — exactly once, end to end.
 *
 *   await outbox.enqueue({ kind: 'status', owner, job_id, client_event_id, recorded_at, body });
 *   await outbox.flush(sendItem);   // on 'online', on socket open, on app start
 *
 * Storage is behind `OutboxStore` so the ordering rules are unit-tested without a browser.
 */

import type { LocationPing } from '../../../contract/ws';

export type OutboxKind = 'status' | 'gps' | 'payment' | 'photo';

export interface OutboxItem<B = unknown> {
  /** Order of enqueueing (IndexedDB auto-increment key). */
  seq?: number;
  kind: OutboxKind;
  /** The user whose action this was: a shared phone never replays someone else's. */
  owner: string;
  job_id: string | null;
  client_event_id: string;
  /** Device time of the action (ISO-8601). */
  recorded_at: string;
  body: B;
  attempts: number;
  last_error: string | null;
}

/** A GPS batch: fixes taken while offline, sent one by one on replay (each has its own id). */
export interface GpsBatchBody {
  pings: LocationPing[];
}

/**
 * A before/after photo taken without a connection: the shrunk picture itself (IndexedDB keeps
 * Blobs) and its stamps; on replay it is uploaded and recorded, ahead of a "finish" queued after it.
 */
export interface PhotoItemBody {
  kind: 'before' | 'after';
  blob: Blob;
  captured_at: string;
  lat?: number;
  lng?: number;
  accuracy_m?: number;
}

export type SendOutcome =
  /** The server has it (new or a duplicate it recognised): remove. */
  | { outcome: 'sent' }
  /** No connection / server busy: keep it and stop here, so order is kept. */
  | { outcome: 'retry'; error?: string }
  /** Refused for good (e.g. the job was cancelled meanwhile): remove and tell the driver. */
  | { outcome: 'rejected'; error: string };

export type Sender = (item: OutboxItem, saveProgress: (body: unknown) => Promise<void>) => Promise<SendOutcome>;

export interface FlushReport {
  sent: number;
  rejected: { item: OutboxItem; error: string }[];
  /** Items still waiting (a retry stopped the flush). */
  remaining: number;
}

export interface OutboxStore {
  add(item: OutboxItem): Promise<number>;
  put(item: OutboxItem): Promise<void>;
  delete(seq: number): Promise<void>;
  /** Every item, oldest first. */
  all(): Promise<OutboxItem[]>;
}

/** In memory (unit tests, and browsers without IndexedDB such as some private modes). */
export class MemoryStore implements OutboxStore {
  #items = new Map<number, OutboxItem>();
  #next = 1;
  async add(item: OutboxItem) {
    const seq = this.#next++;
    this.#items.set(seq, structuredClone({ ...item, seq }));
    return seq;
  }
  async put(item: OutboxItem) {
    if (item.seq !== undefined) this.#items.set(item.seq, structuredClone(item));
  }
  async delete(seq: number) {
    this.#items.delete(seq);
  }
  async all() {
    return [...this.#items.values()].sort((a, b) => a.seq! - b.seq!).map((i) => structuredClone(i));
  }
}

const DB_NAME = 'plowdispatch';
const STORE = 'outbox';

/** IndexedDB: survives reloads, the tab being killed, and the phone restarting. */
export class IdbStore implements OutboxStore {
  #db: Promise<IDBDatabase> | null = null;

  #open(): Promise<IDBDatabase> {
    this.#db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE))
          req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
    });
    return this.#db;
  }

  async #tx<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.#open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = run(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
    });
  }

  async add(item: OutboxItem) {
    const { seq: _seq, ...rest } = item;
    return Number(await this.#tx('readwrite', (s) => s.add(rest)));
  }
  async put(item: OutboxItem) {
    await this.#tx('readwrite', (s) => s.put(item));
  }
  async delete(seq: number) {
    await this.#tx('readwrite', (s) => s.delete(seq));
  }
  async all() {
    const items = (await this.#tx('readonly', (s) => s.getAll())) as OutboxItem[];
    return items.sort((a, b) => a.seq! - b.seq!);
  }
}

/** Fixes per GPS batch: a batch is one outbox row, replayed ping by ping. */
export const MAX_BATCH_PINGS = 50;

export class Outbox {
  readonly #store: OutboxStore;
  readonly #lockName: string;
  readonly #listeners = new Set<() => void>();
  #snapshot: readonly OutboxItem[] = [];
  #loaded: Promise<void> | null = null;
  #flushing: Promise<FlushReport> | null = null;
  /** Serializes writes so "append to the last batch" never races another enqueue. */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(store: OutboxStore, lockName = 'plowdispatch-outbox') {
    this.#store = store;
    this.#lockName = lockName;
  }

  /** Items as last read (oldest first); stable between changes, for useSyncExternalStore. */
  items = (): readonly OutboxItem[] => {
    void this.load();
    return this.#snapshot;
  };

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  load(): Promise<void> {
    this.#loaded ??= this.#refresh();
    return this.#loaded;
  }

  async #refresh(): Promise<void> {
    this.#snapshot = await this.#store.all();
    for (const l of this.#listeners) l();
  }

  #write<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#writes.then(fn, fn);
    this.#writes = run.catch(() => undefined);
    return run.finally(() => this.#refresh());
  }

  enqueue(item: Omit<OutboxItem, 'seq' | 'attempts' | 'last_error'>): Promise<number> {
    return this.#write(() => this.#store.add({ ...item, attempts: 0, last_error: null }));
  }

  /**
   * Adds one fix to the newest GPS batch when it is the last thing queued (same owner and
   * job, not full); otherwise starts a batch. A status change in between starts a new one,
   * so the replay keeps "drove, then arrived, then drove on" in that order.
   */
  appendPing(owner: string, jobId: string | null, ping: GpsBatchBody['pings'][number]): Promise<void> {
    return this.#write(async () => {
      const all = await this.#store.all();
      const last = all.at(-1);
      if (
        last &&
        last.kind === 'gps' &&
        last.owner === owner &&
        last.job_id === jobId &&
        (last.body as GpsBatchBody).pings.length < MAX_BATCH_PINGS &&
        last.attempts === 0
      ) {
        (last.body as GpsBatchBody).pings.push(ping);
        await this.#store.put(last);
        return;
      }
      await this.#store.add({
        kind: 'gps',
        owner,
        job_id: jobId,
        client_event_id: ping.client_event_id ?? `gpsbatch-${Date.now()}`,
        recorded_at: ping.recorded_at ?? new Date().toISOString(),
        body: { pings: [ping] } satisfies GpsBatchBody,
        attempts: 0,
        last_error: null,
      });
    });
  }

  /**
   * Takes an item back before it is sent: true when it was still waiting. Runs under the
   * replay's lock, so an item already on its way finishes first and is reported gone.
   */
  async withdraw(seq: number): Promise<boolean> {
    await this.#flushing?.catch(() => undefined);
    return this.#withLock(() =>
      this.#write(async () => {
        const waiting = (await this.#store.all()).some((i) => i.seq === seq);
        if (waiting) await this.#store.delete(seq);
        return waiting;
      }),
    );
  }

  /**
   * Replays `owner`'s items oldest first, one at a time. Stops at the first `retry` so a
   * later item never overtakes an earlier one. Single-flight within a tab and, through a
   * Web Lock, across tabs: two tabs never replay the same row at once.
   */
  flush(owner: string, send: Sender): Promise<FlushReport> {
    this.#flushing ??= this.#withLock(() => this.#flush(owner, send)).finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  async #flush(owner: string, send: Sender): Promise<FlushReport> {
    const report: FlushReport = { sent: 0, rejected: [], remaining: 0 };
    const items = (await this.#store.all()).filter((i) => i.owner === owner);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      let result: SendOutcome;
      try {
        result = await send(item, async (body) => {
          item.body = body;
          await this.#write(() => this.#store.put(item));
        });
      } catch (err) {
        result = { outcome: 'retry', error: err instanceof Error ? err.message : String(err) };
      }
      if (result.outcome === 'retry') {
        item.attempts += 1;
        item.last_error = result.error ?? null;
        await this.#write(() => this.#store.put(item));
        report.remaining = items.length - i;
        return report;
      }
      await this.#write(() => this.#store.delete(item.seq!));
      if (result.outcome === 'sent') report.sent += 1;
      else report.rejected.push({ item, error: result.error });
    }
    return report;
  }

  async #withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) return fn();
    return locks.request(this.#lockName, fn);
  }
}

/** The app's one outbox (IndexedDB when the browser has it). */
export const outbox = new Outbox(typeof indexedDB !== 'undefined' ? new IdbStore() : new MemoryStore());
