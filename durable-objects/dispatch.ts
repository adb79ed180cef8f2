import { DurableObject } from 'cloudflare:workers';
import { WS_CLOSE_UNAUTHORIZED } from '../contract/errors';
import { ClientMessage, type DriverLocationPayload, type LocationPing, type ServerMessage } from '../contract/ws';
import { withDb } from '../worker/lib/db';
import { flushDriverPositions, type DriverPosition } from '../worker/services/positions';
import { authorizeTopic } from '../worker/services/topics';
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
  type SocketIdentity,
} from './socket-identity';

/** Live positions reach Postgres at most this often per driver (SPEC §5: batched, ~15 s). */
export const POSITION_FLUSH_MS = 15_000;
const MAX_MESSAGE_BYTES = 8 * 1024;
const SEEN_EVENT_TTL_MS = 24 * 60 * 60 * 1000;

export interface PingResult {
  current: boolean;
  duplicate: boolean;
}

/**
 * The operator's dispatch channel (one object per operator): the `admin:dispatch` topic
 * and every `driver:{id}` topic. Drivers' and admins' sockets live here; drivers'
 * location pings enter here and are forwarded to their job's room, shown on the admins'
 * fleet map, logged through a Queue and flushed to Postgres in batches.
 */
export class Dispatch extends DurableObject<Env> {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS drivers (
      driver_id TEXT PRIMARY KEY,
      active_job_id TEXT,
      lat REAL, lng REAL, accuracy REAL, heading REAL, speed REAL,
      ts TEXT, received_at TEXT,
      dirty INTEGER NOT NULL DEFAULT 0
    )`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS seen_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL)`);
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
    server.serializeAttachment(identity);
    return new Response(null, { status: 101, webSocket: client });
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
    try {
      switch (msg.type) {
        case 'ping':
          return send(ws, { type: 'pong' });
        case 'subscribe':
          return await this.#subscribe(ws, identity, msg.payload.topic);
        case 'unsubscribe':
          return;
        case 'location_ping': {
          if (identity.role !== 'driver' || !identity.driver_id) {
            return sendError(ws, 'forbidden', 'Only drivers send location pings.');
          }
          const result = await this.driverPing(identity.driver_id, msg.payload);
          if (msg.payload.client_event_id) {
            send(ws, { type: 'ack', payload: { client_event_id: msg.payload.client_event_id, duplicate: result.duplicate } });
          }
          return;
        }
        case 'status_change':
          return await handleStatusChange(this.env, ws, identity, msg.payload);
      }
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', msg: 'dispatch message failed', type: msg.type, err: String(err) }));
      sendError(ws, 'internal', 'That message could not be handled right now; try again.');
    }
  }

  async #subscribe(ws: WebSocket, identity: SocketIdentity, topic: string): Promise<void> {
    const verdict = await withDb(this.env, (db) => authorizeTopic(db, identity, topic));
    if (!verdict.ok) return sendError(ws, verdict.code, verdict.message);
    send(ws, { type: 'subscribed', payload: { topic } });
    if (verdict.job_id) {
      const room = this.env.JOB_ROOM.get(this.env.JOB_ROOM.idFromName(verdict.job_id));
      const snap = await room.snapshot();
      if (snap) {
        send(ws, { type: 'job_status', payload: { job_id: snap.job_id, new_status: snap.status, previous_status: null, driver_id: snap.driver_id, ts: snap.status_at } });
        if (snap.location) send(ws, { type: 'driver_location', payload: snap.location });
      }
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    if (code !== 1005 && code !== 1006) safeClose(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    safeClose(ws, 1011, 'socket error');
  }

  // ---- location pipeline ----

  /**
   * One driver location fix. Duplicates (same client_event_id) are dropped; fixes older
   * than the one held are logged but not shown as current.
   */
  async driverPing(driverId: string, ping: LocationPing): Promise<PingResult> {
    const now = Date.now();
    if (ping.client_event_id) {
      const key = `${driverId}:${ping.client_event_id}`;
      const seen = this.#sql.exec('SELECT 1 FROM seen_events WHERE id = ?', key).toArray();
      if (seen.length > 0) return { current: false, duplicate: true };
      this.#sql.exec('INSERT INTO seen_events (id, at) VALUES (?, ?)', key, now);
    }
    const receivedAt = new Date(now).toISOString();
    const ts = ping.recorded_at ? new Date(ping.recorded_at).toISOString() : receivedAt;
    const row = this.#sql.exec<{ ts: string | null; active_job_id: string | null }>(
      'SELECT ts, active_job_id FROM drivers WHERE driver_id = ?', driverId,
    ).toArray()[0];
    const jobId = row?.active_job_id ?? null;
    const current = !row?.ts || Date.parse(ts) > Date.parse(row.ts);
    const loc: DriverLocationPayload = {
      job_id: jobId,
      driver_id: driverId,
      lat: ping.lat,
      lng: ping.lng,
      accuracy: ping.accuracy ?? null,
      heading: ping.heading ?? null,
      speed: ping.speed ?? null,
      ts,
      received_at: receivedAt,
    };
    if (current) {
      this.#sql.exec(
        `INSERT INTO drivers (driver_id, lat, lng, accuracy, heading, speed, ts, received_at, dirty)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (driver_id) DO UPDATE SET lat = excluded.lat, lng = excluded.lng, accuracy = excluded.accuracy,
           heading = excluded.heading, speed = excluded.speed, ts = excluded.ts, received_at = excluded.received_at, dirty = 1`,
        driverId, loc.lat, loc.lng, loc.accuracy, loc.heading, loc.speed, ts, receivedAt,
      );
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + POSITION_FLUSH_MS);
      this.#broadcast('role:admin', { type: 'driver_location', payload: loc });
      if (jobId) {
        const room = this.env.JOB_ROOM.get(this.env.JOB_ROOM.idFromName(jobId));
        await room.recordLocation(loc);
      }
    }
    // Every fix goes to the GPS log, current or not; the Queue retries failed writes.
    await this.env.LOCATION_LOG.send({ ...loc, client_event_id: ping.client_event_id ?? null });
    return { current, duplicate: false };
  }

  /** Writes every changed live position to Postgres in one statement; retried on failure. */
  override async alarm(): Promise<void> {
    const dirty: DriverPosition[] = this.#sql
      .exec<{ driver_id: string; lat: number; lng: number; ts: string }>('SELECT driver_id, lat, lng, ts FROM drivers WHERE dirty = 1')
      .toArray();
    if (dirty.length > 0) {
      try {
        await withDb(this.env, (db) => flushDriverPositions(db, dirty));
        for (const d of dirty) {
          // Only clear rows that did not move again while we were writing.
          this.#sql.exec('UPDATE drivers SET dirty = 0 WHERE driver_id = ? AND ts = ?', d.driver_id, d.ts);
        }
      } catch (err) {
        console.error(JSON.stringify({ level: 'error', msg: 'position flush failed, will retry', err: String(err) }));
        await this.ctx.storage.setAlarm(Date.now() + POSITION_FLUSH_MS);
        return;
      }
    }
    this.#sql.exec('DELETE FROM seen_events WHERE at < ?', Date.now() - SEEN_EVENT_TTL_MS);
    const again = this.#sql.exec('SELECT 1 FROM drivers WHERE dirty = 1 LIMIT 1').toArray();
    if (again.length > 0) await this.ctx.storage.setAlarm(Date.now() + POSITION_FLUSH_MS);
  }

  // ---- RPC from the Worker ----

  /** Tells a driver about a new assignment and routes their pings to that job's room. */
  async jobAssigned(driverId: string, msg: Extract<ServerMessage, { type: 'job_assigned' }>): Promise<void> {
    this.#setActiveJob(driverId, msg.payload.job_id);
    this.#broadcast(`driver:${driverId}`, msg);
    this.#broadcast('role:admin', msg);
  }

  /** A job's status changed: admins see it, the driver's active job follows it. */
  async jobStatus(driverId: string | null, msg: Extract<ServerMessage, { type: 'job_status' }>): Promise<void> {
    const { job_id, new_status } = msg.payload;
    if (driverId) {
      if (['en_route', 'arrived', 'in_progress', 'assigned'].includes(new_status)) this.#setActiveJob(driverId, job_id);
      else this.#clearActiveJob(driverId, job_id);
      this.#broadcast(`driver:${driverId}`, msg);
    }
    this.#broadcast('role:admin', msg);
  }

  async jobCancelled(driverId: string | null, msg: Extract<ServerMessage, { type: 'job_cancelled' }>): Promise<void> {
    if (driverId) {
      this.#clearActiveJob(driverId, msg.payload.job_id);
      this.#broadcast(`driver:${driverId}`, msg);
    }
    this.#broadcast('role:admin', msg);
  }

  async toAdmins(msg: ServerMessage): Promise<void> {
    this.#broadcast('role:admin', msg);
  }

  async toDriver(driverId: string, msg: ServerMessage): Promise<void> {
    this.#broadcast(`driver:${driverId}`, msg);
  }

  /** Latest known positions (fleet map), newest first. */
  async fleet(): Promise<DriverLocationPayload[]> {
    return this.#sql
      .exec<{ driver_id: string; active_job_id: string | null; lat: number; lng: number; accuracy: number | null; heading: number | null; speed: number | null; ts: string; received_at: string }>(
        'SELECT * FROM drivers WHERE ts IS NOT NULL ORDER BY ts DESC',
      )
      .toArray()
      .map((r) => ({ job_id: r.active_job_id, driver_id: r.driver_id, lat: r.lat, lng: r.lng, accuracy: r.accuracy, heading: r.heading, speed: r.speed, ts: r.ts, received_at: r.received_at }));
  }

  /** Forgets a driver's live position (stale-driver cleanup). */
  async forgetDriver(driverId: string): Promise<void> {
    this.#sql.exec('UPDATE drivers SET lat = NULL, lng = NULL, ts = NULL, dirty = 0 WHERE driver_id = ?', driverId);
  }

  /** Ends a user's sockets here with 4001: all of them, or only those opened with token `jti`. */
  async closeUser(userId: string, jti?: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(`user:${userId}`).filter((ws) => !jti || identityOf(ws)?.jti === jti);
    for (const ws of sockets) {
      sendError(ws, 'token_revoked', 'This session has been signed out.');
      safeClose(ws, WS_CLOSE_UNAUTHORIZED, 'revoked');
    }
    return sockets.length;
  }

  #setActiveJob(driverId: string, jobId: string): void {
    this.#sql.exec(
      `INSERT INTO drivers (driver_id, active_job_id) VALUES (?, ?)
       ON CONFLICT (driver_id) DO UPDATE SET active_job_id = excluded.active_job_id`,
      driverId, jobId,
    );
  }

  #clearActiveJob(driverId: string, jobId: string): void {
    this.#sql.exec('UPDATE drivers SET active_job_id = NULL WHERE driver_id = ? AND active_job_id = ?', driverId, jobId);
  }

  #broadcast(tag: string, msg: ServerMessage): void {
    const text = JSON.stringify(msg);
    const now = Date.now() / 1000;
    for (const ws of this.ctx.getWebSockets(tag)) {
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
