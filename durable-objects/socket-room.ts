import { DurableObject } from 'cloudflare:workers';
import type { ClientMessage } from '../contract/ws';
import { inOrder } from './in-order';
import { MessageBudgets } from './message-budget';
import { attachIdentity, type SessionMatch, type SocketIdentity } from './socket-identity';
import { readTicket, type UpgradeTicket } from './upgrade-ticket';
import { PING_TEXT, PONG_TEXT, closeRevoked, readInbound, safeClose, send } from './wire';

/**
 * The one socket base of the objects that hold clients' sockets (JobRoom, Dispatch): the
 * upgrade, taken only with a ticket the Worker signed; the identity in the socket's
 * attachment; the keep-alive answered by the runtime; every frame checked (identity,
 * expiry, access, message budgets, schema) and handled one after another; close and
 * revocation. A subclass says who may join and stay, and what a message does.
 */
export abstract class SocketRoom extends DurableObject<Env> {
  #budgets = new MessageBudgets();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
  }

  /** What the object is, in logs. */
  protected abstract readonly label: string;

  /** The socket's tags for a ticket the Worker signed, or the response that refuses it. */
  protected abstract admit(ticket: UpgradeTicket): string[] | Response;

  /** Right after the socket is accepted: a snapshot, when the ticket asks for one. */
  protected abstract joined(ws: WebSocket, ticket: UpgradeTicket): void;

  /** Whether the user behind a socket may still see what this object serves; false closes it (4003). */
  protected abstract mayStay(identity: SocketIdentity): boolean;

  /** A message that passed every check. */
  protected abstract receive(ws: WebSocket, identity: SocketIdentity, msg: ClientMessage): Promise<void> | void;

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    }
    // Only the Worker's word counts: nothing else in the request is read.
    const ticket = await readTicket(this.env, request);
    if (!ticket) return new Response('Connect through /ws', { status: 401 });
    const tags = this.admit(ticket);
    if (tags instanceof Response) return tags;
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, tags);
    attachIdentity(server, ticket.identity);
    this.joined(server, ticket);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return inOrder(ws, `${this.label} message`, () => {
      const inbound = readInbound(ws, data, this.#budgets, (identity) => this.mayStay(identity));
      if (!inbound.ok) return;
      if (inbound.msg.type === 'ping') return send(ws, { type: 'pong' });
      return this.receive(ws, inbound.identity, inbound.msg);
    });
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    // The runtime completes the close handshake itself (web_socket_auto_reply_to_close);
    // closing here is harmless and keeps older compatibility dates tidy.
    safeClose(ws, code, reason);
  }

  override webSocketError(ws: WebSocket): void {
    safeClose(ws, 1011, 'socket error');
  }

  /** Ends a user's sockets here with 4001: all of them (logout-all, suspension), or only those of one session (logout). */
  closeUser(userId: string, only?: SessionMatch): number {
    return closeRevoked(this.ctx.getWebSockets(`user:${userId}`), only);
  }
}
