import { Hono } from 'hono';
import { openApiJson } from '../openapi/document';
import type { AppEnv } from '../types';

/** `/api/v1/openapi.json`: the OpenAPI 3.1 document of this API (worker/openapi/). */
export const openapi = new Hono<AppEnv>();

/** Built on the first request and kept for the isolate's life: it only changes with a deploy. */
let cached: string | undefined;

openapi.get('/openapi.json', (c) => {
  cached ??= openApiJson();
  return c.body(cached, 200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'public, max-age=300',
  });
});
