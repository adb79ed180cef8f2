import { WS_CLOSE_ACCESS_ENDED, WS_CLOSE_UNAUTHORIZED } from '../contract/errors';
import { ClientMessage, type ServerMessage } from '../contract/ws';
import { COSTLY_MESSAGES, type MessageBudgets } from './message-budget';
import { identityOf, inSession, type SessionMatch, type SocketIdentity } from './socket-identity';

/**
 * The exact text a client sends as a keep-alive. The runtime answers it with `PONG_TEXT`
 * through `setWebSocketAutoResponse` without waking a hibernated object; any other
 * spelling of a ping reaches the handler and gets the same answer, one wake-up later.
 */
export const PING_TEXT = '{"type":"ping"}';
export const PONG_TEXT = '{"type":"pong"}';

/** Inbound frames larger than this are refused before parsing. */
export const MAX_MESSAGE_BYTES = 8 * 1024;

/** Sends pre-serialized text; a peer that is already gone is not an error here. */
export function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // The peer is gone; the runtime will deliver webSocketClose.
  }
}

export function send(ws: WebSocket, msg: ServerMessage): void {
  sendText(ws, JSON.stringify(msg));
}

export function sendError(ws: WebSocket, code: string, message: string): void {
  send(ws, { type: 'error', payload: { code, message } });
}

/** Closes a socket without throwing on an already-closing peer (1005/1006 cannot be sent). */
export function safeClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  } catch {
    // already closed
  }
}

/**
 * True (and the socket told and closed with 4001) when its token has expired. Checked
 * lazily — on the socket's next message or the next broadcast that would reach it — so no
 * timer keeps a room awake; the client reconnects with a fresh token and gets a snapshot.
 */
export function closeIfExpired(ws: WebSocket, id: SocketIdentity, nowSeconds = Date.now() / 1000): boolean {
  if (id.exp > nowSeconds) return false;
  sendError(ws, 'token_expired', 'Your session expired: reconnect with a fresh token.');
  safeClose(ws, WS_CLOSE_UNAUTHORIZED, 'token expired');
  return true;
}

/**
 * Revocation: tells each of `sockets` (only those of session `only`, when given) that it
 * was signed out and closes it with 4001, so the client does not reconnect with the same
 * token. Returns how many were closed.
 */
export function closeRevoked(sockets: WebSocket[], only?: SessionMatch): number {
  const revoked = only ? sockets.filter((ws) => inSession(identityOf(ws), only)) : sockets;
  for (const ws of revoked) {
    sendError(ws, 'token_revoked', 'This session has been signed out.');
    safeClose(ws, WS_CLOSE_UNAUTHORIZED, 'revoked');
  }
  return revoked.length;
}

/**
 * Ends a socket whose user may no longer see what it serves (a reassigned or rejected
 * job): told why, closed with 4003 so the client does not reconnect to it.
 */
export function closeAccessEnded(ws: WebSocket): void {
  sendError(ws, 'access_ended', 'You can no longer follow this job.');
  safeClose(ws, WS_CLOSE_ACCESS_ENDED, 'access ended');
}

/** Whether a socket's user may still receive what its object serves; false closes it (closeAccessEnded). */
export type MayStay = (identity: SocketIdentity) => boolean;

/**
 * Sends one serialized message to every socket in `sockets` whose token is still good
 * and, with `mayStay`, whose user may still see it (the others are closed, not sent to).
 * Sockets of a user `skip` names are passed over: they are not told, nor checked here.
 * The text is built once by the caller, not per recipient.
 */
export function broadcastText(
  sockets: Iterable<WebSocket>,
  text: string,
  mayStay?: MayStay,
  skip?: (identity: SocketIdentity) => boolean,
): number {
  const now = Date.now() / 1000;
  let sent = 0;
  for (const ws of sockets) {
    const id = identityOf(ws);
    if (!id || skip?.(id) || closeIfExpired(ws, id, now)) continue;
    if (mayStay && !mayStay(id)) {
      closeAccessEnded(ws);
      continue;
    }
    sendText(ws, text);
    sent++;
  }
  return sent;
}

export type Inbound = { ok: true; identity: SocketIdentity; msg: ClientMessage } | { ok: false };

function overBudget(ws: WebSocket, waitSeconds: number): Inbound {
  sendError(
    ws,
    'rate_limited',
    `Too many messages on this connection: wait ${waitSeconds} second${waitSeconds === 1 ? '' : 's'} and send it again.`,
  );
  return { ok: false };
}

/**
 * Everything an object checks before acting on a frame: a known, unexpired identity that
 * may still be here (`mayStay`), a message within its budgets, and a message that parses
 * with the shared schema. Refusals are answered on the socket (which stays open, except
 * for an expired or missing identity or lost access) and come back as `{ ok: false }`.
 */
export function readInbound(
  ws: WebSocket,
  data: string | ArrayBuffer,
  budgets: MessageBudgets,
  mayStay: MayStay,
): Inbound {
  const identity = identityOf(ws);
  if (!identity) {
    safeClose(ws, WS_CLOSE_UNAUTHORIZED, 'no identity');
    return { ok: false };
  }
  if (closeIfExpired(ws, identity)) return { ok: false };
  if (!mayStay(identity)) {
    closeAccessEnded(ws);
    return { ok: false };
  }
  // Before any parsing: a flood of junk spends the budget as surely as valid messages.
  const wait = budgets.spend(ws, identity.user_id, 'all');
  if (wait) return overBudget(ws, wait);
  if (typeof data !== 'string') {
    sendError(ws, 'bad_message', 'Send JSON text frames, not binary.');
    return { ok: false };
  }
  if (data.length > MAX_MESSAGE_BYTES) {
    sendError(ws, 'message_too_large', `Send messages under ${MAX_MESSAGE_BYTES} bytes.`);
    return { ok: false };
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    sendError(ws, 'malformed_json', 'The message is not valid JSON.');
    return { ok: false };
  }
  const parsed = ClientMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'message';
    sendError(ws, 'bad_message', `Invalid message: ${issue ? `${where}: ${issue.message}` : 'unknown shape'}.`);
    return { ok: false };
  }
  if (COSTLY_MESSAGES.has(parsed.data.type)) {
    const costlyWait = budgets.spend(ws, identity.user_id, 'costly');
    if (costlyWait) return overBudget(ws, costlyWait);
  }
  return { ok: true, identity, msg: parsed.data };
}
