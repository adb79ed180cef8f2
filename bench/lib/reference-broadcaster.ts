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
import { toDriverLocation } from './relay-message';

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
    const out = toDriverLocation(String(data), job, driver);
    if (!out) return;
    for (const w of rooms.get(job) ?? []) w.send(out.text);
    if (out.ack) ws.send(out.ack);
  });
});

server.on('listening', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : port}`);
});
