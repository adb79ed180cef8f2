import type { MiddlewareHandler } from 'hono';
import { settings } from '../lib/settings';
import type { AppEnv } from '../types';
import { log } from '../lib/log';

/** LOG_LEVEL above `info`; a malformed value (answered 503 `misconfigured`) logs everything. */
function quiet(env: object): boolean {
  try {
    return settings(env).LOG_LEVEL !== 'info';
  } catch {
    return false;
  }
}

/** Gives every request an id (echoed as `x-request-id`) and one structured log line. */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header('x-request-id');
  const requestId = incoming && /^[\w-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
  c.set('requestId', requestId);
  const started = Date.now();
  await next();
  c.header('x-request-id', requestId);
  const user = c.get('user');
  const level = c.res.status >= 500 ? 'error' : 'info';
  if (level === 'info' && quiet(c.env)) return;
  log.at(level, {
    msg: 'request',
    request_id: requestId,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status: c.res.status,
    ms: Date.now() - started,
    user_id: user?.sub,
    role: user?.role,
  });
};
