import { DurableObject } from 'cloudflare:workers';

export interface RateVerdict {
  allowed: boolean;
  /** Seconds until the current window ends (for Retry-After). */
  retry_after: number;
  remaining: number;
}

interface Window {
  start: number;
  count: number;
}

/**
 * A fixed-window counter for one key (e.g. `login:203.0.113.7:dana@example.com`). The
 * Workers rate-limiting binding only knows 10 s and 60 s periods; the sensitive auth
 * endpoints need "5 per 15 minutes", exactly, across locations — one small object per
 * key does that. The window is kept in storage so an eviction does not reset it, and an
 * alarm deletes it when it ends.
 */
export class RateCounter extends DurableObject<Env> {
  async #current(periodMs: number, now: number): Promise<Window> {
    const w = await this.ctx.storage.get<Window>('w');
    return w && now - w.start < periodMs ? w : { start: now, count: 0 };
  }

  #verdict(w: Window, limit: number, periodMs: number, now: number): RateVerdict {
    return {
      allowed: w.count < limit,
      retry_after: Math.max(1, Math.ceil((w.start + periodMs - now) / 1000)),
      remaining: Math.max(0, limit - w.count),
    };
  }

  /** Whether one more hit would be allowed, without counting it. */
  async peek(limit: number, periodSeconds: number): Promise<RateVerdict> {
    const now = Date.now();
    const periodMs = periodSeconds * 1000;
    return this.#verdict(await this.#current(periodMs, now), limit, periodMs, now);
  }

  /** Counts one hit; `allowed` is false once the window already holds `limit` hits. */
  async hit(limit: number, periodSeconds: number): Promise<RateVerdict> {
    const now = Date.now();
    const periodMs = periodSeconds * 1000;
    const w = await this.#current(periodMs, now);
    const verdict = this.#verdict(w, limit, periodMs, now);
    if (verdict.allowed) {
      w.count += 1;
      await this.ctx.storage.put('w', w);
      if (w.count === 1) await this.ctx.storage.setAlarm(w.start + periodMs);
      verdict.remaining = Math.max(0, limit - w.count);
    }
    return verdict;
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
