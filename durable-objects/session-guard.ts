import { DurableObject } from 'cloudflare:workers';

/**
 * One small object per user that knows which of their access tokens are no longer good:
 * everything issued before `revoked_before` (logout-all, password reset, suspension) and
 * single token ids (logout). Checking it costs one Durable Object call, no database.
 */
export class SessionGuard extends DurableObject<Env> {
  /** True when a token issued at `issuedMs` (epoch milliseconds) with id `jti` is revoked. */
  async check(issuedMs: number, jti: string): Promise<boolean> {
    const before = (await this.ctx.storage.get<number>('revoked_before_ms')) ?? 0;
    if (issuedMs <= before) return true;
    return (await this.ctx.storage.get<number>(`jti:${jti}`)) !== undefined;
  }

  /** Revokes every token issued up to now; tokens issued afterwards work. */
  async revokeAll(): Promise<void> {
    await this.ctx.storage.put('revoked_before_ms', Date.now());
  }

  /** Revokes one token until it would have expired anyway. */
  async revokeToken(jti: string, exp: number): Promise<void> {
    await this.ctx.storage.put(`jti:${jti}`, exp);
    const current = await this.ctx.storage.getAlarm();
    const at = exp * 1000 + 1000;
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * A TOTP secret shown to the user but not yet confirmed with a code. Kept here, not in
   * `users`, so starting an enrolment never disturbs a working second factor.
   */
  async setPendingTotp(secret: string, ttlMs: number): Promise<void> {
    await this.ctx.storage.put('totp_pending', { secret, expires: Date.now() + ttlMs });
  }

  async pendingTotp(): Promise<string | null> {
    const p = await this.ctx.storage.get<{ secret: string; expires: number }>('totp_pending');
    return p && p.expires > Date.now() ? p.secret : null;
  }

  async clearPendingTotp(): Promise<void> {
    await this.ctx.storage.delete('totp_pending');
  }

  /** Forgets revoked token ids that have expired on their own. */
  override async alarm(): Promise<void> {
    const now = Date.now() / 1000;
    const entries = await this.ctx.storage.list<number>({ prefix: 'jti:' });
    let next = Infinity;
    for (const [key, exp] of entries) {
      if (exp < now) await this.ctx.storage.delete(key);
      else next = Math.min(next, exp);
    }
    if (next !== Infinity) await this.ctx.storage.setAlarm(next * 1000 + 1000);
  }
}
