import { Hono } from 'hono';
import { readArchive } from '../tiles/archives';
import type { AppEnv } from '../types';

/**
 * `/tiles/:name`: the operator's basemap archives from R2, by HTTP range requests. Public:
 * they hold map data anyone may have, and every screen with a map needs them, signed in or
 * not (docs/decisions/0084-self-hosted-basemap.md).
 */
export const tiles = new Hono<AppEnv>();

tiles.get('/:name', async (c) => {
  const answer = await readArchive(c.env.FILES, c.req.param('name'), c.req.raw.headers);
  const status = answer.status === 206 ? 206 : answer.status === 304 ? 304 : 200;
  return new Response(answer.body, { status, headers: answer.headers });
});
