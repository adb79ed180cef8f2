import { dispatchStub } from '../worker/realtime';
import { canSee } from '../worker/services/jobs';
import { OPEN_INVOICE_STATUSES, type InvoiceStatus } from '../contract/enums';
import type {
  ClientMessage,
  DriverLocationPayload,
  InvoiceChangedPayload,
  JobUpdatedPayload,
  LocationPing,
  RouteEtaPayload,
  ServerMessage,
} from '../contract/ws';
import { awaitsAck, GpsOutbox, type PingResult } from './gps-outbox';
import {
  type RoomJob,
  isEnded,
  isNewerFix,
  isTerminal,
  nextRoomState,
  statusPayload,
  toFix,
  type RoomState,
} from './room-state';
import { identityOf, type SocketIdentity } from './socket-identity';
import { SocketRoom } from './socket-room';
import type { Dispatch } from './dispatch';
import { handleStatusChange } from './status-change';
import type { UpgradeTicket } from './upgrade-ticket';
import { broadcastText, closeAccessEnded, safeClose, send, sendError } from './wire';
import { log } from '../worker/lib/log';

export type { RoomJob, RoomState } from './room-state';

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
 * Whether `who` may follow a room's job: the rule GET /jobs/:id applies (`canSee`) — its
 * customer, its driver of the moment, dispatchers. A room stored before it knew its
 * customer lets customers stay until it learns it (the next upgrade's ticket tells it).
 */
export function mayFollow(who: SocketIdentity, state: RoomState): boolean {
  if (who.role === 'customer' && state.customer_id === undefined) return true;
  return canSee(who, { customer_id: state.customer_id ?? '', driver_id: state.driver_id });
}

/**
 * One room per job (`idFromName(jobId)`): the job's customer and anyone else who connects
 * with `?topic=job:{id}` hold hibernating sockets here, tagged `user:{id}` and
 * `role:{role}`. The room is the authority for the job's live status and location as the
 * clients see them, kept in its storage so they survive eviction. A socket stays only
 * while its user may see the job: one whose driver lost it (reassigned, rejected) is
 * closed with 4003 the moment the room hears of the change, before anything more is sent.
 *
 * It also takes its driver's pings, from the job's own socket or handed on by the dispatch
 * object: deduplicated by client event id, shown to the watchers, put in its GPS log
 * outbox (sent to the Queue in batches) and passed on to the fleet map. All it schedules
 * is the outbox's write (seconds after a ping) and flush alarm, while fixes wait, so an
 * idle room hibernates and keep-alive pings are answered by the runtime.
 */
export class JobRoom extends SocketRoom {
  protected readonly label = 'job room';
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
  /** The live location in memory is newer than the stored one. */
  #locationUnsaved = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#outbox = new GpsOutbox(ctx.storage, env.LOCATION_LOG, () => this.#saveLocation());
  }

  #load(): RoomState | null {
    if (this.#state === undefined) {
      const kv = this.ctx.storage.kv;
      const job = kv.get<Omit<RoomState, 'location'>>(KEYS.job);
      this.#state = job ? { ...job, location: kv.get<DriverLocationPayload>(KEYS.location) ?? null } : null;
    }
    return this.#state;
  }

  /**
   * A job change: rare, and written before anyone is told (outgoing messages wait for it).
   * A location already gone from storage (`prev` held none) is not deleted again.
   */
  #saveJob(state: RoomState, prev: RoomState | null): void {
    const { location, ...job } = state;
    const kv = this.ctx.storage.kv;
    kv.put(KEYS.job, job);
    if (location) kv.put(KEYS.location, location);
    else if (prev?.location) kv.delete(KEYS.location);
  }

  /**
   * A new live location, the hot path: kept in memory at once and written with the pings'
   * next write (the outbox's window), not in the turn that shows it. If the object is lost
   * before, the last written location is at most a window old and the next fix replaces it.
   */
  #saveLocation(): void {
    const location = this.#state?.location;
    if (location && this.#locationUnsaved) this.ctx.storage.kv.put(KEYS.location, location);
    this.#locationUnsaved = false;
  }

  /** The job as the Worker just read it creates the room, or repairs one that missed a change (fan-out is best effort). */
  protected admit(ticket: UpgradeTicket): string[] | Response {
    if (ticket.job) this.sync(ticket.job);
    const state = this.#load();
    if (state && !isEnded(state) && !mayFollow(ticket.identity, state))
      return new Response('Not your job', { status: 403 });
    return [`user:${ticket.identity.user_id}`, `role:${ticket.identity.role}`];
  }

  protected joined(ws: WebSocket, ticket: UpgradeTicket): void {
    const state = this.#load();
    const ended = !!state && isEnded(state);
    if (ticket.snapshot || ended) this.#sendSnapshot(ws);
    if (ended) safeClose(ws, 1000, ROOM_ENDED_REASON);
  }

  protected mayStay(identity: SocketIdentity): boolean {
    const state = this.#load();
    return !state || isEnded(state) || mayFollow(identity, state);
  }

  /** `subscribed`, the current `job_status` and, when known, the last `driver_location` — at once. */
  #sendSnapshot(ws: WebSocket): void {
    const state = this.#load();
    if (!state) return sendError(ws, 'not_found', 'This job has no live room yet.');
    send(ws, { type: 'subscribed', payload: { topic: `job:${state.job_id}` } });
    send(ws, { type: 'job_status', payload: statusPayload(state, null) });
    if (state.location) send(ws, { type: 'driver_location', payload: state.location });
  }

  protected receive(ws: WebSocket, identity: SocketIdentity, msg: ClientMessage): Promise<void> | void {
    const state = this.#load();
    switch (msg.type) {
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
    // The next message is not held for this one's write; its ack is.
    void this.acceptPing(identity.driver_id, ping).then(
      (result) => {
        if (!result) return;
        if (result.current && result.fix) this.#toFleet(result.fix);
        // After the event id and the outbox entry are written (output gate): an ack
        // means "stored, do not send again".
        if (ping.client_event_id)
          send(ws, { type: 'ack', payload: { client_event_id: ping.client_event_id, duplicate: result.duplicate } });
      },
      () => sendError(ws, 'internal', 'That location could not be stored right now; send it again.'),
    );
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
      log.error({
        msg: 'fleet map did not take the fix',
        job_id: next.job_id,
        err: String(err),
      });
    });
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
  async acceptPing(driverId: string, ping: LocationPing): Promise<PingResult | null> {
    const state = this.#load();
    if (!state || isTerminal(state.status) || state.driver_id !== driverId) return null;
    const now = Date.now();
    const fix = toFix(driverId, state.job_id, ping, now);
    const shown = ping.recorded_at ? this.#show(fix) : false;
    const eventKey = ping.client_event_id ? `${driverId}:${ping.client_event_id}` : null;
    const entry = { ...fix, client_event_id: ping.client_event_id ?? null };
    if (!(await this.#outbox.accept(eventKey, entry, now, awaitsAck(ping, now))))
      return { current: false, duplicate: true };
    return { current: ping.recorded_at ? shown : this.#show(fix), duplicate: false, fix };
  }

  /**
   * Applies a committed job change and fans it out as `job_status`. A change no newer
   * (by job version) than what the room holds is ignored. A terminal status ends the live
   * part (the plow's position, its pings); a called-off job also ends the room: every socket
   * is closed and storage wiped (the database keeps the history; a late viewer gets the
   * final status from the database on connect and a closed socket). A served job's room
   * stays for its bill until `invoiceChanged` says it is settled.
   */
  sync(job: RoomJob): void {
    const prev = this.#load();
    let next = nextRoomState(prev, job);
    if (!next) return;
    if (isTerminal(next.status)) next = { ...next, location: null };
    this.#state = next;
    // Whoever lost the job with this change leaves before hearing anything more of it.
    if (!isEnded(next)) this.#closeWhoMayNotFollow(next);
    if (prev && prev.status !== next.status) {
      this.#broadcast({ type: 'job_status', payload: statusPayload(next, job.previous_status ?? prev.status) });
    }
    if (isTerminal(next.status)) {
      // Fixes still in the outbox go with the flush alarm, which then forgets the event ids.
      this.#outbox.forgetIfDrained();
      this.#toFleet(null);
    }
    if (isEnded(next)) return this.#end();
    this.#saveJob(next, prev);
  }

  /** Every socket closes with ROOM_ENDED_REASON and storage is wiped. */
  #end(): void {
    for (const ws of this.ctx.getWebSockets()) safeClose(ws, 1000, ROOM_ENDED_REASON);
    this.ctx.storage.kv.delete(KEYS.job);
    this.ctx.storage.kv.delete(KEYS.location);
  }

  /**
   * The job's invoice changed (a payment, a refund, a void): its watchers hear it as
   * `invoice_changed` and reload the invoice. Once a served job's bill is settled the room ends.
   */
  invoiceChanged(payload: InvoiceChangedPayload): void {
    const state = this.#load();
    if (!state || payload.job_id !== state.job_id || isEnded(state)) return;
    this.#broadcast({ type: 'invoice_changed', payload });
    if (isTerminal(state.status) && !OPEN_INVOICE_STATUSES.includes(payload.status as InvoiceStatus)) {
      this.#state = { ...state, bill_settled: true };
      this.#end();
    }
  }

  /**
   * Shows a fix of this job's driver as the live location, unless it is older (device time)
   * than the one held; true when shown. It goes to the job's watchers, not back to the
   * driver's own phone, which knows where it is and learns that the fix is stored from its
   * ack (docs/decisions/0100).
   */
  #show(loc: DriverLocationPayload): boolean {
    const state = this.#load();
    if (!state || !isNewerFix(state.location?.ts, loc.ts)) return false;
    this.#state = { ...state, location: loc };
    this.#broadcast({ type: 'driver_location', payload: loc }, (who) => who.driver_id === loc.driver_id);
    this.#locationUnsaved = true;
    return true;
  }

  /**
   * Where this job stands on its driver's storm route, for the people in the room (its
   * customer, its driver, dispatchers). A room holds one job: nobody hears another's place.
   */
  routeEta(payload: RouteEtaPayload): void {
    const state = this.#load();
    if (!state || payload.job_id !== state.job_id || isTerminal(state.status)) return;
    this.#broadcast({ type: 'route_eta', payload });
  }

  /** An edit of this job (time, instructions, tier, place, price): its watchers reload it. */
  jobUpdated(payload: JobUpdatedPayload): void {
    const state = this.#load();
    if (state && (payload.job_id !== state.job_id || isTerminal(state.status))) return;
    this.#broadcast({ type: 'job_updated', payload });
  }

  snapshot(): RoomState | null {
    return this.#load();
  }

  #closeWhoMayNotFollow(state: RoomState): void {
    for (const ws of this.ctx.getWebSockets()) {
      const identity = identityOf(ws);
      if (identity && !mayFollow(identity, state)) closeAccessEnded(ws);
    }
  }

  #broadcast(msg: ServerMessage, skip?: (identity: SocketIdentity) => boolean): void {
    broadcastText(this.ctx.getWebSockets(), JSON.stringify(msg), (identity) => this.mayStay(identity), skip);
  }
}
