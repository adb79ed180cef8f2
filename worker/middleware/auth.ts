import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { ACCESS, accessKey, type Access } from '../access';
import { verifyAccessToken, type AccessClaims } from '../auth/tokens';
import { isRevoked } from '../auth/revocation';
import { ApiError, forbidden, unauthorized } from '../lib/errors';
import type { AppEnv } from '../types';
import { log } from '../lib/log';

/** The access entry of the endpoint that will answer this request, or null for a 404. */
export function endpointAccess(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
): { key: string; access: Access | undefined } | null {
  const routes = matchedRoutes(c).filter((r) => r.method !== 'ALL');
  // Hono answers with the first matching handler in registration order, so that route's
  // entry applies: `GET /drivers/me` also matches the later `GET /drivers/:id`.
  const route = routes.at(0);
  if (!route) return null;
  const key = accessKey(route.method, route.path);
  return { key, access: ACCESS[key] };
}

/** Verifies a bearer token and that it has not been revoked (logout-all, suspension…). */
export async function authenticate(env: Env, token: string | undefined): Promise<AccessClaims> {
  if (!token) throw unauthorized('unauthorized', 'Sign in to continue: send Authorization: Bearer <access_token>.');
  const result = await verifyAccessToken(env, token);
  if (!result.ok) {
    throw unauthorized(
      result.code,
      result.code === 'token_expired' ? 'Your session expired: refresh the token.' : 'The access token is not valid.',
    );
  }
  if (await isRevoked(env, result.claims)) throw unauthorized('token_revoked', 'This session has been signed out.');
  return result.claims;
}

/**
 * Enforces the ACCESS table: public routes pass, the rest need a valid, unrevoked token
 * whose role is listed. Routes without an entry are refused for everyone.
 */
export const authorize: MiddlewareHandler<AppEnv> = async (c, next) => {
  const endpoint = endpointAccess(c);
  if (!endpoint) return next(); // falls through to notFound
  const { key, access } = endpoint;
  if (access === undefined) {
    log.error({ msg: 'route has no ACCESS entry', route: key });
    throw forbidden();
  }
  if (access === 'public') return next();
  const header = c.req.header('authorization');
  const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  // Browsers cannot set headers on a WebSocket upgrade: /ws takes ?token= instead.
  const token = bearer ?? (key === 'GET /ws' ? c.req.query('token') : undefined);
  const claims = await authenticate(c.env, token);
  if (!access.includes(claims.role)) {
    throw new ApiError(403, 'forbidden', `This endpoint is not available to a ${claims.role}.`);
  }
  c.set('user', claims);
  return next();
};
