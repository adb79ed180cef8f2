import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCESS } from '../worker/access';
import { buildOpenApiDocument, contractSchemaNames, openApiJson, openApiPath } from '../worker/openapi/document';
import { ROUTE_DOCS } from '../worker/openapi/routes';

type Json = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const doc = buildOpenApiDocument() as Json;

/** Every operation of a document as [METHOD, path, operation]. */
function operations(d: Json): [string, string, Json][] {
  return Object.entries(d.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]) => [m.toUpperCase(), path, op as Json] as [string, string, Json]),
  );
}

/** Resolves a local JSON pointer (`#/components/schemas/X`) in `d`, or undefined. */
function resolve(d: Json, pointer: string): unknown {
  if (!pointer.startsWith('#/')) return undefined;
  let node: unknown = d;
  for (const raw of pointer.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object' || !(part in node)) return undefined;
    node = (node as Json)[part];
  }
  return node;
}

function allRefs(node: unknown, at = '#'): { at: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => allRefs(v, `${at}/${i}`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [{ at, ref: v }] : allRefs(v, `${at}/${k}`),
  );
}

/**
 * Structural checks of an OpenAPI 3.1 document — the mistakes a generator makes: Hono path
 * syntax, duplicate operation ids, dangling refs, path templates without parameters,
 * undeclared security schemes or tags, responses without descriptions.
 */
function structuralProblems(d: Json): string[] {
  const problems: string[] = [];
  if (d.openapi !== '3.1.0') problems.push(`openapi is ${d.openapi}`);
  if (!d.info?.title || !d.info?.version) problems.push('info needs title and version');
  const schemes = new Set(Object.keys(d.components?.securitySchemes ?? {}));
  const tags = new Set((d.tags ?? []).map((t: Json) => t.name));
  const ids = new Map<string, string>();
  for (const path of Object.keys(d.paths)) {
    if (!path.startsWith('/')) problems.push(`${path}: does not start with /`);
    if (/\/:|\*/.test(path)) problems.push(`${path}: Hono syntax (:param or *), not {param}`);
    if (/[{}]/.test(path.replace(/\{[A-Za-z_][\w]*\}/g, ''))) problems.push(`${path}: unbalanced braces`);
  }
  for (const [method, path, op] of operations(d)) {
    const where = `${method} ${path}`;
    if (typeof op.operationId !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(op.operationId))
      problems.push(`${where}: bad operationId ${op.operationId}`);
    else if (ids.has(op.operationId))
      problems.push(`${where}: operationId ${op.operationId} also used by ${ids.get(op.operationId)}`);
    else ids.set(op.operationId, where);
    const params: Json[] = (op.parameters ?? []).map((p: Json) => (p.$ref ? resolve(d, p.$ref) : p) as Json);
    const seen = new Set<string>();
    for (const p of params) {
      if (!['query', 'path', 'header', 'cookie'].includes(p.in))
        problems.push(`${where}: parameter ${p.name} in ${p.in}`);
      if (seen.has(`${p.in}:${p.name}`)) problems.push(`${where}: parameter ${p.name} twice`);
      seen.add(`${p.in}:${p.name}`);
      if (!p.schema && !p.content) problems.push(`${where}: parameter ${p.name} without schema`);
      if (p.in === 'path' && p.required !== true) problems.push(`${where}: path parameter ${p.name} not required`);
    }
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const declared = params
      .filter((p) => p.in === 'path')
      .map((p) => p.name)
      .sort();
    if (JSON.stringify(templated) !== JSON.stringify(declared))
      problems.push(`${where}: path template {${templated}} but path parameters [${declared}]`);
    if (op.requestBody && Object.keys(op.requestBody.content ?? {}).length === 0)
      problems.push(`${where}: requestBody without content`);
    const statuses = Object.keys(op.responses ?? {});
    if (!statuses.some((s) => /^(2\d\d|101)$/.test(s))) problems.push(`${where}: no success response`);
    for (const s of statuses) {
      if (!/^[1-5]\d\d$/.test(s)) problems.push(`${where}: response key ${s}`);
      const r = op.responses[s] as Json;
      if (!r.$ref && typeof r.description !== 'string') problems.push(`${where}: response ${s} without description`);
    }
    for (const requirement of op.security ?? d.security ?? []) {
      for (const name of Object.keys(requirement))
        if (!schemes.has(name)) problems.push(`${where}: security scheme ${name} is not declared`);
    }
    for (const tag of op.tags ?? []) if (!tags.has(tag)) problems.push(`${where}: tag ${tag} is not declared`);
  }
  for (const { at, ref } of allRefs(d))
    if (resolve(d, ref) === undefined) problems.push(`${at}: $ref ${ref} does not resolve`);
  for (const [name, schema] of Object.entries(d.components?.schemas ?? {})) {
    if ((schema as Json).$id !== undefined || (schema as Json).$schema !== undefined)
      problems.push(`components.schemas.${name}: $id/$schema in a component`);
  }
  return problems;
}

/** `METHOD /openapi/path` for each ACCESS key. */
const accessOps = Object.keys(ACCESS).map((key) => {
  const [method, path] = key.split(' ') as [string, string];
  return `${method} ${openApiPath(path)}`;
});
const opOf = (key: string): Json => {
  const [method, path] = key.split(' ') as [string, string];
  return doc.paths[openApiPath(path)]?.[method.toLowerCase()];
};

describe('docs/openapi.json', () => {
  it('is what `npm run openapi` writes today (run it and commit the file when this fails)', () => {
    const committed = readFileSync(new URL('../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed === openApiJson(), 'docs/openapi.json is stale: run `npm run openapi`').toBe(true);
  });
});

describe('the OpenAPI document', () => {
  it('has exactly one operation per ACCESS route, and nothing else', () => {
    const documented = operations(doc)
      .map(([m, p]) => `${m} ${p}`)
      .sort();
    expect(documented.length).toBeGreaterThan(80);
    expect(documented).toEqual([...accessOps].sort());
  });

  it('documents every route of worker/access.ts in ROUTE_DOCS, and no route that is not there', () => {
    expect(Object.keys(ROUTE_DOCS).filter((k) => !(k in ACCESS))).toEqual([]);
    expect(Object.keys(ACCESS).filter((k) => !(k in ROUTE_DOCS))).toEqual([]);
  });

  it('lists the roles of ACCESS on each operation and asks a bearer token of exactly the non-public ones', () => {
    const wrong: string[] = [];
    for (const [key, access] of Object.entries(ACCESS)) {
      const op = opOf(key);
      const schemes = (op.security as Json[]).flatMap((r) => Object.keys(r));
      if (access === 'public') {
        if (op['x-roles'] !== undefined) wrong.push(`${key}: public but x-roles ${op['x-roles']}`);
        if ((op.security as Json[]).length > 0 && !(op.security as Json[]).some((r) => Object.keys(r).length === 0))
          wrong.push(`${key}: public but a token is required`);
      } else {
        if (JSON.stringify(op['x-roles']) !== JSON.stringify(access))
          wrong.push(`${key}: x-roles ${op['x-roles']} but ACCESS ${access}`);
        if (!schemes.includes('bearerAuth') || (op.security as Json[]).some((r) => Object.keys(r).length === 0))
          wrong.push(`${key}: not public but no required bearer token`);
        if (!String(op.description).includes(`**Roles:** ${access.join(', ')}.`))
          wrong.push(`${key}: roles missing from the description`);
        for (const status of ['401', '403']) if (!op.responses[status]) wrong.push(`${key}: no ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives every route with a body schema a requestBody referencing that schema, required unless the handler allows none', () => {
    const names = contractSchemaNames();
    const wrong: string[] = [];
    for (const [key, route] of Object.entries(ROUTE_DOCS)) {
      const body = opOf(key).requestBody as Json | undefined;
      if (route.body) {
        const expected = `#/components/schemas/${names.get(route.body)}`;
        if (body?.content?.['application/json']?.schema?.$ref !== expected)
          wrong.push(`${key}: requestBody ${JSON.stringify(body)} is not ${expected}`);
        else if (body.required !== !route.bodyOptional) wrong.push(`${key}: requestBody.required is ${body.required}`);
        if (!opOf(key).responses['400']) wrong.push(`${key}: a body but no 400`);
      } else if (!route.rawBody && body) wrong.push(`${key}: a requestBody but no body schema`);
    }
    expect(wrong).toEqual([]);
  });

  it('turns every property of a query schema into a query parameter', () => {
    const wrong: string[] = [];
    for (const [key, route] of Object.entries(ROUTE_DOCS)) {
      if (!route.query) continue;
      const shape = Object.keys(
        (route.query as unknown as { _zod: { def: { shape?: object; in?: { _zod: { def: { shape?: object } } } } } })
          ._zod.def.shape ?? {},
      );
      const params = (opOf(key).parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
      if (shape.length === 0 || JSON.stringify(params) !== JSON.stringify(shape))
        wrong.push(`${key}: parameters [${params}] but the schema has [${shape}]`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers refusals in the SPEC error shape', () => {
    const responses = doc.components.responses as Json;
    for (const [name, r] of Object.entries(responses)) {
      if (name === 'ServiceUnavailable') continue;
      expect(r.content['application/json'].schema, name).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    }
    expect(doc.components.schemas.ErrorBody).toMatchObject({
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string' }, message: { type: 'string' } },
        },
      },
    });
    expect(responses.TooManyRequests.headers['Retry-After']).toBeDefined();
  });

  it('describes the WebSocket protocol: both message unions, tagged by type', () => {
    const ws = opOf('GET /ws')['x-websocket'] as Json;
    const client = resolve(doc, ws.clientMessage.$ref) as Json;
    const server = resolve(doc, ws.serverMessage.$ref) as Json;
    const typesOf = (union: Json) => (union.oneOf as Json[]).map((m) => m.properties.type.const).sort();
    expect(typesOf(client)).toEqual(['location_ping', 'ping', 'status_change', 'subscribe', 'unsubscribe']);
    expect(typesOf(server)).toEqual(
      expect.arrayContaining(['driver_location', 'job_status', 'error', 'pong', 'ack', 'subscribed']),
    );
    expect(ws.closeCodes['4001']).toBeDefined();
  });

  it('is structurally valid OpenAPI 3.1', () => {
    expect(structuralProblems(doc)).toEqual([]);
  });

  it('has structural checks that catch a generator’s mistakes', () => {
    const broken = structuredClone(doc);
    const [firstPath] = Object.keys(broken.paths) as [string];
    broken.paths['/api/v1/jobs/:id/oops'] = {
      get: { ...broken.paths[firstPath].get, operationId: broken.paths['/api/v1/jobs'].get.operationId },
    };
    broken.paths['/api/v1/jobs'].post.requestBody.content['application/json'].schema = {
      $ref: '#/components/schemas/Nope',
    };
    expect(structuralProblems(broken)).toEqual(
      expect.arrayContaining([
        '/api/v1/jobs/:id/oops: Hono syntax (:param or *), not {param}',
        expect.stringMatching(/operationId getJobs also used by/),
        expect.stringMatching(/\$ref #\/components\/schemas\/Nope does not resolve/),
      ]),
    );
  });
});
