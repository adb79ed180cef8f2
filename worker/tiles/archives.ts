import { ApiError, notFound } from '../lib/errors';
import { parseRange } from '../lib/http-range';

/**
 * Basemap archives (Protomaps PMTiles) in the files bucket, under `tiles/<name>.pmtiles`.
 * `npm run tiles:load` puts one there; the web apps read it by HTTP range requests
 * (docs/decisions/0084-self-hosted-basemap.md).
 */
export const TILES_PREFIX = 'tiles/';

/** The archive the web apps look for first when no other is named. */
export const DEFAULT_ARCHIVE = 'basemap.pmtiles';

const ARCHIVE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}\.pmtiles$/;

/**
 * Browsers keep a range for a day; the ETag lets the PMTiles client notice a replaced
 * archive (a changed ETag makes it read the header again) instead of mixing two.
 */
const CACHE_CONTROL = 'public, max-age=86400';

/** What the route sends: the status, its headers and the bytes (none for 304). */
export interface ArchiveAnswer {
  status: 200 | 206 | 304;
  headers: Headers;
  body: ReadableStream | null;
}

/**
 * Serves `name` whole or one byte range of it. Refusals: 400 a name that is not
 * `<letters, digits, - or _>.pmtiles`, 404 no such archive, 416 a range it cannot serve
 * (with `Content-Range: bytes *\/size`). `If-None-Match` answers 304; `If-Range` with a
 * stale ETag gets the whole archive, as RFC 9110 asks.
 */
export async function readArchive(bucket: R2Bucket, name: string, request: Headers): Promise<ArchiveAnswer> {
  if (!ARCHIVE_NAME.test(name)) {
    throw new ApiError(
      400,
      'invalid_archive_name',
      'A map archive is named like "region.pmtiles": lower-case letters, digits, "-" or "_", then ".pmtiles".',
    );
  }
  const key = TILES_PREFIX + name;
  const head = await bucket.head(key);
  if (!head) throw notFound('Map archive');
  const headers = new Headers({
    'accept-ranges': 'bytes',
    'content-type': 'application/octet-stream',
    'cache-control': CACHE_CONTROL,
    etag: head.httpEtag,
  });
  if (etagListed(request.get('if-none-match'), head.httpEtag)) return { status: 304, headers, body: null };
  const ifRange = request.get('if-range');
  const range = ifRange && ifRange !== head.httpEtag ? null : parseRange(request.get('range'), head.size);
  if (range === 'unsatisfiable') {
    throw new ApiError(
      416,
      'range_not_satisfiable',
      `The archive is ${head.size} bytes; ask for one range inside it, like "bytes=0-16383".`,
      { size: head.size },
      { 'content-range': `bytes */${head.size}`, 'accept-ranges': 'bytes' },
    );
  }
  const object = await bucket.get(key, range ? { range } : {});
  if (!object) throw notFound('Map archive');
  if (!range) {
    headers.set('content-length', String(object.size));
    return { status: 200, headers, body: object.body };
  }
  headers.set('content-length', String(range.length));
  headers.set('content-range', `bytes ${range.offset}-${range.offset + range.length - 1}/${object.size}`);
  return { status: 206, headers, body: object.body };
}

function etagListed(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}
