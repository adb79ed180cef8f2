/**
 * Many lookups answered by few calls: a key asked while a call is in flight joins it when
 * the call carries that key, and otherwise waits for the next call, which takes every key
 * asked meanwhile. At most one call runs at a time, so a
 * burst of first pings from hundreds of drivers costs the database a query or two, not
 * hundreds at once. A failed call fails only the keys it carried.
 */
export class BatchedLookup<K, V> {
  #waiting = new Map<K, Waiter<V>>();
  /** The keys of the call in flight: asking one of them again joins that call. */
  #asked = new Map<K, Waiter<V>>();
  #running = false;

  constructor(private readonly fetchMany: (keys: K[]) => Promise<Map<K, V>>) {}

  /** The value for `key`, or undefined when the call found none. */
  get(key: K): Promise<V | undefined> {
    let waiter = this.#waiting.get(key) ?? this.#asked.get(key);
    if (!waiter) {
      waiter = newWaiter<V>();
      this.#waiting.set(key, waiter);
    }
    if (!this.#running) void this.#drain();
    return waiter.promise;
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiting.size > 0) {
        const batch = this.#waiting;
        this.#asked = batch;
        this.#waiting = new Map();
        try {
          const found = await this.fetchMany([...batch.keys()]);
          for (const [key, waiter] of batch) waiter.resolve(found.get(key));
        } catch (err) {
          for (const waiter of batch.values()) waiter.reject(err);
        }
      }
    } finally {
      this.#asked = new Map();
      this.#running = false;
    }
  }
}

interface Waiter<V> {
  promise: Promise<V | undefined>;
  resolve: (value: V | undefined) => void;
  reject: (err: unknown) => void;
}

function newWaiter<V>(): Waiter<V> {
  let resolve!: Waiter<V>['resolve'];
  let reject!: Waiter<V>['reject'];
  const promise = new Promise<V | undefined>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
