import type { Context } from 'hono';

/**
 * The caller's IP as Cloudflare's edge saw it. Cloudflare sets `CF-Connecting-IP` on
 * every request from the internet (and overwrites any value the client sent), so a
 * request without it did not come through the edge: a service binding, or the test
 * harness. IP-keyed protections treat that as "no IP" rather than one shared bucket.
 */
export function clientIp(c: Context): string | null {
  return c.req.header('cf-connecting-ip')?.trim() || null;
}

export function userAgent(c: Context): string | null {
  return c.req.header('user-agent')?.slice(0, 300) ?? null;
}

/** Where emailed links point: the first configured app origin, else this request's origin. */
export function appBaseUrl(origins: string[], c: Context): string {
  return (origins[0] ?? new URL(c.req.url).origin).replace(/\/+$/, '');
}
