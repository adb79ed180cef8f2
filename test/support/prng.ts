/**
 * A small seeded pseudo-random generator for property and fuzz tests (mulberry32): the
 * same seed gives the same sequence, so a failure prints its seed and can be replayed
 * with `PROPERTY_SEED=<n>`. Not for anything secret.
 */
export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  bool(pTrue?: number): boolean;
}

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]) => items[int(0, items.length - 1)]!,
    bool: (pTrue = 0.5) => next() < pTrue,
  };
}

/** The seed for this run: `PROPERTY_SEED` when replaying, else a fresh one (printed on failure). */
export function runSeed(fallback = Date.now()): number {
  const env = typeof process !== 'undefined' ? process.env?.PROPERTY_SEED : undefined;
  return env ? Number(env) : fallback % 2_147_483_647;
}
