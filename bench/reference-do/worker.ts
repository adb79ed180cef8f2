import { DurableObject } from 'cloudflare:workers';

/**
 * The second yardstick: the least a Durable Object relay does, on the same local
 * runtime and behind the same `wrangler dev` as the app. One object per job; a driver's
 * `location_ping` becomes the app's `driver_location` message, serialized once and sent to
 * every watcher socket. No auth, validation, dedupe, storage or second object — so the
 * difference to the app is our code, and the difference to bare `ws` is the platform.
 */
export class Room extends DurableObject {
  override async fetch(req: Request): Promise<Response> {
    if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const driver = new URL(req.url).searchParams.get('driver');
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], [driver ? 'driver' : 'watcher']);
    pair[1].serializeAttachment({ driver });
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
    const { driver } = ws.deserializeAttachment() as { driver: string };
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
    if (p.client_event_id)
      ws.send(JSON.stringify({ type: 'ack', payload: { client_event_id: p.client_event_id, duplicate: false } }));
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
