import type { Role } from '../contract/enums';
import { WS_CLOSE_UNAUTHORIZED } from '../contract/errors';
import type { ServerMessage } from '../contract/ws';

/**
 * Who is on the other end of a hibernating socket. Kept in the socket's attachment so
 * it survives hibernation; the Worker verified the token before the upgrade.
 */
export interface SocketIdentity {
  user_id: string;
  role: Role;
  driver_id: string | null;
  customer_id: string | null;
  /** Token expiry (epoch seconds): past it, the socket is closed with 4001. */
  exp: number;
  /** Token issue time, compared with revocations. */
  iat: number;
  /** Token id: a single-session logout closes only the sockets opened with it. */
  jti?: string;
}

/** Headers the Worker sets on the upgrade request it forwards to a room. */
export const IDENTITY_HEADER = 'x-plow-identity';

export function identityFromRequest(req: Request): SocketIdentity | null {
  const raw = req.headers.get(IDENTITY_HEADER);
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as SocketIdentity;
    return typeof v.user_id === 'string' && typeof v.role === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function identityOf(ws: WebSocket): SocketIdentity | null {
  try {
    return (ws.deserializeAttachment() as SocketIdentity | null) ?? null;
  } catch {
    return null;
  }
}

export function send(ws: WebSocket, msg: ServerMessage): void {
  try {
    ws.send(JSON.stringify(msg));
  } catch {
    // The peer is gone; the runtime will deliver webSocketClose.
  }
}

export function sendError(ws: WebSocket, code: string, message: string): void {
  send(ws, { type: 'error', payload: { code, message } });
}

/** Closes a socket without throwing on an already-closing peer (1005 cannot be echoed). */
export function safeClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

/** True (and the socket closed with 4001) when the socket's token has expired. */
export function closeIfExpired(ws: WebSocket, id: SocketIdentity, nowSeconds = Date.now() / 1000): boolean {
  if (id.exp > nowSeconds) return false;
  sendError(ws, 'token_expired', 'Your session expired: reconnect with a fresh token.');
  safeClose(ws, WS_CLOSE_UNAUTHORIZED, 'token expired');
  return true;
}

/** The exact text a client sends as a keep-alive; answered by the runtime without waking us. */
export const PING_TEXT = '{"type":"ping"}';
export const PONG_TEXT = '{"type":"pong"}';
