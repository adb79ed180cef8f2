import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../lib/errors';
import { clientIp } from '../lib/client';
import { settings } from '../lib/settings';
import type { AppEnv } from '../types';
import { endpointAccess } from './auth';

/** The bindings' window (wrangler.toml `simple.period`): what Retry-After can promise. */
const BINDING_PERIOD_SECONDS = 60;

export function tooManyRequests(retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'rate_limited', `Too many requests; try again in ${retryAfterSeconds} seconds.`, undefined, {
    'retry-after': String(retryAfterSeconds),
  });
}

/**
 * Routes outside the general limits: monitors poll readiness from one address all day
 * (the route reuses a healthy answer for READYZ_FRESH_MS), and one map view reads dozens of
 * basemap ranges, which browsers then keep (docs/decisions/0084-self-hosted-basemap.md).
 */
export const UNCOUNTED_ROUTES: ReadonlySet<string> = new Set(['GET /readyz', 'GET /tiles/:name']);

/**
 * The general limits of ApexPlow §7: 300 requests a minute per signed-in user, 60 per
 * IP for everything else. Runs after `authorize`, so a public route called with a made-up
 * bearer header still counts against its IP. Requests without an edge IP (see
 * `clientIp`) have no IP budget.
 */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const endpoint = endpointAccess(c);
  if (endpoint && UNCOUNTED_ROUTES.has(endpoint.key)) return next();
  const user = c.get('user') as AppEnv['Variables']['user'] | undefined;
  if (user) {
    const { success } = await c.env.RL_USER.limit({ key: user.sub });
    if (!success) throw tooManyRequests(BINDING_PERIOD_SECONDS);
  } else {
    const ip = clientIp(c);
    if (ip) {
      const { success } = await c.env.RL_ANON.limit({ key: ip });
      if (!success) throw tooManyRequests(BINDING_PERIOD_SECONDS);
    }
  }
  await next();
};

/** Sensitive auth actions, each with its own budget per IP + account. */
export type AuthScope =
  | 'login'
  | 'register'
  | 'password_reset'
  | 'magic_link'
  | 'verify_email'
  | 'verify_phone'
  | 'invite'
  | 'totp'
  | 'password_change';

function counter(c: Context<AppEnv>, scope: AuthScope, account: string) {
  const ip = clientIp(c);
  if (!ip) return null;
  const key = `${scope}:${ip}:${account.toLowerCase()}`;
  return c.env.RATE_COUNTER.get(c.env.RATE_COUNTER.idFromName(key));
}

/**
 * Counts one attempt at a sensitive action (RATE_LIMIT_AUTH, default 5 per 15 minutes
 * per IP + account) and refuses with 429 past the budget.
 *
 * @example await limitAuth(c, 'magic_link', body.email);
 */
export async function limitAuth(c: Context<AppEnv>, scope: AuthScope, account: string): Promise<void> {
  await checkAuthBudget(c, scope, account, 'hit');
}

/**
 * For actions where only failures should count (signing in): refuses when the budget
 * is spent; call `limitAuth` after a failure to spend it.
 */
export async function assertAuthBudget(c: Context<AppEnv>, scope: AuthScope, account: string): Promise<void> {
  await checkAuthBudget(c, scope, account, 'peek');
}

/** 429 when the IP + account budget is spent; `hit` counts this attempt first, `peek` only looks. */
async function checkAuthBudget(c: Context<AppEnv>, scope: AuthScope, account: string, how: 'hit' | 'peek') {
  const stub = counter(c, scope, account);
  if (!stub) return;
  const { limit, period } = settings(c.env).RATE_LIMIT_AUTH;
  const verdict = await stub[how](limit, period);
  if (!verdict.allowed) throw tooManyRequests(verdict.retry_after);
}
