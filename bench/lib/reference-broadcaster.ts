/**
 * The yardstick: the least a live-location relay can do, on the `ws` package in one Node
 * process. Drivers connect with `?driver={id}&job={id}`, watchers with `?job={id}`. A
 * driver's `location_ping` is parsed, turned into the same `driver_location` message our
 * Worker sends, serialized once and written to every watcher of the job; pings with a
 * client event id are acknowledged, as ours are. No auth, validation, dedupe, storage,
 * logging or second hop — the numbers say what our stack costs on top of that.
 *
 * Run as a child process (`tsx bench/lib/reference-broadcaster.ts <port>`) so it does not
 * share the load generator's event loop; prints `listening <port>` when ready.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { LocationPing } from '../../contract/ws';

const port = Number(process.argv[2] ?? 0);
const rooms = new Map<string, Set<WebSocket>>();
const server = new WebSocketServer({ host: '127.0.0.1', port });

server.on('connection', (ws, req) => {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const job = q.get('job') ?? '';
  const driver = q.get('driver');
  if (!driver) {
    let room = rooms.get(job);
    if (!room) rooms.set(job, (room = new Set()));
    room.add(ws);
    ws.on('close', () => room.delete(ws));
    return;
  }
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string; payload: LocationPing };
    if (msg.type !== 'location_ping') return;
    const p = msg.payload;
    const now = new Date().toISOString();
    const text = JSON.stringify({
      type: 'driver_location',
      payload: {
        job_id: job,
        driver_id: driver,
        lat: p.lat,
        lng: p.lng,
        accuracy: p.accuracy ?? null,
        heading: p.heading ?? null,
        speed: p.speed ?? null,
        ts: p.recorded_at ?? now,
        received_at: now,
      },
    });
    for (const w of rooms.get(job) ?? []) w.send(text);
    if (p.client_event_id)
      ws.send(JSON.stringify({ type: 'ack', payload: { client_event_id: p.client_event_id, duplicate: false } }));
  });
});

server.on('listening', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : port}`);
});
