import { z } from 'zod';
import { ROLES } from '../contract/enums';

/**
 * Who is on the other end of a hibernating socket. The Worker verified the token before
 * the upgrade and vouched for it in a signed ticket (upgrade-ticket.ts); the identity
 * rides in the socket's attachment so it survives hibernation.
 */
export const SocketIdentity = z.object({
  user_id: z.string(),
  role: z.enum(ROLES),
  driver_id: z.string().nullable(),
  customer_id: z.string().nullable(),
  /** Token expiry (epoch seconds): past it, the socket is closed with 4001. */
  exp: z.number(),
  /** Token issue time, compared with revocations. */
  iat: z.number(),
  /** Token id: a logout with a token minted outside a session closes only the sockets opened with it. */
  jti: z.string().optional(),
  /** Session (refresh-token family): a logout closes the sockets of that session only. */
  sid: z.string().optional(),
});
export type SocketIdentity = z.infer<typeof SocketIdentity>;

/** The sockets a single-session revocation closes: those of one session, or of one token. */
export type SessionMatch = { sid: string } | { jti: string };

export function inSession(identity: SocketIdentity | null, match: SessionMatch): boolean {
  return 'sid' in match ? identity?.sid === match.sid : identity?.jti === match.jti;
}

/**
 * Identities of the sockets this isolate has seen. Broadcasts look every socket up, and
 * `deserializeAttachment()` structured-clones on each call: the cache makes it one clone
 * per socket per wake-up. Keys are the runtime's socket objects, which are new after
 * hibernation, so a woken object simply refills the cache from the attachments.
 */
const IDENTITIES = new WeakMap<WebSocket, SocketIdentity | null>();

/** Stores the identity in the socket's attachment (survives hibernation) and the cache. */
export function attachIdentity(ws: WebSocket, identity: SocketIdentity): void {
  ws.serializeAttachment(identity);
  IDENTITIES.set(ws, identity);
}

export function identityOf(ws: WebSocket): SocketIdentity | null {
  const cached = IDENTITIES.get(ws);
  if (cached !== undefined) return cached;
  let identity: SocketIdentity | null = null;
  try {
    identity = (ws.deserializeAttachment() as SocketIdentity | null) ?? null;
  } catch {
    identity = null;
  }
  IDENTITIES.set(ws, identity);
  return identity;
}
