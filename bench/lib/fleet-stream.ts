import WebSocket from 'ws';
import { locationPing } from './location-ping';
import type { LoadJob } from './ws-load';

/**
 * Drivers streaming GPS the way the driver app does on a job: one socket each on their
 * job's topic, a fix every `periodMs` (spread evenly across the drivers), each with a new
 * client event id, each acknowledged by the server. Counts what was sent and acknowledged
 * and times ping → ack.
 */
export interface FleetStream {
  sent: () => number;
  /** Sockets the server closed before the end (a dropped socket would hide lost events). */
  closed: () => number;
  acked: () => number;
  errors: () => string[];
  ackLatencies: number[];
  stop: () => Promise<void>;
}

export async function streamFleet(
  baseUrl: string,
  jobs: LoadJob[],
  periodMs: number,
  tag: string,
): Promise<FleetStream> {
  const ws = baseUrl.replace(/^http/, 'ws');
  const pending = new Map<string, number>();
  const ackLatencies: number[] = [];
  const errors: string[] = [];
  let sent = 0;
  let acked = 0;
  let closed = 0;
  let stopping = false;
  const sockets = await Promise.all(
    jobs.map(
      (job) =>
        new Promise<WebSocket>((resolve, reject) => {
          const s = new WebSocket(`${ws}/ws?token=${job.driver_token}&topic=job:${job.job_id}`, {
            perMessageDeflate: false,
          });
          s.once('open', () => resolve(s));
          s.once('error', reject);
          s.once('close', () => {
            if (!stopping) closed++;
          });
          s.on('message', (data) => {
            const msg = JSON.parse(String(data)) as {
              type: string;
              payload?: { client_event_id?: string; code?: string; message?: string };
            };
            if (msg.type === 'ack' && msg.payload?.client_event_id) {
              const t0 = pending.get(msg.payload.client_event_id);
              if (t0 !== undefined) {
                pending.delete(msg.payload.client_event_id);
                ackLatencies.push(performance.now() - t0);
                acked++;
              }
            } else if (msg.type === 'error') errors.push(`${msg.payload?.code}: ${msg.payload?.message}`);
          });
        }),
    ),
  );
  let seq = 0;
  const timers: NodeJS.Timeout[] = [];
  jobs.forEach((job, i) => {
    const ping = () => {
      const n = ++seq;
      const id = `${tag}-${i}-${n}`;
      pending.set(id, performance.now());
      sent++;
      sockets[i]!.send(JSON.stringify(locationPing(43.2 + (n % 500) / 1e4, -71.5 + i / 1e3, id)));
    };
    timers.push(
      setTimeout(
        () => {
          ping();
          timers.push(setInterval(ping, periodMs));
        },
        (i * periodMs) / jobs.length,
      ),
    );
  });
  return {
    sent: () => sent,
    closed: () => closed,
    acked: () => acked,
    errors: () => errors,
    ackLatencies,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      // Acks of the last pings.
      for (let i = 0; i < 50 && pending.size > 0; i++) await new Promise((r) => setTimeout(r, 100));
      stopping = true;
      for (const s of sockets) s.close(1000);
    },
  };
}

/** The number of write transactions Postgres has started so far (read-only ones take no id). */
export async function writeTransactionId(query: (sql: string) => Promise<{ rows: { x: string }[] }>): Promise<bigint> {
  const { rows } = await query('SELECT pg_current_xact_id()::text AS x');
  return BigInt(rows[0]!.x);
}

/** How many rows the GPS log holds for these drivers. */
export async function gpsLogRows(
  query: (sql: string, params: unknown[]) => Promise<{ rows: { n: string }[] }>,
  driverIds: string[],
): Promise<number> {
  const { rows } = await query('SELECT count(*) AS n FROM driver_location_log WHERE driver_id = ANY($1::uuid[])', [
    driverIds,
  ]);
  return Number(rows[0]!.n);
}
