import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { RouteAction } from '../../contract/audit';
import { audit } from '../lib/audit';
import type { AppEnv } from '../types';
import { log } from '../lib/log';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The safety net under `audit()`: a successful change made by an admin that its handler
 * did not record itself still gets a row (method, route, ids) — "every admin action is
 * logged" should not depend on every handler remembering to.
 */
export const auditTrail: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const user = c.get('user') as AppEnv['Variables']['user'] | undefined;
  if (user?.role !== 'admin' || READS.has(c.req.method) || c.res.status >= 400 || c.get('audited')) return;
  try {
    const route = routePath(c, -1);
    const params = c.req.param() as Record<string, string>;
    await audit(c, {
      action: `${c.req.method} ${route}` as RouteAction,
      entity_type: 'route',
      entity_id: params.id ?? null,
      after: Object.keys(params).length ? params : null,
    });
  } catch (err) {
    log.error({
      msg: 'audit trail write failed',
      request_id: c.get('requestId'),
      err: String(err),
    });
  }
};
