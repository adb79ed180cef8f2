import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { WebSocketServer } from 'ws';
import { startWsBridge } from './ws-bridge';
const http = createServer(); const wss = new WebSocketServer({ server: http });
const seen: unknown[] = [];
wss.on('connection', (ws, req) => { seen.push(req.headers); ws.close(1000, 'bye'); });
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
const port = (http.address() as { port: number }).port;
const bridge = await startWsBridge({ allowedTargets: [`127.0.0.1:${port}`], log: console.log });
const wr = spawn('/work/main/node_modules/.bin/wrangler', ['dev', '--port', '8799', '--ip', '127.0.0.1'], { cwd: '/tmp/probe/wk', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
let out = ''; wr.stdout.on('data', (d) => (out += d)); wr.stderr.on('data', (d) => (out += d));
for (let i = 0; i < 60 && !out.includes('Ready'); i++) await new Promise((r) => setTimeout(r, 500));
for (const u of [`ws://127.0.0.1:${port}/v1`, `ws://${bridge.proxy}?address=127.0.0.1:${port}`]) {
  const res = await fetch('http://127.0.0.1:8799/?u=' + encodeURIComponent(u));
  console.log(u, '->', await res.text());
}
console.log('headers seen by target from workerd:', seen);
wr.kill('SIGINT'); await bridge.stop(); http.close();
setTimeout(() => process.exit(0), 1000);
