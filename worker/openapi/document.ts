import { z } from 'zod';
import * as apiSchemas from '../../contract/api';
import * as domainSchemas from '../../contract/api-domain';
import * as backgroundSchemas from '../../contract/background';
import * as responseSchemas from '../../contract/responses';
import * as stormSchemas from '../../contract/storm-ops';
import * as routeSchemas from '../../contract/routes';
import { allowedNext } from '../../contract/state-machine';
import * as wsSchemas from '../../contract/ws';
import { version } from '../../package.json';
import { ACCESS } from '../access';
import { ROUTE_DOCS, type ErrorStatus, type RouteDoc } from './routes';

/**
 * Builds the OpenAPI 3.1 document from the ACCESS table (method, path, roles), the route
 * notes in ./routes.ts and the zod schemas of contract/ — the same objects the handlers
 * validate with — converted by zod's own `z.toJSONSchema` (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1). Pure: no I/O, no Worker APIs, so `npm run openapi` runs it in
 * Node and the Worker serves the same bytes (docs/decisions/0055-openapi-from-zod.md).
 */

type Json = Record<string, unknown>;

/** The contract modules whose capitalised zod exports become named components. */
const CONTRACT_MODULES: readonly Record<string, unknown>[] = [
  apiSchemas,
  domainSchemas,
  backgroundSchemas,
  responseSchemas,
  wsSchemas,
  stormSchemas,
  routeSchemas,
];

const SCHEMA_REF = '#/components/schemas/';
const JSON_TYPE = 'application/json';

/** Shared refusals, all in the SPEC §4 error shape except readiness's 503. */
const ERROR_RESPONSES: Record<ErrorStatus, { name: string; description: string }> = {
  400: {
    name: 'BadRequest',
    description: 'validation_failed (per-field `details`: [{field, message}]) or malformed_json.',
  },
  401: {
    name: 'Unauthorized',
    description: 'unauthorized (no access token), token_invalid, token_expired (refresh it) or token_revoked.',
  },
  403: {
    name: 'Forbidden',
    description: 'forbidden: not available to this role (or ip_not_allowed for admin routes off the allow-list).',
  },
  404: {
    name: 'NotFound',
    description: 'not_found: no such resource, or not yours (other users’ resources are never revealed).',
  },
  409: { name: 'Conflict', description: 'A state conflict: illegal transition, lost race, stale version.' },
  411: { name: 'LengthRequired', description: 'length_required: send Content-Length.' },
  413: { name: 'PayloadTooLarge', description: 'payload_too_large: JSON bodies are at most 64 KiB.' },
  415: { name: 'UnsupportedMediaType', description: 'unsupported_media_type: send the body as application/json.' },
  416: {
    name: 'RangeNotSatisfiable',
    description: 'range_not_satisfiable: the Range header asks for bytes the resource does not have.',
  },
  422: { name: 'UnprocessableEntity', description: 'Well-formed but refused (e.g. outside_service_area).' },
  426: { name: 'UpgradeRequired', description: 'upgrade_required.' },
  429: {
    name: 'TooManyRequests',
    description:
      'rate_limited: wait the Retry-After seconds (limits per IP, per user, and per IP + account for sign-in actions).',
  },
  503: { name: 'ServiceUnavailable', description: 'misconfigured (error body), or not ready.' },
};

/** Every capitalised zod export of contract/, by schema object → its export name. */
export function contractSchemaNames(): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  const seen = new Set<string>();
  for (const mod of CONTRACT_MODULES) {
    for (const [name, value] of Object.entries(mod)) {
      if (!(value instanceof z.ZodType) || !/^[A-Z]/.test(name) || names.has(value)) continue;
      if (seen.has(name)) throw new Error(`Two contract modules export a schema named ${name}`);
      seen.add(name);
      names.set(value, name);
    }
  }
  return names;
}

/**
 * zod reads a pipe's input side for `io: 'input'`, so `z.string().max(254).pipe(z.email())`
 * would lose its format; carry the output's string format over.
 */
const keepPipeFormat: NonNullable<Parameters<typeof z.toJSONSchema>[1]>['override'] = ({ zodSchema, jsonSchema }) => {
  const def = zodSchema._zod.def;
  if (def.type !== 'pipe' || jsonSchema.type !== 'string' || jsonSchema.format) return;
  const out = def.out._zod.def as { type: string; format?: string };
  if (out.type === 'string' && out.format) jsonSchema.format = out.format;
};

/** All contract schemas as JSON Schema, cross-referencing each other by component name. */
function componentSchemas(names: Map<z.ZodType, string>): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `${SCHEMA_REF}${id}`,
    override: keepPipeFormat,
  });
  const out: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    // Components are not standalone documents: drop the dialect and the fragment-only $id.
    const { $schema: _dialect, $id: _id, ...rest } = schema as Json;
    out[id] = rest;
  }
  return out;
}

const ref = (id: string) => ({ $ref: `${SCHEMA_REF}${id}` });

/** `/api/v1/jobs/:id` → `/api/v1/jobs/{id}`; a trailing `*` (an R2 key) → `{key}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{key}');
}

/** `POST /api/v1/jobs/:id/assign` → `postJobsByIdAssign`. */
export function operationId(method: string, honoPath: string): string {
  const words = honoPath
    .replace(/^\/api\/v1/, '')
    .split(/[/.-]/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `by_${w.slice(1)}` : w === '*' ? 'by_key' : w))
    .flatMap((w) => w.split('_'))
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return method.toLowerCase() + words.join('');
}

function tagOf(honoPath: string): string {
  if (honoPath === '/ws') return 'realtime';
  if (honoPath === '/healthz' || honoPath === '/readyz') return 'health';
  if (honoPath.startsWith('/files/') || honoPath.startsWith('/api/v1/uploads') || honoPath.startsWith('/api/v1/files'))
    return 'files';
  if (honoPath === '/api/v1/openapi.json') return 'meta';
  if (honoPath.startsWith('/tiles/')) return 'maps';
  return honoPath.split('/')[3] ?? 'meta';
}

/** The tags in the order the document lists them, each with its description. */
const TAGS: Record<string, string> = {
  auth: 'Accounts and sessions: access JWT (15 min) + rotating refresh token (30 days).',
  customers: 'The signed-in customer: profile, locations, jobs, waitlist, invoices.',
  pricing: 'Driveway tiers and quotes.',
  jobs: 'Requests and the server-enforced job state machine.',
  drivers: 'Drivers: profile, availability, their jobs.',
  waitlist: 'Requests made while the operator is not taking new jobs.',
  invoices: 'Invoices, payments and refunds.',
  admin:
    'Operator setup, dispatch board, reports, accounts, audit log, notification outbox, service contracts, storms.',
  files: 'Uploads and private files behind signed URLs.',
  push: 'Web Push subscriptions.',
  webhooks: 'Provider callbacks, authenticated by their signatures.',
  realtime: 'The WebSocket endpoint and its message protocol.',
  health: 'Liveness and readiness probes.',
  addresses: 'Address suggestions as people type, from the configured geocoder.',
  maps: 'The basemap the web apps draw, from the operator’s own R2 bucket.',
  meta: 'This document.',
};

/** One OpenAPI parameter; without a description the key is left out. */
function parameter(
  name: string,
  where: 'path' | 'query',
  required: boolean,
  description: string | undefined,
  schema: unknown,
): Json {
  return { name, in: where, required, ...(description ? { description } : {}), schema };
}

/** A query schema's properties as OpenAPI query parameters. */
function queryParameters(component: Json, name: string): Json[] {
  const props = component.properties as Record<string, Json> | undefined;
  if (component.type !== 'object' || !props) throw new Error(`Query schema ${name} is not an object schema`);
  const required = new Set((component.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([param, schema]) => {
    const { description, ...rest } = schema;
    return parameter(param, 'query', required.has(param), description as string | undefined, rest);
  });
}

function pathParameters(honoPath: string): Json[] {
  const params: Json[] = [...honoPath.matchAll(/:(\w+)/g)].map((m) =>
    m[1] === 'name'
      ? parameter('name', 'path', true, 'A file name, e.g. `basemap.pmtiles`.', { type: 'string' })
      : parameter(m[1]!, 'path', true, 'A UUID; anything else, or a resource that is not yours, is 404.', {
          type: 'string',
          format: 'uuid',
        }),
  );
  if (honoPath.endsWith('/*')) {
    params.push(
      parameter('key', 'path', true, 'The R2 object key as issued; it contains slashes, sent as they are.', {
        type: 'string',
      }),
    );
  }
  return params;
}

function errorResponses(doc: RouteDoc, isPublic: boolean, hasIdParam: boolean): Map<ErrorStatus, string | undefined> {
  const errors = new Map<ErrorStatus, string | undefined>();
  if (doc.body || doc.query || doc.extraQuery?.some((p) => p.schema)) errors.set(400, undefined);
  if (!isPublic) {
    errors.set(401, undefined);
    errors.set(403, undefined);
  }
  if (hasIdParam) errors.set(404, undefined);
  if (doc.body && !doc.readRaw) {
    errors.set(413, undefined);
    errors.set(415, undefined);
  }
  errors.set(429, undefined);
  for (const [status, description] of Object.entries(doc.errors ?? {}))
    errors.set(Number(status) as ErrorStatus, description);
  return new Map([...errors].sort(([a], [b]) => a - b));
}

function successResponses(doc: RouteDoc): Json {
  const out: Json = {};
  for (const [status, description] of Object.entries(doc.ok ?? { 200: 'OK' })) {
    if (status === '204' || status === '101') out[status] = { description };
    else if (doc.produces) out[status] = { description, content: { [doc.produces]: {} } };
    else out[status] = { description, content: { [JSON_TYPE]: { schema: { type: 'object' } } } };
  }
  return out;
}

function security(doc: RouteDoc, isPublic: boolean): Json[] {
  if (doc.websocket) return [{ accessTokenQuery: [] }, { bearerAuth: [] }];
  if (isPublic) return doc.optionalAuth ? [{}, { bearerAuth: [] }] : [];
  return [{ bearerAuth: [] }];
}

function operation(key: string, doc: RouteDoc, schemas: Record<string, Json>, names: Map<z.ZodType, string>): Json {
  const [method, honoPath] = key.split(' ') as [string, string];
  const access = ACCESS[key];
  const isPublic = access === 'public';
  const nameOf = (schema: z.ZodType, what: string) => {
    const name = names.get(schema);
    if (!name)
      throw new Error(`${key}: its ${what} schema is not a named export of contract/ — move it there to document it`);
    return name;
  };
  const parameters: Json[] = pathParameters(honoPath);
  if (doc.query) {
    const name = nameOf(doc.query, 'query');
    parameters.push(...queryParameters(schemas[name]!, name));
  }
  for (const p of doc.extraQuery ?? []) {
    const schema = p.schema ? ref(nameOf(p.schema, 'query')) : { type: 'string' };
    parameters.push(parameter(p.name, 'query', p.required ?? false, p.description, schema));
  }
  const roles = isPublic || access === undefined ? [] : [...access];
  const accessLine = isPublic
    ? doc.optionalAuth
      ? '**Access:** public; a bearer token, when sent, is used.'
      : '**Access:** public.'
    : `**Roles:** ${roles.join(', ')}.`;
  const op: Json = {
    operationId: operationId(method, honoPath),
    tags: [tagOf(honoPath)],
    summary: doc.summary,
    description: [doc.description, accessLine].filter(Boolean).join('\n\n'),
    ...(isPublic ? {} : { 'x-roles': roles }),
    security: security(doc, isPublic),
  };
  if (parameters.length) op.parameters = parameters;
  if (doc.body) {
    op.requestBody = {
      required: !doc.bodyOptional,
      content: { [JSON_TYPE]: { schema: ref(nameOf(doc.body, 'body')) } },
    };
  } else if (doc.rawBody) {
    op.requestBody = {
      required: true,
      description: doc.rawBody.description,
      content: Object.fromEntries(doc.rawBody.types.map((t) => [t, {}])),
    };
  }
  const responses = successResponses(doc);
  // A `:id` that is not a UUID, or not the caller's, is 404 (uuidParam); a file key is not looked up that way.
  for (const [status, description] of errorResponses(doc, isPublic, /:\w/.test(honoPath))) {
    responses[status] = {
      $ref: `#/components/responses/${ERROR_RESPONSES[status].name}`,
      ...(description ? { description } : {}),
    };
  }
  op.responses = responses;
  if (doc.websocket) {
    op['x-websocket'] = {
      description:
        'JSON text frames `{"type", "payload"}`, at most 8 KiB. Keep-alive: send exactly `{"type":"ping"}`; the runtime answers `{"type":"pong"}` without waking a hibernated room, and it costs nothing. Every other message spends a budget per connection and per user; `subscribe` and `status_change` a smaller one of their own. Past it, a message is answered with `error` `rate_limited` (saying how long to wait) and the socket stays open.',
      clientMessage: ref(nameOf(doc.websocket.client, 'WebSocket client')),
      serverMessage: ref(nameOf(doc.websocket.server, 'WebSocket server')),
      closeCodes: {
        4001: 'The token is invalid, expired or was revoked (logout-all, suspension).',
        4003: 'The user may no longer see what the socket serves (the job was reassigned or rejected): do not reconnect to it.',
      },
    };
  }
  return op;
}

/** Every `#/components/schemas/X` reachable from `root`, following refs through components. */
function reachableSchemas(root: unknown, schemas: Record<string, Json>): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF)) {
        const id = v.slice(SCHEMA_REF.length);
        if (!found.has(id)) {
          found.add(id);
          walk(schemas[id]);
        }
      } else walk(v);
    }
  };
  walk(root);
  return found;
}

function errorComponents(): Json {
  const out: Json = {};
  for (const [status, { name, description }] of Object.entries(ERROR_RESPONSES)) {
    const response: Json = {
      description,
      content: { [JSON_TYPE]: { schema: status === '503' ? { type: 'object' } : ref('ErrorBody') } },
    };
    if (status === '429')
      response.headers = {
        'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer', minimum: 0 } },
      };
    if (status === '400') {
      (response.content as Record<string, Json>)[JSON_TYPE]!.example = {
        error: {
          code: 'validation_failed',
          message: 'Use at least 10 characters.',
          details: [{ field: 'password', message: 'Use at least 10 characters' }],
        },
      };
    }
    if (status === '409') {
      (response.content as Record<string, Json>)[JSON_TYPE]!.example = {
        error: {
          code: 'invalid_transition',
          message: 'This job is still waiting for a driver, so it cannot be marked finished.',
          details: { allowed: allowedNext('pending') },
        },
      };
    }
    out[name] = response;
  }
  return out;
}

/** The whole OpenAPI 3.1 document. Deterministic: the same input gives the same JSON. */
export function buildOpenApiDocument(): Json {
  const names = contractSchemaNames();
  const schemas = componentSchemas(names);
  const paths: Record<string, Json> = {};
  for (const [key, doc] of Object.entries(ROUTE_DOCS)) {
    const [method, honoPath] = key.split(' ') as [string, string];
    const path = openApiPath(honoPath);
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation(key, doc, schemas, names) };
  }
  const used = reachableSchemas(paths, schemas);
  used.add('ErrorBody');
  for (const id of [...used]) for (const inner of reachableSchemas(schemas[id], schemas)) used.add(inner);
  const keptSchemas = Object.fromEntries(
    Object.keys(schemas)
      .filter((id) => used.has(id))
      .sort()
      .map((id) => [id, schemas[id]!]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'PlowDispatch API',
      version,
      description: [
        'Snow-plow dispatch: customers request, admins dispatch, drivers plow. Generated from the zod schemas the Worker validates with (contract/) and its route table (worker/access.ts) by `npm run openapi`; served at `/api/v1/openapi.json`.',
        '',
        'JSON field names are snake_case; money is integer cents; times are ISO-8601 UTC. Every refusal is `{"error": {"code", "message", "details"?}}` (`ErrorBody`); bad input is a 4xx, never a 5xx. Each operation lists the roles that may call it (`x-roles`); routes of other users’ resources answer 404.',
      ].join('\n'),
    },
    servers: [{ url: '/', description: 'The Worker that serves this document.' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: keptSchemas,
      responses: errorComponents(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token (15 minutes) from login, register, refresh or magic-link.',
        },
        accessTokenQuery: {
          type: 'apiKey',
          in: 'query',
          name: 'token',
          description: 'The access token in `?token=`, for the WebSocket upgrade (browsers cannot set headers on it).',
        },
      },
    },
  };
}

/** The document as committed in docs/openapi.json and served: 2-space JSON and a final newline. */
export const openApiJson = (): string => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
