import { Pool, neonConfig, type PoolClient } from '@neondatabase/serverless';
import { fixNeonSocket } from './neon-socket-fix';
import { log } from './log';

export interface DriverEnv {
  /** Local dev/test only: the WebSocket→TCP bridge (`host:port/v1`) in front of a plain Postgres. */
  DB_WS_PROXY?: string;
}

let configuredProxy: string | undefined;

/**
 * Points the Neon driver at a local bridge when one is configured. On Neon itself the
 * driver's defaults (secure WebSocket to Neon's proxy) apply.
 */
function configureDriver(env: DriverEnv): void {
  fixNeonSocket();
  if (!env.DB_WS_PROXY || configuredProxy === env.DB_WS_PROXY) return;
  const proxy = env.DB_WS_PROXY;
  neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  configuredProxy = proxy;
}

/**
 * A driver pool as every database user here opens one (the app's `openDb`, the bench's
 * bare-Worker yardstick): the driver configured, and a lost connection logged or ignored
 * instead of thrown as an uncaught exception.
 */
export function openPool(env: DriverEnv & { DATABASE_URL: string }, max: number): Pool {
  configureDriver(env);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max });
  pool.on('error', (err: Error) => {
    // A connection dropped while the pool is being closed is the end we asked for, not a fault.
    if ((pool as Pool & { ending?: boolean }).ending) return;
    log.error({ msg: 'db pool error', err: err.message });
  });
  // pg emits a lost connection as an `error` event on the client; a client checked out for a
  // transaction has no listener, so without this one the event is thrown as an uncaught
  // exception. The query in flight is rejected either way — that is what callers act on.
  pool.on('connect', (client: PoolClient) => client.on('error', () => {}));
  return pool;
}
