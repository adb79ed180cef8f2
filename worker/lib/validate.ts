import type { Context } from 'hono';
import type { z } from 'zod';
import { peopleWords } from '../../contract/field-messages';
import { ApiError } from './errors';

const MAX_JSON_BYTES = 64 * 1024;

/** Turns zod issues into the per-field `details` of a 400. */
export function issuesToDetails(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
}

/**
 * The sentence of a 400 for these field problems: the one problem itself when there is one
 * ("Enter a mobile number like +1 603 555 0100."), else how many fields (`details` says which).
 */
export function validationMessage(details: { field: string; message: string }[]): string {
  const sentence = (d: { field: string; message: string }) => {
    const text = d.message.charAt(0).toUpperCase() + d.message.slice(1);
    return /[.!?]$/.test(text) ? text : `${text}.`;
  };
  if (details.length === 1) return sentence(details[0]!);
  return `${new Set(details.map((d) => d.field)).size} fields need another look.`;
}

/** True when any string (or key) inside `value` holds U+0000, which Postgres text cannot store. */
export function hasNulChar(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000') || hasNulChar(v, depth + 1)) return true;
  }
  return false;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  if (hasNulChar(value)) {
    throw new ApiError(400, 'validation_failed', `The ${what} contains a NUL character.`, [
      { field: '(body)', message: 'NUL characters are not allowed' },
    ]);
  }
  const result = schema.safeParse(value, { error: peopleWords });
  if (!result.success) {
    const details = issuesToDetails(result.error);
    throw new ApiError(400, 'validation_failed', validationMessage(details), details);
  }
  return result.data;
}

/**
 * Reads and validates a JSON body: 415 for another content type, 413 past 64 KiB,
 * 400 for malformed JSON or fields that fail `schema`. `optional` lets a body-less
 * request (e.g. DELETE) validate `{}`.
 */
export async function readJson<S extends z.ZodType>(
  c: Context,
  schema: S,
  { optional = false } = {},
): Promise<z.infer<S>> {
  const unsupported = () => new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
  const tooLarge = () => new ApiError(413, 'payload_too_large', `The body is larger than ${MAX_JSON_BYTES} bytes.`);
  const isJson = /^application\/json\b/i.test(c.req.header('content-type') ?? '');
  // Refuse what we would not parse before reading it: another type, or a declared size too big.
  if (!isJson && !optional && c.req.raw.body !== null) throw unsupported();
  if (Number(c.req.header('content-length') ?? 0) > MAX_JSON_BYTES) throw tooLarge();
  const raw = await c.req.text();
  if (raw.length === 0 && optional) return parseWith(schema, {});
  if (!isJson) throw unsupported();
  if (raw.length > MAX_JSON_BYTES) {
    throw tooLarge();
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ApiError(400, 'malformed_json', 'The body is not valid JSON.');
  }
  return parseWith(schema, value, 'body');
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseWith(schema, c.req.query(), 'query');
}

/** Validates a path parameter that must be a UUID; anything else is simply not found. */
export function uuidParam(c: Context, name = 'id'): string {
  const v = c.req.param(name) ?? '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) {
    throw new ApiError(404, 'not_found', 'Resource not found.');
  }
  return v.toLowerCase();
}
