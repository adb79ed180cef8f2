import { DurableObject } from 'cloudflare:workers';
import type { JobStatus } from '../contract/enums';
import { TERMINAL_JOB_STATUSES } from '../contract/enums';
import { WS_CLOSE_UNAUTHORIZED } from '../contract/errors';
import { ClientMessage, type DriverLocationPayload, type JobStatusPayload } from '../contract/ws';
import { handleStatusChange } from './status-change';
import {
  PING_TEXT,
  PONG_TEXT,
  closeIfExpired,
  identityFromRequest,
  identityOf,
  safeClose,
  send,
  sendError,
} from './socket-identity';

/** What the room knows about its job; persisted so it survives eviction and restarts. */
export interface RoomState {
  job_id: string;
  status: JobStatus;
  driver_id: string | null;
  /** Last status change (server time, ISO). */
  status_at: string;
  location: DriverLocationPayload | null;
  closed: boolean;
}

export interface RoomJob {
  job_id: string;
  status: JobStatus;
  driver_id: string | null;
  status_at?: string;
  previous_status?: JobStatus | null;
}

export const ROOM_HEADERS = { job: 'x-plow-job', subscribe: 'x-plow-subscribe' } as const;
const MAX_MESSAGE_BYTES = 8 * 1024;
/** A finished room keeps its final snapshot this long for late viewers, then is wiped. */
const CLOSED_ROOM_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * One room per job: the job's customer (and anyone else who connects with
 * `?topic=job:{id}`) hold hibernating sockets here. The room is the authority for the
 * job's live location and status as the clients see them.
 */
export class JobRoom extends DurableObject<Env> {
  #state: RoomState | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
  }

  async #load(): Promise<RoomState | null> {
    if (this.#state === undefined) this.#state = (await this.ctx.storage.get<RoomState>('state')) ?? null;
    return this.#state;
  }

  async #save(state: RoomState): Promise<void> {
    this.#state = state;
    await this.ctx.storage.put('state', state);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    }
    const identity = identityFromRequest(request);
    if (!identity) return new Response('Missing identity', { status: 401 });
    const seed = request.headers.get(ROOM_HEADERS.job);
    if (seed && !(await this.#load())) await this.sync(JSON.parse(seed) as RoomJob);

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [`user:${identity.user_id}`, `role:${identity.role}`]);
    server.serializeAttachment(identity);
    if (request.headers.get(ROOM_HEADERS.subscribe) === '1') await this.#sendSnapshot(server);
    const state = await this.#load();
    if (state?.closed) safeClose(server, 1000, 'job ended');
    return new Response(null, { status: 101, webSocket: client });
  }

  async #sendSnapshot(ws: WebSocket): Promise<void> {
    const state = await this.#load();
    if (!state) {
      sendError(ws, 'not_found', 'This job has no live room yet.');
      return;
    }
    send(ws, { type: 'subscribed', payload: { topic: `job:${state.job_id}` } });
    send(ws, { type: 'job_status', payload: this.#statusPayload(state, null) });
    if (state.location) send(ws, { type: 'driver_location', payload: state.location });
  }

  #statusPayload(state: RoomState, previous: JobStatus | null): JobStatusPayload {
    return { job_id: state.job_id, new_status: state.status, previous_status: previous, driver_id: state.driver_id, ts: state.status_at };
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const identity = identityOf(ws);
    if (!identity) return safeClose(ws, WS_CLOSE_UNAUTHORIZED, 'no identity');
    if (closeIfExpired(ws, identity)) return;
    if (typeof data !== 'string' || data.length > MAX_MESSAGE_BYTES) {
      return sendError(ws, 'bad_message', `Send JSON text messages under ${MAX_MESSAGE_BYTES} bytes.`);
    }
    let parsed: ReturnType<typeof ClientMessage.safeParse>;
    try {
      parsed = ClientMessage.safeParse(JSON.parse(data));
    } catch {
      return sendError(ws, 'malformed_json', 'The message is not valid JSON.');
    }
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendError(ws, 'bad_message', `Invalid message: ${issue ? `${issue.path.join('.') || 'message'} ${issue.message}` : 'unknown shape'}.`);
    }
    const msg = parsed.data;
    const state = await this.#load();
    switch (msg.type) {
      case 'ping':
        return send(ws, { type: 'pong' });
      case 'subscribe':
        if (!state || msg.payload.topic !== `job:${state.job_id}`) {
          return sendError(ws, 'wrong_room', 'This connection belongs to another room: connect with ?topic= for that topic.');
        }
        return this.#sendSnapshot(ws);
      case 'unsubscribe':
        return safeClose(ws, 1000, 'unsubscribed');
      case 'location_ping': {
        if (identity.role !== 'driver' || !identity.driver_id || identity.driver_id !== state?.driver_id) {
          return sendError(ws, 'forbidden', 'Only the assigned driver sends locations for this job.');
        }
        const dispatch = this.env.DISPATCH.get(this.env.DISPATCH.idFromName('default'));
        const result = await dispatch.driverPing(identity.driver_id, msg.payload);
        if (msg.payload.client_event_id) send(ws, { type: 'ack', payload: { client_event_id: msg.payload.client_event_id, duplicate: result.duplicate } });
        return;
      }
      case 'status_change':
        return handleStatusChange(this.env, ws, identity, msg.payload);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Echo the close unless the peer sent none (1005/1006 cannot be sent back).
    if (code !== 1005 && code !== 1006) safeClose(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    safeClose(ws, 1011, 'socket error');
  }

  // ---- RPC from the Worker and the Dispatch object ----

  /** Applies a committed status change and fans it out; a terminal status closes the room. */
  async sync(job: RoomJob): Promise<void> {
    const prev = await this.#load();
    const state: RoomState = {
      job_id: job.job_id,
      status: job.status,
      driver_id: job.driver_id,
      status_at: job.status_at ?? new Date().toISOString(),
      location: job.driver_id && prev?.driver_id === job.driver_id ? prev.location : null,
      closed: TERMINAL_JOB_STATUSES.includes(job.status),
    };
    await this.#save(state);
    if (prev && prev.status !== state.status) {
      this.#broadcast(JSON.stringify({ type: 'job_status', payload: this.#statusPayload(state, job.previous_status ?? prev.status) }));
    }
    if (state.closed) {
      for (const ws of this.ctx.getWebSockets()) safeClose(ws, 1000, 'job ended');
      await this.ctx.storage.setAlarm(Date.now() + CLOSED_ROOM_TTL_MS);
    }
  }

  /**
   * Takes a location fix for this job's driver. Fixes older (device time) than the one
   * held are not current: not stored, not broadcast. Returns whether it became current.
   */
  async recordLocation(loc: DriverLocationPayload): Promise<{ current: boolean }> {
    const state = await this.#load();
    if (!state || state.closed || state.driver_id !== loc.driver_id) return { current: false };
    if (state.location && Date.parse(loc.ts) <= Date.parse(state.location.ts)) return { current: false };
    await this.#save({ ...state, location: { ...loc, job_id: state.job_id } });
    this.#broadcast(JSON.stringify({ type: 'driver_location', payload: { ...loc, job_id: state.job_id } }));
    return { current: true };
  }

  async snapshot(): Promise<RoomState | null> {
    return this.#load();
  }

  /** Ends every socket of one user (logout-all, suspension). */
  /** Ends a user's sockets here with 4001: all of them, or only those opened with token `jti`. */
  async closeUser(userId: string, jti?: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(`user:${userId}`).filter((ws) => !jti || identityOf(ws)?.jti === jti);
    for (const ws of sockets) {
      sendError(ws, 'token_revoked', 'This session has been signed out.');
      safeClose(ws, WS_CLOSE_UNAUTHORIZED, 'revoked');
    }
    return sockets.length;
  }

  /** Wipes a closed room after its grace period. */
  override async alarm(): Promise<void> {
    const state = await this.#load();
    if (state?.closed) {
      await this.ctx.storage.deleteAll();
      this.#state = null;
    }
  }

  #broadcast(text: string): void {
    const now = Date.now() / 1000;
    for (const ws of this.ctx.getWebSockets()) {
      const id = identityOf(ws);
      if (!id || closeIfExpired(ws, id, now)) continue;
      try {
        ws.send(text);
      } catch {
        // closed peer
      }
    }
  }
}
