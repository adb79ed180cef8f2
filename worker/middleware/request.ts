import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../types';

/** Gives every request an id (echoed as `x-request-id`) and one structured log line. */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header('x-request-id');
  const requestId = incoming && /^[\w-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
  c.set('requestId', requestId);
  const started = Date.now();
  await next();
  c.header('x-request-id', requestId);
  const user = c.get('user');
  console.log(JSON.stringify({
    level: c.res.status >= 500 ? 'error' : 'info',
    msg: 'request',
    request_id: requestId,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status: c.res.status,
    ms: Date.now() - started,
    user_id: user?.sub,
    role: user?.role,
  }));
};
