import { DurableObject } from 'cloudflare:workers';

/**
 * The second yardstick: the least a Durable Object relay does, on the same local
 * runtime and behind the same `wrangler dev` as the app. One object per job; a driver's
 * `location_ping` becomes the app's `driver_location` message, serialized once and sent to
 * every watcher socket. No auth, validation, dedupe, storage or second object — so the
 * difference to the app is our code, and the difference to bare `ws` is the platform.
 *
 * A driver who connects with `&store=1` streams through the third yardstick, the least a
 * relay does that keeps SPEC §3's promise of a fix applied exactly once: after the watchers
 * are sent the fix, its client event id and the fix are written as one row of the room's
 * SQLite storage (a copy writes nothing), and the ack follows the write, so the runtime
 * holds it until the row is durable. The difference between the two is what storing
 * costs on this machine's disk.
 */
export class Room extends DurableObject {
  #table = false;

  override async fetch(req: Request): Promise<Response> {
    if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const url = new URL(req.url);
    const driver = url.searchParams.get('driver');
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [driver ? 'driver' : 'watcher']);
    pair[1].serializeAttachment({ driver, store: url.searchParams.get('store') === '1' });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): void {
    const msg = JSON.parse(String(data)) as {
      type: string;
      payload: { lat: number; lng: number; accuracy?: number; recorded_at?: string; client_event_id?: string };
    };
    if (msg.type !== 'location_ping') return;
    const p = msg.payload;
    const now = new Date().toISOString();
    const { driver, store } = ws.deserializeAttachment() as { driver: string; store: boolean };
    const text = JSON.stringify({
      type: 'driver_location',
      payload: {
        job_id: this.ctx.id.toString(),
        driver_id: driver,
        lat: p.lat,
        lng: p.lng,
        accuracy: p.accuracy ?? null,
        heading: null,
        speed: null,
        ts: p.recorded_at ?? now,
        received_at: now,
      },
    });
    for (const w of this.ctx.getWebSockets('watcher')) w.send(text);
    if (!p.client_event_id) return;
    const duplicate = store ? !this.#claim(`${driver}:${p.client_event_id}`, text) : false;
    ws.send(JSON.stringify({ type: 'ack', payload: { client_event_id: p.client_event_id, duplicate } }));
  }

  /** One row per fix, keyed by its event id: true when new, false for a copy (nothing written). */
  #claim(eventKey: string, fix: string): boolean {
    const sql = this.ctx.storage.sql;
    if (!this.#table) {
      sql.exec('CREATE TABLE IF NOT EXISTS fixes (event_id TEXT PRIMARY KEY, body TEXT)');
      this.#table = true;
    }
    return sql.exec('INSERT INTO fixes VALUES (?, ?) ON CONFLICT DO NOTHING', eventKey, fix).rowsWritten > 0;
  }
}

export default {
  async fetch(req: Request, env: { ROOM: DurableObjectNamespace<Room> }): Promise<Response> {
    const url = new URL(req.url);
    // What bench/lib/direct-port.ts asks to tell this workerd from wrangler's dev proxy.
    if (url.pathname === '/healthz') return Response.json({ status: 'ok' });
    const job = url.searchParams.get('job') ?? '';
    return env.ROOM.get(env.ROOM.idFromName(job)).fetch(req);
  },
} satisfies ExportedHandler<{ ROOM: DurableObjectNamespace<Room> }>;
