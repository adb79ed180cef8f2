import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { summarize, type Summary } from './stats';
import { locationPing } from './location-ping';

/**
 * Where a run's sockets connect: our app, or a reference relay. URLs are templates with
 * `{job_id}`, `{driver_id}`, `{driver_token}` and `{watcher_token}` (the job's watcher
 * tokens in turn), so a target can be handed to the load process as JSON.
 */
export interface Target {
  name: string;
  driverUrl: string;
  /** Several: watcher sockets take them in turn (a relay of several nodes). */
  watcherUrl: string | string[];
  /** `socket.io`: a Socket.IO server (its own framing over a WebSocket); else plain WebSocket. */
  protocol?: 'socket.io';
}

const fill = (template: string | string[], job: LoadJob, i = 0) =>
  (typeof template === 'string' ? template : template[i % template.length]!).replace(/\{(\w+)\}/g, (_, k: string) =>
    k === 'watcher_token' ? job.watcher_tokens[i % job.watcher_tokens.length]! : String(job[k as keyof LoadJob]),
  );

export interface LoadJob {
  job_id: string;
  driver_id: string;
  driver_token: string;
  /** Tokens of people allowed to watch the job; watcher sockets take them in turn. */
  watcher_tokens: string[];
}

export interface Scenario {
  name: string;
  jobs: LoadJob[];
  watchersPerJob: number;
  /** Pings per second per driver. */
  rateHz: number;
  warmupSeconds: number;
  seconds: number;
}

export interface RunResult {
  scenario: string;
  target: string;
  latency: Summary;
  /** driver_location messages received by watchers per second while measuring. */
  deliveredPerSecond: number;
  /** Share of expected deliveries (pings × watchers) that arrived. */
  deliveredShare: number;
  /** Pings the drivers sent per second while measuring. */
  pingsPerSecond: number;
  /** Worst latency of the pings sent in each measured second (to spot periodic stalls). */
  worstBySecond: number[];
  /** Every sample, so runs of several rounds can be merged (not written to the results file). */
  samples?: number[];
}

const CONNECT_CONCURRENCY = 16;

/** One client socket, whatever the target speaks: text out, text in. */
interface Conn {
  send(text: string): void;
  onMessage(handler: (text: string) => void): void;
  close(): void;
}

function openWs(url: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () =>
      resolve({
        send: (text) => ws.send(text),
        onMessage: (handler) => ws.on('message', (data) => handler(String(data))),
        close: () => ws.terminate(),
      }),
    );
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode} for ${url.replace(/token=[^&]+/, 'token=…')}`)),
    );
  });
}

/** A Socket.IO client on its WebSocket transport only; the URL's query is the handshake's. */
function openSocketIo(url: string): Promise<Conn> {
  const u = new URL(url);
  const socket = io(u.origin, {
    transports: ['websocket'],
    query: Object.fromEntries(u.searchParams),
    forceNew: true,
    reconnection: false,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () =>
      resolve({
        send: (text) => socket.send(text),
        onMessage: (handler) => socket.on('message', handler),
        close: () => socket.disconnect(),
      }),
    );
    socket.once('connect_error', reject);
  });
}

async function openAll(urls: string[], protocol: Target['protocol']): Promise<Conn[]> {
  const open = protocol === 'socket.io' ? openSocketIo : openWs;
  const sockets: Conn[] = new Array(urls.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONNECT_CONCURRENCY, urls.length) }, async () => {
      while (next < urls.length) {
        const i = next++;
        sockets[i] = await open(urls[i]!);
      }
    }),
  );
  return sockets;
}

/**
 * Drives one scenario against one target: connects the watchers and drivers, pings from
 * every driver at `rateHz` (spread evenly over the second) with `recorded_at` = send
 * time, and measures, per watcher and message, the time from the driver's send to the
 * watcher's receipt. The first `warmupSeconds` are not measured.
 */
export async function runScenario(target: Target, s: Scenario, log: (l: string) => void): Promise<RunResult> {
  const watcherUrls = s.jobs.flatMap((job) =>
    Array.from({ length: s.watchersPerJob }, (_, i) => fill(target.watcherUrl, job, i)),
  );
  log(`  ${target.name}: connecting ${watcherUrls.length} watchers and ${s.jobs.length} drivers…`);
  const watchers = await openAll(watcherUrls, target.protocol);
  const drivers = await openAll(
    s.jobs.map((job) => fill(target.driverUrl, job)),
    target.protocol,
  );

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const worstBySecond: number[] = [];
  let started = 0;
  /** Only pings sent in the measured window are timed; their deliveries count until the end. */
  let measuring = false;
  let delivered = 0;
  let sentWhileMeasuring = 0;
  for (const ws of watchers) {
    ws.onMessage((data) => {
      const now = performance.now();
      const msg = JSON.parse(data) as { type: string; payload?: { driver_id: string; ts: string } };
      if (msg.type !== 'driver_location' || !msg.payload) return;
      const t0 = sentAt.get(`${msg.payload.driver_id}|${msg.payload.ts}`);
      if (t0 === undefined) return;
      latencies.push(now - t0);
      const second = Math.floor((t0 - started) / 1000);
      worstBySecond[second] = Math.max(worstBySecond[second] ?? 0, now - t0);
      delivered++;
    });
  }
  for (const d of drivers) d.onMessage(() => {});

  // Client event ids must be new in every run: the app drops repeats (as it should).
  const run = Math.random().toString(36).slice(2, 10);
  let seq = 0;
  const periodMs = 1000 / s.rateHz;
  const timers: NodeJS.Timeout[] = [];
  const starters: NodeJS.Timeout[] = [];
  s.jobs.forEach((job, i) => {
    const ping = () => {
      const at = new Date();
      const ts = at.toISOString();
      const n = ++seq;
      if (measuring) {
        sentAt.set(`${job.driver_id}|${ts}`, performance.now());
        sentWhileMeasuring++;
      }
      const fix = locationPing(43.2 + (n % 1000) / 1e5, -71.5, `bench-${run}-${n}`, { accuracy: 5, speed: 8 }, ts);
      drivers[i]!.send(JSON.stringify(fix));
    };
    starters.push(
      setTimeout(
        () => {
          ping();
          timers.push(setInterval(ping, periodMs));
        },
        (i * periodMs) / s.jobs.length,
      ),
    );
  });

  await new Promise((r) => setTimeout(r, s.warmupSeconds * 1000));
  measuring = true;
  started = performance.now();
  await new Promise((r) => setTimeout(r, s.seconds * 1000));
  const elapsed = (performance.now() - started) / 1000;
  measuring = false;
  for (const t of [...starters, ...timers]) clearTimeout(t);
  // Let deliveries of the last measured pings land.
  await new Promise((r) => setTimeout(r, 1500));
  for (const ws of [...watchers, ...drivers]) ws.close();

  return {
    scenario: s.name,
    target: target.name,
    latency: summarize(latencies),
    deliveredPerSecond: delivered / elapsed,
    deliveredShare: sentWhileMeasuring ? delivered / (sentWhileMeasuring * s.watchersPerJob) : 0,
    pingsPerSecond: sentWhileMeasuring / elapsed,
    worstBySecond: Array.from(worstBySecond, (v) => Math.round(v ?? 0)),
    samples: latencies,
  };
}
