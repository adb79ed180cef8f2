import { ACTIVE_JOB } from '../contract/job-status';
import type { ClientMessage, DriverLocationPayload, LocationPing, ServerMessage } from '../contract/ws';
import { withDb } from '../worker/lib/db';
import { roomStub } from '../worker/realtime';
import { activeJobsOf } from '../worker/services/positions';
import { BatchedLookup } from './batched-lookup';
import { authorizeChannel, authorizeTopic } from '../worker/services/topics';
import { DriverPositions, type DriverRow } from './driver-positions';
import { awaitsAck, GpsOutbox, type PingResult } from './gps-outbox';
import { isNewerFix, statusPayload, toFix } from './room-state';
import type { SocketIdentity } from './socket-identity';
import { SocketRoom } from './socket-room';
import { handleStatusChange } from './status-change';
import type { UpgradeTicket } from './upgrade-ticket';
import { broadcastText, send, sendError } from './wire';
import { log } from '../worker/lib/log';

/**
 * The operator's dispatch channel, one object per operator (`idFromName('default')`):
 * `admin:dispatch` (new requests, driver status, the fleet map) and every
 * `driver:{id}` (assignments, cancellations). Drivers' and dispatchers' hibernating
 * sockets live here, tagged `user:`, `role:` and `driver:`. A ping sent on this socket
 * goes to the driver's job room, which deduplicates, shows and logs it; a driver on no
 * job is deduplicated and logged here. The fleet map is kept here either way: job rooms
 * pass their drivers' fixes on (`fleetFix`).
 */
export class Dispatch extends SocketRoom {
  protected readonly label = 'dispatch';
  #positions: DriverPositions;
  /** Pings of drivers on no job, on their way to the GPS log. */
  #outbox: GpsOutbox;
  /** Drivers' live jobs asked of Postgres together: a reconnecting fleet is a few queries. */
  #liveJobs = new BatchedLookup<string, string>((ids) => withDb(this.env, (db) => activeJobsOf(db, ids)));

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#positions = new DriverPositions(ctx.storage.sql);
    this.#outbox = new GpsOutbox(ctx.storage, env.LOCATION_LOG);
  }

  /** Drivers and dispatchers; customers watch jobs in the job's room. */
  protected admit({ identity }: UpgradeTicket): string[] | Response {
    if (identity.role === 'customer') return new Response('Not for customers', { status: 403 });
    const tags = [`user:${identity.user_id}`, `role:${identity.role}`];
    if (identity.driver_id) tags.push(`driver:${identity.driver_id}`);
    return tags;
  }

  /** Opened with `?topic=` (authorized by the Worker): that channel's snapshot at once. */
  protected joined(ws: WebSocket, ticket: UpgradeTicket): void {
    if (ticket.topic) this.#sendSnapshot(ws, ticket.topic);
  }

  /** What a dispatch socket hears follows its token (role, driver id): it ends with the session. */
  protected mayStay(): boolean {
    return true;
  }

  protected async receive(ws: WebSocket, identity: SocketIdentity, msg: ClientMessage): Promise<void> {
    switch (msg.type) {
      case 'subscribe':
        return this.#subscribe(ws, identity, msg.payload.topic);
      case 'unsubscribe':
        // Topics on this socket follow its identity (tags are fixed at accept): nothing to undo.
        return;
      case 'location_ping': {
        if (identity.role !== 'driver' || !identity.driver_id) {
          return sendError(ws, 'forbidden', 'Only drivers send location pings.');
        }
        // The next message is not held for this one's write (here or in the room); its ack
        // is, so an ack means "stored, do not send again".
        const { client_event_id } = msg.payload;
        void this.#driverPing(identity.driver_id, msg.payload).then(
          (result) => {
            if (client_event_id) send(ws, { type: 'ack', payload: { client_event_id, duplicate: result.duplicate } });
          },
          () => sendError(ws, 'internal', 'That location could not be stored right now; send it again.'),
        );
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
    if (!verdict.job) return this.#sendSnapshot(ws, topic);
    const snap = await roomStub(this.env, verdict.job.id).snapshot();
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
          log.error({
            msg: 'room did not take the fix; logged without it',
            job_id: jobId,
            err: String(err),
          });
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
    const entry = { ...loc, client_event_id: ping.client_event_id ?? null };
    if (!(await this.#outbox.accept(eventKey, entry, now, awaitsAck(ping, now))))
      return { current: false, duplicate: true };
    if (current) this.#positions.saveFix(loc);
    return { current, duplicate: false, fix: loc };
  }

  /** First ping from a driver this object has no record of: ask Postgres for their live job. */
  async #adoptDriver(driverId: string): Promise<DriverRow> {
    const jobId = (await this.#liveJobs.get(driverId)) ?? null;
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

  /**
   * A job's status changed: dispatchers see it; the driver's pings follow their live job.
   * `alsoToAdmins`: what else the same change tells the dispatchers (the statuses it derived
   * for the drivers it touched), in this one call rather than one call each.
   */
  jobStatus(
    driverId: string | null,
    msg: Extract<ServerMessage, { type: 'job_status' }>,
    alsoToAdmins: readonly ServerMessage[] = [],
  ): void {
    const { job_id, new_status } = msg.payload;
    if (driverId) {
      if (ACTIVE_JOB.includes(new_status)) this.#positions.setActiveJob(driverId, job_id);
      else this.#positions.clearActiveJob(driverId, job_id);
      this.#broadcast(`driver:${driverId}`, msg);
    }
    this.#broadcast('role:admin', msg, ...alsoToAdmins);
  }

  jobCancelled(
    driverId: string | null,
    msg: Extract<ServerMessage, { type: 'job_cancelled' }>,
    alsoToAdmins: readonly ServerMessage[] = [],
  ): void {
    if (driverId) {
      this.#positions.clearActiveJob(driverId, msg.payload.job_id);
      this.#broadcast(`driver:${driverId}`, msg);
    }
    this.#broadcast('role:admin', msg, ...alsoToAdmins);
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

  /** Each message, in order, to the sockets with `tag`, looked up once for all of them. */
  #broadcast(tag: string, ...msgs: ServerMessage[]): void {
    const sockets = this.ctx.getWebSockets(tag);
    for (const msg of msgs) broadcastText(sockets, JSON.stringify(msg));
  }
}
