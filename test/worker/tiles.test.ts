import { env } from 'cloudflare:workers';
import { PMTiles, type Source } from 'pmtiles';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureArchive } from '../support/pmtiles';
import { answer, api } from './helpers';

/** Big enough that a range is clearly a part of it. */
const ARCHIVE = fixtureArchive(64 * 1024);
const NAME = 'tiles-test.pmtiles';

beforeAll(async () => {
  await env.FILES.put(`tiles/${NAME}`, ARCHIVE);
});
afterAll(async () => {
  await env.FILES.delete(`tiles/${NAME}`);
});

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());

describe('GET /tiles/:name', () => {
  it('sends one byte range with 206, Content-Range, and the archive’s ETag', async () => {
    const res = await api(`/tiles/${NAME}`, { headers: { range: 'bytes=0-126' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 0-126/${ARCHIVE.length}`);
    expect(res.headers.get('content-length')).toBe('127');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+"$/);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(await bytesOf(res)).toEqual(ARCHIVE.slice(0, 127));
  });

  it('reads open-ended and suffix ranges, and clips a range past the end', async () => {
    const tail = await api(`/tiles/${NAME}`, { headers: { range: `bytes=${ARCHIVE.length - 10}-` } });
    expect(tail.status).toBe(206);
    expect(await bytesOf(tail)).toEqual(ARCHIVE.slice(-10));
    const suffix = await api(`/tiles/${NAME}`, { headers: { range: 'bytes=-5' } });
    expect(suffix.headers.get('content-range')).toBe(
      `bytes ${ARCHIVE.length - 5}-${ARCHIVE.length - 1}/${ARCHIVE.length}`,
    );
    expect(await bytesOf(suffix)).toEqual(ARCHIVE.slice(-5));
    const clipped = await api(`/tiles/${NAME}`, { headers: { range: `bytes=100-${ARCHIVE.length * 2}` } });
    expect(clipped.headers.get('content-range')).toBe(`bytes 100-${ARCHIVE.length - 1}/${ARCHIVE.length}`);
    expect((await bytesOf(clipped)).length).toBe(ARCHIVE.length - 100);
  });

  it('sends the whole archive with 200 when no range is asked for', async () => {
    const res = await api(`/tiles/${NAME}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(ARCHIVE.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(await bytesOf(res)).toEqual(ARCHIVE);
  });

  it('answers 304 to a matching If-None-Match, and the whole archive to a stale If-Range', async () => {
    const etag = (await api(`/tiles/${NAME}`, { headers: { range: 'bytes=0-0' } })).headers.get('etag')!;
    const same = await api(`/tiles/${NAME}`, { headers: { range: 'bytes=0-0', 'if-none-match': etag } });
    expect(same.status).toBe(304);
    expect(same.headers.get('etag')).toBe(etag);
    const stale = await api(`/tiles/${NAME}`, { headers: { range: 'bytes=0-0', 'if-range': '"older"' } });
    expect(stale.status).toBe(200);
    expect((await bytesOf(stale)).length).toBe(ARCHIVE.length);
    const current = await api(`/tiles/${NAME}`, { headers: { range: 'bytes=0-0', 'if-range': etag } });
    expect(current.status).toBe(206);
  });

  it('gives 416 with the size in Content-Range to a range it cannot serve', async () => {
    for (const range of [
      `bytes=${ARCHIVE.length}-`,
      'bytes=10-5',
      'bytes=0-1,5-9',
      'items=0-1',
      'bytes=-0',
      'bytes=-',
    ]) {
      const res = await answer(await api(`/tiles/${NAME}`, { headers: { range } }));
      expect(res.status, range).toBe(416);
      expect(res.headers.get('content-range'), range).toBe(`bytes */${ARCHIVE.length}`);
      expect(res.body.error.code, range).toBe('range_not_satisfiable');
    }
  });

  it('gives 404 for an archive that is not there', async () => {
    const res = await answer(await api('/tiles/nowhere.pmtiles', { headers: { range: 'bytes=0-126' } }));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('gives 400 to a name that is not a .pmtiles archive name, and serves nothing else in the bucket', async () => {
    for (const name of [
      'basemap.json',
      'Basemap.pmtiles',
      '..%2Fphotos%2Fx.pmtiles',
      '.pmtiles',
      `${'a'.repeat(65)}.pmtiles`,
    ]) {
      const res = await answer(await api(`/tiles/${name}`));
      expect(res.status, name).toBe(400);
      expect(res.body.error.code, name).toBe('invalid_archive_name');
    }
  });

  it('needs no sign-in and is not held to the general per-IP request limit', async () => {
    const headers = { range: 'bytes=0-126', 'cf-connecting-ip': '203.0.113.77' };
    const statuses = new Set<number>();
    for (let i = 0; i < 70; i++) statuses.add((await api(`/tiles/${NAME}`, { headers })).status);
    expect([...statuses]).toEqual([206]);
  });

  it('serves what the PMTiles client reads: the header, then the tile', async () => {
    const source: Source = {
      getKey: () => NAME,
      getBytes: async (offset, length) => {
        const res = await api(`/tiles/${NAME}`, { headers: { range: `bytes=${offset}-${offset + length - 1}` } });
        expect(res.status).toBe(206);
        return { data: await res.arrayBuffer(), etag: res.headers.get('etag') ?? undefined };
      },
    };
    const archive = new PMTiles(source);
    expect(await archive.getHeader()).toMatchObject({ specVersion: 3, tileType: 1, maxZoom: 0 });
    const tile = await archive.getZxy(0, 0, 0);
    expect(tile?.data.byteLength).toBeGreaterThan(50);
  });
});
