import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { settings } from '../lib/settings';
import type { AppEnv } from '../types';

/**
 * Headers on everything the Worker answers (API, WebSocket upgrade errors, health).
 * The API never returns HTML, so its CSP forbids everything; the web apps' HTML is
 * served by the assets layer before the Worker runs and gets its CSP from
 * `web/public/_headers` (see docs/decisions/0006-browser-security-headers.md).
 */
export const securityHeaders: MiddlewareHandler<AppEnv> = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
  strictTransportSecurity: 'max-age=63072000; includeSubDomains',
  xFrameOptions: 'DENY',
  xContentTypeOptions: 'nosniff',
  referrerPolicy: 'no-referrer',
  crossOriginResourcePolicy: 'same-origin',
  crossOriginOpenerPolicy: 'same-origin',
  xXssProtection: '0',
});

/**
 * CORS for our own origins only (APP_ORIGINS). Tokens travel in the Authorization
 * header, never cookies, so no credentials mode; other origins get no CORS headers and
 * the browser keeps their scripts from reading our responses.
 */
export const corsAllowList: MiddlewareHandler<AppEnv> = cors({
  origin: (origin, c) => (settings(c.env as Env).APP_ORIGINS.includes(origin) ? origin : null),
  allowMethods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
  allowHeaders: ['authorization', 'content-type', 'x-request-id', 'idempotency-key'],
  exposeHeaders: ['x-request-id', 'retry-after', 'x-evidence-sha256'],
  maxAge: 600,
});
