import { DurableObject } from 'cloudflare:workers';
import { ACTIVE_JOB_STATUSES } from '../contract/enums';
import type { DriverLocationPayload, LocationPing, ServerMessage } from '../contract/ws';
import { withDb } from '../worker/lib/db';
import { activeJobOf } from '../worker/services/positions';
import { authorizeChannel, authorizeTopic } from '../worker/services/topics';
import { DriverPositions, SEEN_EVENT_TTL_MS, type DriverRow } from './driver-positions';
import { inOrder } from './in-order';
import { isNewerFix, statusPayload, toFix } from './room-state';
import { attachIdentity, identityFromRequest, type SessionMatch, type SocketIdentity } from './socket-identity';
import { handleStatusChange } from './status-change';
import { PING_TEXT, PONG_TEXT, broadcastText, closeRevoked, readInbound, safeClose, send, sendError } from './wire';

/**
 * Fixes reach Postgres at most this often (SPEC §5: batched, ~15 s, not per ping): the
 * flush alarm sends the GPS log outbox to the Queue, whose consumer writes the log rows
 * and the drivers' live positions in one transaction. A lone driver so costs one write
 * per 15 s (240 per driver-hour); a fleet shares its writes (`npm run bench:gps-writes`).
 */
export const POSITION_FLUSH_MS = 15_000;

/** A busy fleet does not wait for the alarm: the outbox goes once it holds this many fixes. */
export const LOG_BATCH = 50;
/** `sendBatch` takes at most 100 messages. */
const QUEUE_BATCH_LIMIT = 100;

/** Header the Worker sets when the socket was opened with `?topic=` (already authorized). */
export const DISPATCH_TOPIC_HEADER = 'x-plow-topic';

export interface PingResult {
  current: boolean;
  duplicate: boolean;
  /** The fix as shown to watchers (absent for a duplicate). */
  fix?: DriverLocationPayload;
}

/**
 * The operator's dispatch channel, one object per operator (`idFromName('default')`):
 * `admin:dispatch` (new requests, driver status, the fleet map) and every
 * `driver:{id}` (assignments, cancellations). Drivers' and dispatchers' hibernating
 * sockets live here, tagged `user:`, `role:` and `driver:`. Drivers' pings enter here:
 * deduplicated by client event id, handed to their job's room first, shown to the
 * dispatchers, logged through a Queue, and written to Postgres in one batch per ~15 s.
 */
export class Dispatch extends DurableObject<Env> {
  #positions: DriverPositions;
  /** True while a flush alarm is known to be pending, so pings skip the storage read. */
  #flushArmed = false;
  /** The outbox drain in progress, if any (one at a time, or a batch could go twice). */
  #draining: Promise<void> | null = null;
  /** Client event ids being applied right now (checked before storage). */
  #claiming = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    this.#positions = new DriverPositions(ctx.storage.sql);
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
        const result = await this.driverPing(identity.driver_id, msg.payload);
        // Sent after the event id and the log entry are committed (output gate): an ack
        // means "stored, do not send again".
        if (msg.payload.client_event_id) {
          send(ws, { type: 'ack', payload: { client_event_id: msg.payload.client_event_id, duplicate: result.duplicate } });
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
    const verdict = authorizeChannel(identity, topic) ?? (await withDb(this.env, (db) => authorizeTopic(db, identity, topic)));
    if (!verdict.ok) return sendError(ws, verdict.code, verdict.message);
    if (!verdict.job_id) return this.#sendSnapshot(ws, topic);
    const snap = await this.env.JOB_ROOM.get(this.env.JOB_ROOM.idFromName(verdict.job_id)).snapshot();
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
   * One driver location fix. A repeated client event id is dropped (`duplicate`). A fix
   * newer (device time) than the last is current: its job's room hears it first, then the
   * dispatchers, then it is marked for the batched Postgres write. Every accepted fix —
   * current or late — is put in the GPS log outbox in the same storage transaction as
   * its event id, so once acknowledged it reaches the Queue (in batches) exactly as often
   * as it was accepted: once.
   *
   * `shownIn`: the job room the ping arrived in, which shows it to its watchers itself;
   * the fix is then logged under that job and not forwarded.
   */
  async driverPing(driverId: string, ping: LocationPing, shownIn?: string): Promise<PingResult> {
    const known = this.#positions.get(driverId) ?? (await this.#adoptDriver(driverId));
    const now = Date.now();
    const eventKey = ping.client_event_id ? `${driverId}:${ping.client_event_id}` : null;
    // Check and claim in one synchronous step; `#claiming` covers the copy that is still
    // between its check and its write (a replay racing in on another socket).
    if (eventKey && (this.#claiming.has(eventKey) || this.#positions.seenEvent(eventKey))) return { current: false, duplicate: true };
    if (eventKey) this.#claiming.add(eventKey);
    try {
      const loc = toFix(driverId, shownIn ?? known.active_job_id, ping, now);
      const current = isNewerFix(known.ts, loc.ts);
      let toRoom: Promise<unknown> = Promise.resolve();
      if (current) {
        if (loc.job_id && !shownIn) {
          toRoom = this.env.JOB_ROOM.get(this.env.JOB_ROOM.idFromName(loc.job_id))
            .recordLocation(loc)
            .catch((err: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'room did not take the fix', job_id: loc.job_id, err: String(err) })));
        }
        this.#broadcast('role:admin', { type: 'driver_location', payload: loc });
      }
      // Outgoing messages wait for the storage writes of their turn to be confirmed (the
      // output gate), so the writes come after the hand-over to the room; the ack, sent
      // after them, still means "stored".
      await toRoom;
      if (current) this.#positions.saveFix(loc);
      if (eventKey) this.#positions.claimEvent(eventKey, now);
      this.#positions.enqueueLog({ ...loc, client_event_id: ping.client_event_id ?? null }, now);
      if (this.#positions.backlogCount() >= LOG_BATCH) this.ctx.waitUntil(this.#drainLog());
      await this.#armFlush(now);
      return { current, duplicate: false, fix: loc };
    } finally {
      if (eventKey) this.#claiming.delete(eventKey);
    }
  }

  /**
   * Sends the GPS log outbox to the Queue in batches, removing what the Queue accepted.
   * A failure leaves the rest for the next ping or the flush alarm; never throws.
   */
  #drainLog(): Promise<void> {
    this.#draining ??= (async () => {
      try {
        for (let batch = this.#positions.takeLog(QUEUE_BATCH_LIMIT); batch.length > 0; batch = this.#positions.takeLog(QUEUE_BATCH_LIMIT)) {
          await this.env.LOCATION_LOG.sendBatch(batch.map((m) => ({ body: m.body })));
          this.#positions.dropLog(batch.at(-1)!.seq);
        }
      } catch (err) {
        console.error(JSON.stringify({ level: 'error', msg: 'GPS log batch not queued; will retry', err: String(err) }));
      } finally {
        this.#draining = null;
      }
    })();
    return this.#draining;
  }

  /** First ping from a driver this object has no record of: ask Postgres for their live job. */
  async #adoptDriver(driverId: string): Promise<DriverRow> {
    const jobId = await withDb(this.env, (db) => activeJobOf(db, driverId));
    const again = this.#positions.get(driverId);
    if (again) return again; // an assignment arrived while we were asking
    this.#positions.setActiveJob(driverId, jobId);
    return this.#positions.get(driverId)!;
  }

  async #armFlush(now: number): Promise<void> {
    if (this.#flushArmed) return;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + POSITION_FLUSH_MS);
    this.#flushArmed = true;
  }

  /**
   * Every ~15 s while drivers report: sends what waits in the GPS log outbox to the Queue
   * (its consumer writes the log and the live positions). What the Queue did not take
   * stays and the alarm is set again; with nothing left no alarm remains, so an idle
   * dispatch object can hibernate.
   */
  override async alarm(): Promise<void> {
    this.#flushArmed = false;
    await this.#drainLog();
    this.#positions.pruneEvents(Date.now() - SEEN_EVENT_TTL_MS);
    if (this.#positions.backlogCount() > 0) await this.#armFlush(Date.now());
  }

  // ---- RPC from the Worker ----

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
