import { neonConfig } from '@neondatabase/serverless';
import { fixNeonSocketEnd } from './neon-socket-fix';

export interface DriverEnv {
  /** Local dev/test only: the WebSocket→TCP bridge (`host:port/v1`) in front of a plain Postgres. */
  DB_WS_PROXY?: string;
}

let configuredProxy: string | undefined;

/**
 * Points the Neon driver at a local bridge when one is configured. On Neon itself the
 * driver's defaults (secure WebSocket to Neon's proxy) apply.
 */
export function configureDriver(env: DriverEnv): void {
  fixNeonSocketEnd();
  if (!env.DB_WS_PROXY || configuredProxy === env.DB_WS_PROXY) return;
  const proxy = env.DB_WS_PROXY;
  neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  neonConfig.pipelineTLS = false;
  configuredProxy = proxy;
}
