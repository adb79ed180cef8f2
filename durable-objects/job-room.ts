import { DurableObject } from 'cloudflare:workers';
import { dispatchStub } from '../worker/realtime';
import type { DriverLocationPayload, LocationPing, ServerMessage } from '../contract/ws';
import { GpsOutbox, type PingResult } from './gps-outbox';
import { inOrder } from './in-order';
import { RoomJob, isNewerFix, isTerminal, nextRoomState, statusPayload, toFix, type RoomState } from './room-state';
import { attachIdentity, identityFromRequest, type SessionMatch, type SocketIdentity } from './socket-identity';
import type { Dispatch } from './dispatch';
import { handleStatusChange } from './status-change';
import { PING_TEXT, PONG_TEXT, broadcastText, closeRevoked, readInbound, safeClose, send, sendError } from './wire';

export type { RoomJob, RoomState } from './room-state';

/** Headers the Worker sets on the upgrade it forwards: the job as the database has it, and whether to answer with a snapshot. */
export const ROOM_HEADERS = { job: 'x-plow-job', subscribe: 'x-plow-subscribe' } as const;

/** Storage keys (SQLite-backed key-value): the job and its live location, written separately. */
const KEYS = { job: 'job', location: 'location' } as const;

/** Close reason sent to every socket when the job reaches a terminal status. */
export const ROOM_ENDED_REASON = 'job ended';

/**
 * The fleet map hears a room's fixes at most this often: the dispatchers' latency target is
 * 2 s (ApexPlow §4), and a cross-object call per 1 Hz ping was the real-time tail
 * (docs/decisions/0062). A fix held back goes with the next ping or the flush alarm.
 */
export const FLEET_EVERY_MS = 2_000;

/**
 * One room per job (`idFromName(jobId)`): the job's customer and anyone else who connects
 * with `?topic=job:{id}` hold hibernating sockets here, tagged `user:{id}` and
 * `role:{role}`. The room is the authority for the job's live status and location as the
 * clients see them, kept in its storage so they survive eviction.
 *
 * It also takes its driver's pings, from the job's own socket or handed on by the dispatch
 * object: deduplicated by client event id, shown to the watchers, put in its GPS log
 * outbox (sent to the Queue in batches) and passed on to the fleet map. The only thing it
 * schedules is the outbox's flush alarm, while fixes wait; no timers, so an idle room
 * hibernates and pings are answered by the runtime.
 */
export class JobRoom extends DurableObject<Env> {
  /** undefined: not read from storage yet since this instance woke up. */
  #state: RoomState | null | undefined;
  /**
   * The dispatch object's stub, made once per instance instead of once per ping: every
   * stub and id is a runtime object that only a full garbage collection frees, and at
   * 50 pings a second those collections were the real-time tail (docs/decisions/0061).
   * A stub that threw is broken for good (Cloudflare: "recreate the stub"), so it is dropped.
   */
  #dispatch: DurableObjectStub<Dispatch> | null = null;
  #outbox: GpsOutbox;
  /** When the fleet map last heard from this room, and the newest fix it has not heard yet. */
  #fleetSentAt = 0;
  #fleetPending: DriverLocationPayload | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    this.#outbox = new GpsOutbox(ctx.storage, env.LOCATION_LOG);
  }

  #load(): RoomState | null {
    if (this.#state === undefined) {
      const kv = this.ctx.storage.kv;
      const job = kv.get<Omit<RoomState, 'location'>>(KEYS.job);
      this.#state = job ? { ...job, location: kv.get<DriverLocationPayload>(KEYS.location) ?? null } : null;
    }
    return this.#state;
  }

  /** A job change: rare, and written before anyone is told (outgoing messages wait for it). */
  #saveJob(state: RoomState): void {
    const { location, ...job } = state;
    const kv = this.ctx.storage.kv;
    kv.put(KEYS.job, job);
    if (location) kv.put(KEYS.location, location);
    else kv.delete(KEYS.location);
  }

  /**
   * A new live location, the hot path. Written with `allowUnconfirmed`: the watchers'
   * messages are not held back until the write is confirmed (the output gate would
   * otherwise delay every fan-out by a storage round trip). The write itself still
   * happens; if it were lost, the next fix replaces it.
   */
  #saveLocation(location: DriverLocationPayload): void {
    this.ctx.storage.put(KEYS.location, location, { allowUnconfirmed: true }).catch((err: unknown) => {
      console.error(
        JSON.stringify({ level: 'error', msg: 'live location not stored', job_id: location.job_id, err: String(err) }),
      );
    });
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    }
    const identity = identityFromRequest(request);
    if (!identity) return new Response('Missing identity', { status: 401 });
    const seed = parseSeed(request.headers.get(ROOM_HEADERS.job));
    // The database's view of the job, read by the Worker just now: it creates the room,
    // and repairs one that missed a change (fan-out is best effort).
    if (seed) this.sync(seed);

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [`user:${identity.user_id}`, `role:${identity.role}`]);
    attachIdentity(server, identity);
    const state = this.#load();
    if (request.headers.get(ROOM_HEADERS.subscribe) === '1' || (state && isTerminal(state.status)))
      this.#sendSnapshot(server);
    if (state && isTerminal(state.status)) safeClose(server, 1000, ROOM_ENDED_REASON);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** `subscribed`, the current `job_status` and, when known, the last `driver_location` — at once. */
  #sendSnapshot(ws: WebSocket): void {
    const state = this.#load();
    if (!state) return sendError(ws, 'not_found', 'This job has no live room yet.');
    send(ws, { type: 'subscribed', payload: { topic: `job:${state.job_id}` } });
    send(ws, { type: 'job_status', payload: statusPayload(state, null) });
    if (state.location) send(ws, { type: 'driver_location', payload: state.location });
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return inOrder(ws, 'job room message', () => this.#onMessage(ws, data));
  }

  #onMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> | void {
    const inbound = readInbound(ws, data);
    if (!inbound.ok) return;
    const { identity, msg } = inbound;
    const state = this.#load();
    switch (msg.type) {
      case 'ping':
        return send(ws, { type: 'pong' });
      case 'subscribe':
        if (!state || msg.payload.topic !== `job:${state.job_id}`) {
          return sendError(
            ws,
            'wrong_room',
            'This connection serves one job: open another with ?topic= for that topic.',
          );
        }
        return this.#sendSnapshot(ws);
      case 'unsubscribe':
        return safeClose(ws, 1000, 'unsubscribed');
      case 'location_ping':
        return this.#driverPing(ws, identity, state, msg.payload);
      case 'status_change':
        return handleStatusChange(this.env, ws, identity, msg.payload);
    }
  }

  /** The assigned driver streaming on the job's own socket (the fast path: no other object on the way to the watchers). */
  #driverPing(ws: WebSocket, identity: SocketIdentity, state: RoomState | null, ping: LocationPing): void {
    if (identity.role !== 'driver' || !identity.driver_id || !state || identity.driver_id !== state.driver_id) {
      return sendError(ws, 'forbidden', 'Only the assigned driver sends locations for this job.');
    }
    const result = this.acceptPing(identity.driver_id, ping)!;
    if (result.current && result.fix) this.#toFleet(result.fix);
    // Sent after the event id and the outbox entry are written (output gate): an ack means
    // "stored, do not send again".
    if (ping.client_event_id)
      send(ws, { type: 'ack', payload: { client_event_id: ping.client_event_id, duplicate: result.duplicate } });
  }

  /**
   * Passes a current fix on to the dispatch object for the fleet map, at most every
   * FLEET_EVERY_MS; one held back meanwhile goes with a later ping or the flush alarm.
   */
  #toFleet(fix: DriverLocationPayload | null, now = Date.now()): void {
    if (fix && now - this.#fleetSentAt < FLEET_EVERY_MS) {
      this.#fleetPending = fix;
      return;
    }
    const next = fix ?? this.#fleetPending;
    this.#fleetPending = null;
    if (!next) return;
    this.#fleetSentAt = now;
    const dispatch = (this.#dispatch ??= dispatchStub(this.env));
    dispatch.fleetFix(next).catch((err: unknown) => {
      // A stub that threw is broken for good; the next fix makes a new one.
      this.#dispatch = null;
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'fleet map did not take the fix',
          job_id: next.job_id,
          err: String(err),
        }),
      );
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

  /** The flush alarm: the GPS log outbox goes to the Queue; a fix the fleet map has not heard yet goes too. */
  override async alarm(): Promise<void> {
    this.#toFleet(null);
    await this.#outbox.onAlarm();
    const state = this.#load();
    if (!state || isTerminal(state.status)) this.#outbox.forgetIfDrained();
  }

  // ---- RPC from the Worker and the Dispatch object ----

  /**
   * A ping from this job's driver (on the job's socket, or handed on by the dispatch
   * object), or null when this room does not take it (no live job here, or another
   * driver's). A fix with a device time is shown at once: a replay carries the same time,
   * is not newer, and so is never shown twice. Then its client event id is claimed and it
   * goes into the GPS log outbox — late fixes too — unless the id was accepted before
   * (`duplicate`). A fix without a device time is shown only once its id is claimed.
   */
  acceptPing(driverId: string, ping: LocationPing): PingResult | null {
    const state = this.#load();
    if (!state || isTerminal(state.status) || state.driver_id !== driverId) return null;
    const now = Date.now();
    const fix = toFix(driverId, state.job_id, ping, now);
    const shown = ping.recorded_at ? this.#show(fix) : false;
    const eventKey = ping.client_event_id ? `${driverId}:${ping.client_event_id}` : null;
    if (!this.#outbox.accept(eventKey, { ...fix, client_event_id: ping.client_event_id ?? null }, now))
      return { current: false, duplicate: true };
    return { current: ping.recorded_at ? shown : this.#show(fix), duplicate: false, fix };
  }

  /**
   * Applies a committed job change and fans it out as `job_status`. A change no newer
   * (by job version) than what the room holds is ignored. A terminal status closes every
   * socket and wipes storage: the database keeps the history; a late viewer gets the final
   * status from the database on connect and a closed socket.
   */
  sync(job: RoomJob): void {
    const prev = this.#load();
    const next = nextRoomState(prev, job);
    if (!next) return;
    this.#state = next;
    if (prev && prev.status !== next.status) {
      this.#broadcast({ type: 'job_status', payload: statusPayload(next, job.previous_status ?? prev.status) });
    }
    if (isTerminal(next.status)) {
      for (const ws of this.ctx.getWebSockets()) safeClose(ws, 1000, ROOM_ENDED_REASON);
      this.ctx.storage.kv.delete(KEYS.job);
      this.ctx.storage.kv.delete(KEYS.location);
      // Fixes still in the outbox go with the flush alarm, which then forgets the event ids.
      this.#outbox.forgetIfDrained();
      this.#toFleet(null);
      return;
    }
    this.#saveJob(next);
  }

  /** Shows a fix of this job's driver as the live location, unless it is older (device time) than the one held; true when shown. */
  #show(loc: DriverLocationPayload): boolean {
    const state = this.#load();
    if (!state || !isNewerFix(state.location?.ts, loc.ts)) return false;
    this.#state = { ...state, location: loc };
    this.#broadcast({ type: 'driver_location', payload: loc });
    this.#saveLocation(loc);
    return true;
  }

  snapshot(): RoomState | null {
    return this.#load();
  }

  /** Ends a user's sockets here with 4001: all of them (logout-all, suspension), or only those of one session (logout). */
  closeUser(userId: string, only?: SessionMatch): number {
    return closeRevoked(this.ctx.getWebSockets(`user:${userId}`), only);
  }

  #broadcast(msg: ServerMessage): void {
    broadcastText(this.ctx.getWebSockets(), JSON.stringify(msg));
  }
}

function parseSeed(raw: string | null): RoomJob | null {
  if (!raw) return null;
  try {
    const parsed = RoomJob.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
