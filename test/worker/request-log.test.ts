import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../worker/index';

/** The structured lines (stdout and stderr) the Worker wrote for one request to `path` with these settings. */
async function linesFor(
  path: string,
  overrides: Record<string, string>,
): Promise<{ status: number; lines: Record<string, unknown>[] }> {
  const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'error')];
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://plow.test${path}`, { headers: { 'x-request-id': 'log-test-0001' } }),
    { ...env, ...overrides } as Env,
    ctx,
  );
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  const lines = spies
    .flatMap((spy) => spy.mock.calls)
    .flatMap(([first]) => {
      try {
        const parsed = JSON.parse(String(first)) as Record<string, unknown>;
        return parsed.request_id === 'log-test-0001' ? [parsed] : [];
      } catch {
        return [];
      }
    });
  return { status: res.status, lines };
}

describe('the request log line', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is one JSON line per request with its id, method, path and status at the default level', async () => {
    const { status, lines } = await linesFor('/healthz', {});
    expect(status).toBe(200);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'request',
        request_id: 'log-test-0001',
        method: 'GET',
        path: '/healthz',
        status: 200,
      }),
    ]);
  });

  it('is left out with LOG_LEVEL=warn, and the request still answers', async () => {
    const { status, lines } = await linesFor('/healthz', { LOG_LEVEL: 'warn' });
    expect(status).toBe(200);
    expect(lines).toEqual([]);
  });

  it('is still written when LOG_LEVEL is malformed (the Worker answers 503 misconfigured and says why)', async () => {
    const { status, lines } = await linesFor('/healthz', { LOG_LEVEL: 'verbose' });
    expect(status).toBe(503);
    expect(lines).toEqual([expect.objectContaining({ msg: 'request', status: 503 })]);
  });
});
