import { DurableObject } from 'cloudflare:workers';
import { ACTIVE_JOB_STATUSES } from '../contract/enums';
import type { DriverLocationPayload, LocationPing, ServerMessage } from '../contract/ws';
import { withDb } from '../worker/lib/db';
import { roomStub } from '../worker/realtime';
import { activeJobOf } from '../worker/services/positions';
import { authorizeChannel, authorizeTopic } from '../worker/services/topics';
import { DriverPositions, type DriverRow } from './driver-positions';
import { GpsOutbox, type PingResult } from './gps-outbox';
import { inOrder } from './in-order';
import { isNewerFix, statusPayload, toFix } from './room-state';
import { attachIdentity, identityFromRequest, type SessionMatch, type SocketIdentity } from './socket-identity';
import { handleStatusChange } from './status-change';
import { PING_TEXT, PONG_TEXT, broadcastText, closeRevoked, readInbound, safeClose, send, sendError } from './wire';

/** Header the Worker sets when the socket was opened with `?topic=` (already authorized). */
export const DISPATCH_TOPIC_HEADER = 'x-plow-topic';

/**
 * The operator's dispatch channel, one object per operator (`idFromName('default')`):
 * `admin:dispatch` (new requests, driver status, the fleet map) and every
 * `driver:{id}` (assignments, cancellations). Drivers' and dispatchers' hibernating
 * sockets live here, tagged `user:`, `role:` and `driver:`. A ping sent on this socket
 * goes to the driver's job room, which deduplicates, shows and logs it; a driver on no
 * job is deduplicated and logged here. The fleet map is kept here either way: job rooms
 * pass their drivers' fixes on (`fleetFix`).
 */
export class Dispatch extends DurableObject<Env> {
  #positions: DriverPositions;
  /** Pings of drivers on no job, on their way to the GPS log. */
  #outbox: GpsOutbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    this.#positions = new DriverPositions(ctx.storage.sql);
    this.#outbox = new GpsOutbox(ctx.storage, env.LOCATION_LOG);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    }
    const identity = identityFromRequest(request);
    if (!identity || identity.role === 'customer') return new Response('Not for customers', { status: 403 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const tags = [`user:${identity.user_id}`, `role:${identity.role}`];
    if (identity.driver_id) tags.push(`driver:${identity.driver_id}`);
    this.ctx.acceptWebSocket(server, tags);
    attachIdentity(server, identity);
    const topic = request.headers.get(DISPATCH_TOPIC_HEADER);
    if (topic) this.#sendSnapshot(server, topic);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return inOrder(ws, 'dispatch message', () => this.#onMessage(ws, data));
  }

  async #onMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const inbound = readInbound(ws, data);
    if (!inbound.ok) return;
    const { identity, msg } = inbound;
    switch (msg.type) {
      case 'ping':
        return send(ws, { type: 'pong' });
      case 'subscribe':
        return this.#subscribe(ws, identity, msg.payload.topic);
      case 'unsubscribe':
        // Topics on this socket follow its identity (tags are fixed at accept): nothing to undo.
        return;
      case 'location_ping': {
        if (identity.role !== 'driver' || !identity.driver_id) {
          return sendError(ws, 'forbidden', 'Only drivers send location pings.');
        }
        const result = await this.#driverPing(identity.driver_id, msg.payload);
        // Sent after the event id and the log entry are committed (here or in the room,
        // whose answer waits for its writes): an ack means "stored, do not send again".
        if (msg.payload.client_event_id) {
          send(ws, {
            type: 'ack',
            payload: { client_event_id: msg.payload.client_event_id, duplicate: result.duplicate },
          });
        }
        return;
      }
      case 'status_change':
        return handleStatusChange(this.env, ws, identity, msg.payload);
    }
  }

  /**
   * `subscribe` on a dispatch socket: `admin:dispatch` and `driver:{id}` are served by this
   * object (answered with the fleet map / `subscribed`); `job:{id}` gets that room's
   * snapshot at once — live updates of the job reach dispatchers and the assigned driver
   * here anyway. Customers watch jobs through the job's room (`?topic=job:{id}`).
   */
  async #subscribe(ws: WebSocket, identity: SocketIdentity, topic: string): Promise<void> {
    const verdict =
      authorizeChannel(identity, topic) ?? (await withDb(this.env, (db) => authorizeTopic(db, identity, topic)));
    if (!verdict.ok) return sendError(ws, verdict.code, verdict.message);
    if (!verdict.job_id) return this.#sendSnapshot(ws, topic);
    const snap = await roomStub(this.env, verdict.job_id).snapshot();
    send(ws, { type: 'subscribed', payload: { topic } });
    if (snap) {
      send(ws, { type: 'job_status', payload: statusPayload(snap, null) });
      if (snap.location) send(ws, { type: 'driver_location', payload: snap.location });
    }
  }

  #sendSnapshot(ws: WebSocket, topic: string): void {
    send(ws, { type: 'subscribed', payload: { topic } });
    if (topic === 'admin:dispatch') {
      for (const loc of this.#positions.fleet()) send(ws, { type: 'driver_location', payload: loc });
    }
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): void {
    safeClose(ws, code, reason);
  }

  override webSocketError(ws: WebSocket): void {
    safeClose(ws, 1011, 'socket error');
  }

  // ---- location pipeline ----

  /**
   * A ping on a driver's dispatch socket. With a live job, it goes to that job's room, which
   * claims its event id, shows it to the watchers and logs it; a current fix then goes on
   * the fleet map here. A room that cannot be reached is asked once more through a new
   * stub (its event ids make a second try safe). A driver on no job — or whose room does not
   * know them as its driver any more — is deduplicated and logged here, under no job.
   */
  async #driverPing(driverId: string, ping: LocationPing): Promise<PingResult> {
    const known = this.#positions.get(driverId) ?? (await this.#adoptDriver(driverId));
    if (known.active_job_id) {
      const jobId = known.active_job_id;
      const viaRoom = await roomStub(this.env, jobId)
        .acceptPing(driverId, ping)
        .catch(() => roomStub(this.env, jobId).acceptPing(driverId, ping))
        .catch((err: unknown) => {
          console.error(
            JSON.stringify({
              level: 'error',
              msg: 'room did not take the fix; logged without it',
              job_id: jobId,
              err: String(err),
            }),
          );
          return null;
        });
      if (viaRoom) {
        if (viaRoom.current && viaRoom.fix) this.fleetFix(viaRoom.fix);
        return viaRoom;
      }
    }
    const now = Date.now();
    const loc = toFix(driverId, null, ping, now);
    const eventKey = ping.client_event_id ? `${driverId}:${ping.client_event_id}` : null;
    const current = isNewerFix(this.#positions.get(driverId)?.ts, loc.ts);
    // Shown first, then written: the dispatchers' message is not held for the write (output gate).
    if (current) this.#broadcast('role:admin', { type: 'driver_location', payload: loc });
    if (!this.#outbox.accept(eventKey, { ...loc, client_event_id: ping.client_event_id ?? null }, now))
      return { current: false, duplicate: true };
    if (current) this.#positions.saveFix(loc);
    return { current, duplicate: false, fix: loc };
  }

  /** First ping from a driver this object has no record of: ask Postgres for their live job. */
  async #adoptDriver(driverId: string): Promise<DriverRow> {
    const jobId = await withDb(this.env, (db) => activeJobOf(db, driverId));
    const again = this.#positions.get(driverId);
    if (again) return again; // an assignment arrived while we were asking
    this.#positions.setActiveJob(driverId, jobId);
    return this.#positions.get(driverId)!;
  }

  /** The flush alarm of the jobless drivers' outbox; with nothing left, none remains and the object can hibernate. */
  override async alarm(): Promise<void> {
    await this.#outbox.onAlarm();
  }

  // ---- RPC from the Worker and the job rooms ----

  /**
   * A driver's current fix for the fleet map (from their job's room, at most every
   * FLEET_EVERY_MS): shown to the dispatchers and kept for the map on subscribe, unless
   * a newer one is held.
   */
  fleetFix(loc: DriverLocationPayload): void {
    const known = this.#positions.get(loc.driver_id);
    // A driver first heard of through their room: that room's job is their live job, so
    // a later ping on their dispatch socket goes there too (not to "no job").
    if (!known && loc.job_id) this.#positions.setActiveJob(loc.driver_id, loc.job_id);
    if (!isNewerFix(known?.ts, loc.ts)) return;
    this.#broadcast('role:admin', { type: 'driver_location', payload: loc });
    this.#positions.saveFix(loc);
  }

  /** Tells a driver about a new assignment and routes their pings to that job's room. */
  jobAssigned(driverId: string, msg: Extract<ServerMessage, { type: 'job_assigned' }>): void {
    this.#positions.setActiveJob(driverId, msg.payload.job_id);
    this.#broadcast(`driver:${driverId}`, msg);
    this.#broadcast('role:admin', msg);
  }

  /** A job's status changed: dispatchers see it; the driver's pings follow their live job. */
  jobStatus(driverId: string | null, msg: Extract<ServerMessage, { type: 'job_status' }>): void {
    const { job_id, new_status } = msg.payload;
    if (driverId) {
      if (ACTIVE_JOB_STATUSES.includes(new_status)) this.#positions.setActiveJob(driverId, job_id);
      else this.#positions.clearActiveJob(driverId, job_id);
      this.#broadcast(`driver:${driverId}`, msg);
    }
    this.#broadcast('role:admin', msg);
  }

  jobCancelled(driverId: string | null, msg: Extract<ServerMessage, { type: 'job_cancelled' }>): void {
    if (driverId) {
      this.#positions.clearActiveJob(driverId, msg.payload.job_id);
      this.#broadcast(`driver:${driverId}`, msg);
    }
    this.#broadcast('role:admin', msg);
  }

  toAdmins(msg: ServerMessage): void {
    this.#broadcast('role:admin', msg);
  }

  toDriver(driverId: string, msg: ServerMessage): void {
    this.#broadcast(`driver:${driverId}`, msg);
  }

  /** Latest known positions (fleet map), newest first. */
  fleet(): DriverLocationPayload[] {
    return this.#positions.fleet();
  }

  /** Forgets a driver's live position (stale-driver cleanup). */
  forgetDriver(driverId: string): void {
    this.#positions.forget(driverId);
  }

  /** Ends a user's sockets here with 4001: all of them (logout-all, suspension), or only those of one session (logout). */
  closeUser(userId: string, only?: SessionMatch): number {
    return closeRevoked(this.ctx.getWebSockets(`user:${userId}`), only);
  }

  #broadcast(tag: string, msg: ServerMessage): void {
    broadcastText(this.ctx.getWebSockets(tag), JSON.stringify(msg));
  }
}
