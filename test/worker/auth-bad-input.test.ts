import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { FIELD_MAX, FIELD_MESSAGES } from '../../contract/field-messages';
import { loginAdmin, uniquePhone } from './fixtures';
import { api, db } from './helpers';
import { registerCustomer } from './auth-helpers';

/** Every bad-input case uses addresses with this prefix, so leftovers are easy to find. */
const MARK = `badinput-${crypto.randomUUID().slice(0, 8)}`;
const mark = (n: number | string) => `${MARK}-${n}@example.test`;

interface Endpoint {
  path: string;
  /** Which session the call needs. */
  as: 'anonymous' | 'customer' | 'admin';
  /** A well-formed body; the cases below break it one way at a time. */
  valid: Record<string, unknown>;
  /** Fields that may be left out. */
  optional?: string[];
}

const TOKEN = 'A'.repeat(43);
const ENDPOINTS: Endpoint[] = [
  {
    path: '/api/v1/auth/register',
    as: 'anonymous',
    valid: { email: mark('register'), password: 'long enough password', full_name: 'Bad Input', phone: '+19995550000' },
    optional: ['phone'],
  },
  {
    path: '/api/v1/auth/login',
    as: 'anonymous',
    valid: { email: mark('login'), password: 'long enough password', totp_code: '123456', device_info: 'test' },
    optional: ['totp_code', 'device_info'],
  },
  { path: '/api/v1/auth/refresh', as: 'anonymous', valid: { refresh_token: TOKEN } },
  { path: '/api/v1/auth/logout', as: 'anonymous', valid: { refresh_token: TOKEN } },
  { path: '/api/v1/auth/request-password-reset', as: 'anonymous', valid: { email: mark('reset') } },
  { path: '/api/v1/auth/reset-password', as: 'anonymous', valid: { token: TOKEN, password: 'long enough password' } },
  { path: '/api/v1/auth/request-magic-link', as: 'anonymous', valid: { email: mark('magic') } },
  { path: '/api/v1/auth/magic-link', as: 'anonymous', valid: { token: TOKEN } },
  { path: '/api/v1/auth/request-email-verification', as: 'anonymous', valid: { email: mark('verify') } },
  { path: '/api/v1/auth/verify-email', as: 'anonymous', valid: { token: TOKEN } },
  { path: '/api/v1/auth/request-phone-code', as: 'customer', valid: { phone: '+19995550001' }, optional: ['phone'] },
  { path: '/api/v1/auth/verify-phone', as: 'customer', valid: { code: '123456' } },
  { path: '/api/v1/auth/accept-invite', as: 'anonymous', valid: { token: TOKEN, password: 'long enough password' } },
  {
    path: '/api/v1/auth/totp/enrol',
    as: 'anonymous',
    valid: { enrol_token: TOKEN, current_code: '123456' },
    optional: ['enrol_token', 'current_code'],
  },
  {
    path: '/api/v1/auth/totp/confirm',
    as: 'anonymous',
    valid: { code: '123456', enrol_token: TOKEN },
    optional: ['enrol_token'],
  },
  {
    path: '/api/v1/admin/invites',
    as: 'admin',
    valid: { email: mark('invite'), full_name: 'Bad Input', role: 'driver', phone: '+19995550002' },
    optional: ['phone'],
  },
];

interface Case {
  name: string;
  body: string;
  contentType?: string;
}

/** Malformed JSON, wrong content type, oversized body; then per field: missing, wrong type, overlong. */
function casesFor(e: Endpoint): Case[] {
  const json = (o: unknown) => JSON.stringify(o);
  const cases: Case[] = [
    { name: 'malformed JSON', body: '{"email": "x@y.z",' },
    { name: 'a JSON array instead of an object', body: '[]' },
    { name: 'a JSON string', body: '"hello"' },
    { name: 'null', body: 'null' },
    { name: 'wrong content type', body: json(e.valid), contentType: 'text/plain' },
    { name: 'form-encoded', body: 'email=a%40b.c', contentType: 'application/x-www-form-urlencoded' },
    { name: 'a body over 64 KiB', body: json({ ...e.valid, padding: 'x'.repeat(70_000) }) },
  ];
  for (const field of Object.keys(e.valid)) {
    if (!e.optional?.includes(field)) {
      const { [field]: _drop, ...rest } = e.valid;
      cases.push({ name: `missing ${field}`, body: json(rest) });
    }
    cases.push({ name: `${field} as a number`, body: json({ ...e.valid, [field]: 12345 }) });
    cases.push({ name: `${field} as an object`, body: json({ ...e.valid, [field]: { $ne: null } }) });
    cases.push({
      name: `${field} 10,000 characters long`,
      body: json({ ...e.valid, [field]: `${'a'.repeat(10_000)}@example.test` }),
    });
  }
  return cases;
}

describe('bad input on every auth endpoint', () => {
  const tokens: Record<string, string | undefined> = {};

  beforeAll(async () => {
    tokens.customer = (await registerCustomer({ verify: false })).access_token;
    tokens.admin = (await loginAdmin()).access_token;
  });

  for (const endpoint of ENDPOINTS) {
    it(`answers POST ${endpoint.path} with a 4xx in the error shape, never a 500`, async () => {
      const failures: string[] = [];
      for (const c of casesFor(endpoint)) {
        const headers: Record<string, string> = { 'content-type': c.contentType ?? 'application/json' };
        const token = endpoint.as === 'anonymous' ? undefined : tokens[endpoint.as];
        const res = await api(endpoint.path, { method: 'POST', headers, body: c.body, ...(token ? { token } : {}) });
        const body = (await res.json().catch(() => null)) as { error?: { code?: unknown; message?: unknown } } | null;
        const shaped = typeof body?.error?.code === 'string' && typeof body.error.message === 'string';
        if (res.status < 400 || res.status >= 500 || !shaped)
          failures.push(`${c.name}: ${res.status} ${JSON.stringify(body)?.slice(0, 200)}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it('wrote no rows for any of those requests', async () => {
    const rows = await db(async (d) => {
      const users = await d.execute<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM users WHERE email LIKE ${`${MARK}%`} OR phone LIKE '+1999555000_'`,
      );
      const mails = await d.execute<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM notification_log WHERE recipient LIKE ${`${MARK}%`} OR recipient LIKE '+1999555000_'`,
      );
      return { users: users.rows[0]!.n, notifications: mails.rows[0]!.n };
    });
    expect(rows).toEqual({ users: 0, notifications: 0 });
  });

  it('explains which field is wrong', async () => {
    const res = await api('/api/v1/auth/register', {
      method: 'POST',
      json: { email: 'not-an-email', password: 'short', full_name: '' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { field: string; message: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['email', 'full_name', 'password']);
  });

  it('words each refused field for the person filling in the form', async () => {
    const refusal = async (json: Record<string, unknown>) => {
      const res = await api('/api/v1/auth/register', { method: 'POST', json });
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { code: string; message: string; details: Detail[] } }).error;
    };
    type Detail = { field: string; message: string };
    const valid = { email: mark('worded'), password: 'long enough password', full_name: 'Worded Refusal' };

    const phone = await refusal({ ...valid, phone: '603-555' });
    expect(phone.code).toBe('validation_failed');
    expect(phone.details).toEqual([{ field: 'phone', message: FIELD_MESSAGES.phone }]);
    expect(phone.message).toBe('Enter a mobile number like +1 603 555 0100.');

    const long = await refusal({ ...valid, full_name: 'n'.repeat(FIELD_MAX.name + 1) });
    expect(long.details).toEqual([{ field: 'full_name', message: 'Keep it to 120 characters or fewer' }]);

    const several = await refusal({ email: 'not-an-email', password: 'short' });
    expect(several.message).toBe('3 fields need another look.');
    expect(Object.fromEntries(several.details.map((d) => [d.field, d.message]))).toEqual({
      email: FIELD_MESSAGES.email,
      password: FIELD_MESSAGES.password,
      full_name: FIELD_MESSAGES.required,
    });
  });

  it('takes a mobile number written the way people write it', async () => {
    const number = uniquePhone();
    const spaced = `${number.slice(0, 2)} (${number.slice(2, 5)}) ${number.slice(5, 8)}-${number.slice(8)}`;
    const { access_token } = await registerCustomer({ verify: false, phone: spaced });
    const me = await api('/api/v1/customers/me', { token: access_token });
    expect(((await me.json()) as { customer: { phone: string } }).customer.phone).toBe(number);
  });

  it('answers 415 for a wrong content type and 413 for an oversized body', async () => {
    const wrongType = await api('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    const big = await api('/api/v1/auth/login', {
      method: 'POST',
      json: { email: mark('big'), password: 'x'.repeat(70_000) },
    });
    expect(big.status).toBe(413);
  });
});
