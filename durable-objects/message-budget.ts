import type { ClientMessage } from '../contract/ws';

/**
 * How many messages a socket, and a user across all their sockets in one object, may
 * send: token buckets of `burst` that refill at `per_second`. The exact keep-alive text
 * is answered by the runtime and never reaches a budget. Messages that cost a database
 * round trip or transaction have a second, much smaller budget of their own.
 *
 * Sized for the real clients: a driver replaying an offline GPS backlog sends one ping
 * per acknowledgement (tens a second at most, well under `socket`); an app re-subscribes
 * its one to three topics on every reconnect.
 */
export const MESSAGE_BUDGETS = {
  socket: { burst: 100, per_second: 20 },
  user: { burst: 300, per_second: 50 },
  socket_costly: { burst: 10, per_second: 0.2 },
  user_costly: { burst: 30, per_second: 1 },
} as const;

/** Messages that reach Postgres (a topic check, a status transaction): they spend the `*_costly` budgets too. */
export const COSTLY_MESSAGES: ReadonlySet<ClientMessage['type']> = new Set(['subscribe', 'status_change']);

type Limit = { burst: number; per_second: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Takes one token; returns 0 when it was there, or the seconds until one will be. */
function take(bucket: Bucket, limit: Limit, now: number): number {
  bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.per_second);
  bucket.at = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.per_second));
}

const full = (limit: Limit, now: number): Bucket => ({ tokens: limit.burst, at: now });

/** Past this many users' buckets, those that have refilled are forgotten: a small map for a quiet object. */
const USER_BUCKETS_PRUNE_AT = 1_000;

type Kind = 'all' | 'costly';
type Pair = Record<Kind, Bucket>;
const LIMITS: Record<'socket' | 'user', Record<Kind, Limit>> = {
  socket: { all: MESSAGE_BUDGETS.socket, costly: MESSAGE_BUDGETS.socket_costly },
  user: { all: MESSAGE_BUDGETS.user, costly: MESSAGE_BUDGETS.user_costly },
};

const refilled = (b: Bucket, limit: Limit, now: number) =>
  b.tokens + ((now - b.at) / 1000) * limit.per_second >= limit.burst;

/**
 * One object's budgets, kept in memory: a socket's die with it (and start full after the
 * object wakes from hibernation — a flood keeps it awake, so that only spares quiet
 * clients); a user's span every socket they hold in this object.
 */
export class MessageBudgets {
  #sockets = new WeakMap<WebSocket, Pair>();
  #users = new Map<string, Pair>();

  /**
   * Spends one message of `userId` on `ws` from the `all` budgets (every frame) or the
   * `costly` ones (see COSTLY_MESSAGES). Returns 0 when allowed, or the seconds to wait.
   */
  spend(ws: WebSocket, userId: string, kind: Kind, now = Date.now()): number {
    let socket = this.#sockets.get(ws);
    if (!socket) {
      socket = { all: full(LIMITS.socket.all, now), costly: full(LIMITS.socket.costly, now) };
      this.#sockets.set(ws, socket);
    }
    let user = this.#users.get(userId);
    if (!user) {
      if (this.#users.size >= USER_BUCKETS_PRUNE_AT) this.#prune(now);
      user = { all: full(LIMITS.user.all, now), costly: full(LIMITS.user.costly, now) };
      this.#users.set(userId, user);
    }
    const socketWait = take(socket[kind], LIMITS.socket[kind], now);
    if (socketWait) return socketWait;
    return take(user[kind], LIMITS.user[kind], now);
  }

  #prune(now: number): void {
    for (const [id, b] of this.#users) {
      if (refilled(b.all, LIMITS.user.all, now) && refilled(b.costly, LIMITS.user.costly, now)) this.#users.delete(id);
    }
  }
}
