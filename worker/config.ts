import { z } from 'zod';

/**
 * Every binding and secret the Worker needs, checked once per isolate. A missing required
 * one fails every request with a message naming it (and `wrangler deploy` smoke tests
 * catch it); a missing optional provider degrades to the built-in outbox / open maps,
 * with one warning.
 */
const optional = z.string().optional().transform((v) => (v && v.trim() !== '' ? v : undefined));

const Required = z.object({
  DATABASE_URL: z.string({ message: 'DATABASE_URL is not set: `wrangler secret put DATABASE_URL` (your Neon connection string)' }).regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL'),
  JWT_SECRET: z.string({ message: 'JWT_SECRET is not set: `wrangler secret put JWT_SECRET` (32+ random bytes)' }).min(32, 'JWT_SECRET must be at least 32 characters'),
  APP_ENV: z.enum(['development', 'test', 'staging', 'production'], { message: 'APP_ENV must be development, test, staging or production' }),
  FILES_SIGNING_SECRET: z.string({ message: 'FILES_SIGNING_SECRET is not set: `wrangler secret put FILES_SIGNING_SECRET` (32+ random bytes; signs file URLs)' }).min(16, 'FILES_SIGNING_SECRET must be at least 16 characters'),
});

/**
 * Every other setting the Worker reads from its env (values are parsed where they are used,
 * e.g. worker/lib/settings.ts). Listed here so this file names every secret the operator can
 * set: the README's secrets table must list exactly these (scripts/operator-guide.ts checks).
 */
const Optional = z.object({
  DB_WS_PROXY: optional,
  JWT_KID: optional,
  JWT_SECRET_PREVIOUS: optional,
  JWT_KID_PREVIOUS: optional,
  APP_ORIGINS: optional,
  ADMIN_IP_ALLOWLIST: optional,
  HIBP_ENABLED: optional,
  HIBP_API_URL: optional,
  RATE_LIMIT_AUTH: optional,
  EMAIL_FROM: optional,
  RESEND_API_KEY: optional,
  RESEND_API_URL: optional,
  RESEND_WEBHOOK_SECRET: optional,
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_FROM_NUMBER: optional,
  TWILIO_API_URL: optional,
  VAPID_PUBLIC_KEY: optional,
  VAPID_PRIVATE_KEY: optional,
  VAPID_SUBJECT: optional,
  GOOGLE_MAPS_API_KEY: optional,
  GOOGLE_GEOCODE_URL: optional,
  NOMINATIM_URL: optional,
});

/** Set in wrangler.toml `[vars]` per environment, not with `wrangler secret put`. */
export const WRANGLER_VARS = ['APP_ENV'] as const;
/** Local development only (the WebSocket→Postgres bridge); refused in production. */
export const LOCAL_ONLY_SETTINGS = ['DB_WS_PROXY'] as const;
/** What the operator puts with `wrangler secret put`: required ones fail start-up when missing. */
export const REQUIRED_SECRETS: readonly string[] = Object.keys(Required.shape).filter((k) => !(WRANGLER_VARS as readonly string[]).includes(k));
export const OPTIONAL_SECRETS: readonly string[] = Object.keys(Optional.shape).filter((k) => !(LOCAL_ONLY_SETTINGS as readonly string[]).includes(k));

/** Bindings every wrangler.toml environment must declare (scripts/lib/deploy-config.ts checks each [env.*]). */
export const BINDINGS = ['JOB_ROOM', 'DISPATCH', 'SESSION_GUARD', 'RATE_COUNTER', 'AUTO_DISPATCH', 'RL_ANON', 'RL_USER', 'FILES', 'LOCATION_LOG', 'NOTIFICATIONS', 'INVOICES'] as const;

export type ConfigCheck = { ok: true; warnings: string[] } | { ok: false; problems: string[] };

/** Pure check of an env object (exported for tests). */
export function checkConfig(env: Record<string, unknown>): ConfigCheck {
  const problems: string[] = [];
  const required = Required.safeParse(env);
  if (!required.success) problems.push(...required.error.issues.map((i) => i.message));
  for (const b of BINDINGS) if (!env[b]) problems.push(`binding ${b} is missing from wrangler.toml for this environment`);
  if (required.success && required.data.APP_ENV === 'production' && env.DB_WS_PROXY) {
    problems.push('DB_WS_PROXY is a local-development setting and must not be set in production');
  }
  if (problems.length) return { ok: false, problems };
  const opt = Optional.parse(env);
  const warnings: string[] = [];
  if (!opt.RESEND_API_KEY) warnings.push('RESEND_API_KEY not set: emails go to the built-in outbox');
  if (!opt.TWILIO_ACCOUNT_SID || !opt.TWILIO_AUTH_TOKEN) warnings.push('TWILIO_* not set: SMS go to the built-in outbox');
  if (!opt.GOOGLE_MAPS_API_KEY) warnings.push('GOOGLE_MAPS_API_KEY not set: geocoding uses the Nominatim-compatible service; maps use open tiles');
  if (!opt.VAPID_PRIVATE_KEY) warnings.push('VAPID_PRIVATE_KEY not set: no Web Push to drivers');
  if (opt.TWILIO_ACCOUNT_SID && !opt.TWILIO_FROM_NUMBER) warnings.push('TWILIO_FROM_NUMBER not set: SMS go to the built-in outbox until a sender number is configured');
  if (!opt.APP_ORIGINS) warnings.push('APP_ORIGINS not set: invoice emails carry no download link and Twilio delivery callbacks are off');
  return { ok: true, warnings };
}

let checked: ConfigCheck | undefined;

/** Checks once per isolate; logs warnings once. (`object`, not `Env`: scripts/ import this file too.) */
export function configStatus(env: object): ConfigCheck {
  if (!checked) {
    checked = checkConfig(env as unknown as Record<string, unknown>);
    if (checked.ok) for (const w of checked.warnings) console.warn(JSON.stringify({ level: 'warn', msg: 'config', warning: w }));
    else console.error(JSON.stringify({ level: 'error', msg: 'configuration invalid', problems: checked.problems }));
  }
  return checked;
}
