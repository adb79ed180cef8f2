import { describe, expect, it } from 'vitest';
import headersFile from '../../web/public/_headers?raw';
import { api } from './helpers';

const APP = 'https://app.plow.test';

describe('security headers on Worker responses', () => {
  it('sends HSTS, nosniff, frame denial, a deny-all CSP and no referrer on API answers', async () => {
    for (const res of [
      await api('/healthz'),
      await api('/api/v1/nope'),
      await api('/api/v1/auth/login', { method: 'POST', json: {} }),
    ]) {
      expect(res.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });
});

describe('CORS', () => {
  it("lets the app's own origins read responses", async () => {
    const res = await api('/api/v1/pricing/tiers', { headers: { origin: APP } });
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-expose-headers')).toContain('retry-after');
  });

  it('gives other origins no CORS headers', async () => {
    const res = await api('/api/v1/pricing/tiers', { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight from an allowed origin', async () => {
    const res = await api('/api/v1/auth/login', {
      method: 'OPTIONS',
      headers: {
        origin: APP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(res.headers.get('vary')).toContain('Origin');
  });
});

describe('web/public/_headers (HTML served by the assets layer)', () => {
  /** The headers a `/*` rule sets, parsed the way the assets layer reads the file. */
  function rootRule(text: string): Map<string, string> {
    const headers = new Map<string, string>();
    let inRoot = false;
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || !line.trim()) continue;
      if (!/^\s/.test(line)) {
        inRoot = line.trim() === '/*';
        continue;
      }
      const [name, ...value] = line.trim().split(':');
      if (inRoot && name) headers.set(name.toLowerCase(), value.join(':').trim());
    }
    return headers;
  }

  it('gives every page a CSP that forbids framing and foreign scripts, plus HSTS and nosniff', () => {
    const h = rootRule(headersFile);
    const csp = h.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("object-src 'none'");
    expect(h.get('x-frame-options')).toBe('DENY');
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    expect(h.get('referrer-policy')).toBeTruthy();
    for (const line of headersFile.split('\n')) expect(line.length).toBeLessThanOrEqual(2000);
  });
});
