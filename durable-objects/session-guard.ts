import { DurableObject } from 'cloudflare:workers';
import type { SessionMatch } from './socket-identity';

/** Revocations of one session (`sid:`) or one token (`jti:`); they lapse with the tokens they name. */
const EXPIRING_PREFIXES = ['sid:', 'jti:'] as const;

function revocationKey(session: SessionMatch): string {
  return 'sid' in session ? `sid:${session.sid}` : `jti:${session.jti}`;
}

/**
 * One small object per user that knows which of their access tokens are no longer good:
 * everything issued before `revoked_before` (logout-all, password reset, suspension),
 * every token of a revoked session (logout, refresh-token reuse: the token's `sid`), and
 * single token ids (logout with a token minted outside a session). Checking it costs one
 * Durable Object call, no database.
 */
export class SessionGuard extends DurableObject<Env> {
  /** True when a token issued at `issuedMs` (epoch milliseconds) with id `jti`, in session `sid`, is revoked. */
  async check(issuedMs: number, jti: string, sid?: string): Promise<boolean> {
    const before = (await this.ctx.storage.get<number>('revoked_before_ms')) ?? 0;
    if (issuedMs <= before) return true;
    const keys = [revocationKey({ jti })];
    if (sid) keys.push(revocationKey({ sid }));
    return (await this.ctx.storage.get<number>(keys)).size > 0;
  }

  /** Revokes every token issued up to now; tokens issued afterwards work. */
  async revokeAll(): Promise<void> {
    await this.ctx.storage.put('revoked_before_ms', Date.now());
  }

  /** Revokes one session's tokens (or one token) until `exp` (epoch seconds), when they would have expired anyway. */
  async revokeSession(session: SessionMatch, exp: number): Promise<void> {
    await this.ctx.storage.put(revocationKey(session), exp);
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

  /** Forgets revoked tokens and sessions that have expired on their own. */
  override async alarm(): Promise<void> {
    const now = Date.now() / 1000;
    let next = Infinity;
    for (const prefix of EXPIRING_PREFIXES) {
      for (const [key, exp] of await this.ctx.storage.list<number>({ prefix })) {
        if (exp < now) await this.ctx.storage.delete(key);
        else next = Math.min(next, exp);
      }
    }
    if (next !== Infinity) await this.ctx.storage.setAlarm(next * 1000 + 1000);
  }
}
