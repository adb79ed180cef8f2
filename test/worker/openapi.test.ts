import { describe, expect, it } from 'vitest';
import committed from '../../docs/openapi.json?raw';
import { app } from '../../worker/index';
import { contractSchemaNames, openApiJson } from '../../worker/openapi/document';
import { ROUTE_DOCS } from '../../worker/openapi/routes';
import { api } from './helpers';

describe('GET /api/v1/openapi.json', () => {
  it('serves the committed document to anyone, as JSON', async () => {
    const res = await api('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    // Built by zod inside workerd, byte for byte what `npm run openapi` wrote in Node.
    expect(text === committed, 'the served document differs from docs/openapi.json').toBe(true);
    expect(JSON.parse(text)).toMatchObject({ openapi: '3.1.0', info: { title: 'PlowDispatch API' } });
  });

  it('answers the same bytes again, with a signed-in caller too', async () => {
    const first = await (await api('/api/v1/openapi.json')).text();
    const again = await api('/api/v1/openapi.json', { token: 'not-a-real-token' });
    expect(again.status).toBe(200);
    expect(again.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await again.text()).toBe(first);
  });

  it('is what the document builder makes now', () => {
    expect(openApiJson() === committed).toBe(true);
  });
});

/** Globals with a `parse` of their own. */
const NOT_SCHEMAS = new Set(['JSON', 'Date', 'URL', 'Number']);

/**
 * A handler's source with the test runner's import rewriting undone:
 * `(0,__vite_ssr_import_2__.RegisterBody)` → `RegisterBody`.
 */
function plain(source: string): string {
  return source.replace(/\(0,\s*(?:[\w$]+\.)?([\w$]+)\)/g, '$1').replace(/\b[\w$]*__\./g, '');
}

/**
 * The names a handler validates with, read from its source: `readJson(c, X…)`,
 * `readQuery(c, X)`, `X.parse(` and `X.safeParse(`.
 */
function schemasReadBy(source: string): string[] {
  const names = new Set<string>();
  const code = plain(source);
  for (const m of code.matchAll(/\bread(?:Json|Query)\(\s*c\s*,\s*([A-Z][\w$]*)/g)) names.add(m[1]!);
  for (const m of code.matchAll(/\b([A-Z][\w$]*)\.(?:safeParse|parse)\(/g))
    if (!NOT_SCHEMAS.has(m[1]!)) names.add(m[1]!);
  return [...names].sort();
}

/** Success statuses written in a handler: `c.json(x, 201)`, `c.body(null, 204)`, `… ? 200 : 201`. */
function successStatusesIn(source: string): number[] {
  return [...new Set([...source.matchAll(/[,?:]\s*(2\d\d)\b/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}

describe('the route notes (worker/openapi/routes.ts)', () => {
  const names = contractSchemaNames();
  const handlers = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({ key: `${r.method} ${r.path}`, source: r.handler.toString() }));

  it('reads handlers the way the checks below assume (known handlers, known schemas and statuses)', () => {
    const source = (key: string) => handlers.find((h) => h.key === key)?.source ?? '';
    expect(schemasReadBy(source('POST /api/v1/auth/register'))).toEqual(['RegisterBody']);
    expect(successStatusesIn(source('POST /api/v1/auth/register'))).toEqual([201, 202]);
    expect(schemasReadBy(source('POST /api/v1/webhooks/resend'))).toEqual(['ResendEvent']);
    expect(successStatusesIn(source('POST /api/v1/jobs'))).toEqual([200, 201, 202]);
  });

  it('name the very schemas each handler validates its body and query with', () => {
    const wrong: string[] = [];
    for (const { key, source } of handlers) {
      const route = ROUTE_DOCS[key];
      if (!route) {
        wrong.push(`${key}: not documented`);
        continue;
      }
      const documented = [route.body, route.query, ...(route.extraQuery ?? []).map((p) => p.schema)]
        .filter((s) => s !== undefined)
        .map((s) => names.get(s) ?? '(not a contract export)')
        .sort();
      const read = schemasReadBy(source);
      if (JSON.stringify(read) !== JSON.stringify(documented))
        wrong.push(`${key}: handler reads [${read}], documented [${documented}]`);
      const optional = /optional:\s*(?:true|!0)/.test(source);
      if (route.body && optional !== Boolean(route.bodyOptional))
        wrong.push(`${key}: body optional in the handler: ${optional}, documented: ${Boolean(route.bodyOptional)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('list every success status a handler answers with, and no other', () => {
    const wrong: string[] = [];
    for (const { key, source } of handlers) {
      const route = ROUTE_DOCS[key];
      if (!route) continue;
      const documented = Object.keys(route.ok ?? { 200: '' })
        .map(Number)
        .filter((s) => s >= 200 && s < 300);
      const written = successStatusesIn(source);
      // 200 is also what `c.json(x)` answers without a status, so only its absence from the
      // notes can be checked against the source when the handler names no status at all.
      const missing = written.filter((s) => !documented.includes(s));
      const invented = documented.filter((s) => s !== 200 && !written.includes(s));
      if (written.length === 0 && key !== 'GET /ws' && !documented.includes(200)) missing.push(200);
      if (missing.length || invented.length)
        wrong.push(`${key}: handler answers [${written}], documented [${documented}]`);
    }
    expect(wrong).toEqual([]);
  });
});
