/**
 * A yardstick from outside Cloudflare: a Socket.IO relay with its Redis adapter, the
 * stack two of the systems in our seed designs run. Started twice by the realtime bench
 * (two Node processes, one Redis), so a driver's message to a room crosses Redis to reach
 * the watchers on the other node, as it would behind a load balancer. It does what the
 * bare `ws` relay does (bench/lib/reference-broadcaster.ts): parses the `location_ping`,
 * turns it into the `driver_location` message our Worker sends, serializes it once for the
 * room and acknowledges pings that carry a client event id. No auth, storage or dedupe.
 *
 * `tsx bench/lib/socketio-relay.ts <port> <redis url>`; prints `listening <port>` when ready.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { toDriverLocation } from './relay-message';

const port = Number(process.argv[2] ?? 0);
const redisUrl = process.argv[3] ?? 'redis://127.0.0.1:6379';

const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
// The bench stops Redis and the nodes together: a lost connection then ends this node quietly.
for (const client of [pub, sub]) client.on('error', () => process.exit(0));
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
io.adapter(createAdapter(pub, sub));

io.on('connection', (socket) => {
  const job = String(socket.handshake.query.job ?? '');
  const driver = socket.handshake.query.driver;
  if (typeof driver !== 'string') {
    void socket.join(job);
    return;
  }
  socket.on('message', (text: string) => {
    const out = toDriverLocation(text, job, driver);
    if (!out) return;
    io.to(job).emit('message', out.text);
    if (out.ack) socket.send(out.ack);
  });
});

http.listen(port, '127.0.0.1', () => {
  const addr = http.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : port}`);
});
