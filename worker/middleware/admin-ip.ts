import type { Context, MiddlewareHandler } from 'hono';
import { ipAllowed } from '../auth/ip-allowlist';
import { clientIp } from '../lib/client';
import { settings } from '../lib/settings';
import { ApiError } from '../lib/errors';
import type { AppEnv } from '../types';
import { endpointAccess } from './auth';

/**
 * Refuses with 403 when ADMIN_IP_ALLOWLIST is set and the caller's IP is not on it.
 * Fails closed: with a list set, a request without an edge IP is refused too.
 */
export function assertAdminIp(c: Context<AppEnv>): void {
  const list = settings(c.env).ADMIN_IP_ALLOWLIST;
  if (list.length === 0) return;
  if (!ipAllowed(list, clientIp(c))) {
    throw new ApiError(
      403,
      'ip_not_allowed',
      'Admin access is limited to the office network; connect from an allowed address.',
    );
  }
}

/**
 * ApexPlow §6 "optional IP allow-listing": applies to /api/v1/admin/*, to routes only
 * admins may call, and to any request made with an admin's token — a stolen admin token
 * is useless outside the office.
 */
export const adminIpAllowList: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = c.get('user') as AppEnv['Variables']['user'] | undefined;
  const path = new URL(c.req.url).pathname;
  const access = endpointAccess(c)?.access;
  const adminOnly = Array.isArray(access) && access.length === 1 && access[0] === 'admin';
  if (path.startsWith('/api/v1/admin/') || adminOnly || user?.role === 'admin') assertAdminIp(c);
  await next();
};
