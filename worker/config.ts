import { z } from 'zod';
import { SETTINGS_VARS, settingsProblems } from './lib/settings';

/**
 * Every binding, secret and var the Worker reads, checked once per env object with zod.
 * A missing or malformed required one fails every request with 503 `misconfigured` and a
 * log line naming it and how to set it (and the deploy smoke test catches it); a missing
 * optional provider degrades to the built-in outbox / open maps with one warning. The
 * point is to fail at start-up with a sentence, not later with a stack trace.
 */

/** How each kind of binding is recognised and where wrangler.toml declares it. */
const BINDING_KINDS = {
  durable_object: {
    label: 'a Durable Object namespace',
    method: 'idFromName',
    section: '[[durable_objects.bindings]]',
  },
  r2: { label: 'an R2 bucket', method: 'put', section: '[[r2_buckets]]' },
  queue: { label: 'a Queue producer', method: 'send', section: '[[queues.producers]]' },
  ratelimit: { label: 'a rate-limit binding', method: 'limit', section: '[[ratelimits]]' },
  assets: { label: 'the static-assets binding', method: 'fetch', section: '[assets] binding' },
} as const;

/** Every binding wrangler.toml declares (keep in step with it: worker/config.test.ts compares). */
export const BINDINGS = {
  JOB_ROOM: 'durable_object',
  DISPATCH: 'durable_object',
  SESSION_GUARD: 'durable_object',
  RATE_COUNTER: 'durable_object',
  AUTO_DISPATCH: 'durable_object',
  CRON_SCHEDULE: 'durable_object',
  FILES: 'r2',
  LOCATION_LOG: 'queue',
  NOTIFICATIONS: 'queue',
  INVOICES: 'queue',
  RL_ANON: 'ratelimit',
  RL_USER: 'ratelimit',
  ASSETS: 'assets',
} as const satisfies Record<string, keyof typeof BINDING_KINDS>;

/** Bindings read when present and not required (the admin health view shows the deployed version). */
export const OPTIONAL_BINDINGS = ['CF_VERSION_METADATA'] as const;

/** `.dev.vars` leaves unset values as empty strings: treat them as missing. */
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A secret that must be set; the message says how. */
function secret(name: string, what: string) {
  return z.preprocess(
    blank,
    z.string({
      error: (issue) =>
        issue.input === undefined
          ? `${name} is not set: run \`npx wrangler secret put ${name}\` (${what}); locally, put it in .dev.vars`
          : `${name} must be a string`,
    }),
  );
}

/** An optional value, validated when set. */
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());
const url = (name: string) => z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL` });
const keyId = (name: string) =>
  z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, `${name} must be 1–40 letters, digits, "_", "." or "-"`);

const Required = z.object({
  DATABASE_URL: secret('DATABASE_URL', 'the Neon connection string').pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\/[^/]+/, 'DATABASE_URL must be a postgres:// or postgresql:// connection string'),
  ),
  JWT_SECRET: secret('JWT_SECRET', '32+ random bytes; signs access tokens').pipe(
    z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
  ),
  FILES_SIGNING_SECRET: secret('FILES_SIGNING_SECRET', '32+ random bytes; signs upload and photo URLs').pipe(
    z.string().min(32, 'FILES_SIGNING_SECRET must be at least 32 characters'),
  ),
  APP_ENV: z.enum(['development', 'test', 'staging', 'production'], {
    error: 'APP_ENV must be development, test, staging or production (a [vars] entry per environment in wrangler.toml)',
  }),
});

/** Vars and optional secrets: absent is fine, malformed is not. */
const Vars = z
  .object({
    JWT_KID: opt(keyId('JWT_KID')),
    JWT_SECRET_PREVIOUS: opt(
      z.string().min(32, 'JWT_SECRET_PREVIOUS must be at least 32 characters (the old JWT_SECRET)'),
    ),
    JWT_KID_PREVIOUS: opt(keyId('JWT_KID_PREVIOUS')),
    DB_WS_PROXY: opt(z.string().regex(/^[\w.-]+:\d+(\/\S*)?$/, 'DB_WS_PROXY must look like 127.0.0.1:54330/v1')),
    NOTIFY_RETRY_BASE_SECONDS: opt(
      z.string().regex(/^\d{1,4}$/, 'NOTIFY_RETRY_BASE_SECONDS must be a whole number of seconds'),
    ),
    HIBP_ENABLED: opt(z.enum(['true', 'false'], { error: 'HIBP_ENABLED must be "true" or "false"' })),
    GOOGLE_MAPS_API_KEY: opt(z.string()),
    GOOGLE_GEOCODE_URL: opt(url('GOOGLE_GEOCODE_URL')),
    GOOGLE_PLACES_URL: opt(url('GOOGLE_PLACES_URL')),
    NOMINATIM_URL: opt(url('NOMINATIM_URL')),
    EMAIL_FROM: opt(
      z
        .string()
        .regex(
          /^([^<>]+<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/,
          'EMAIL_FROM must be an address or "Name <address>"',
        ),
    ),
    RESEND_API_KEY: opt(z.string()),
    RESEND_WEBHOOK_SECRET: opt(
      z
        .string()
        .regex(
          /^(whsec_)?[A-Za-z0-9+/=_-]{16,}$/,
          'RESEND_WEBHOOK_SECRET must be the whsec_… signing secret from Resend',
        ),
    ),
    TWILIO_ACCOUNT_SID: opt(
      z.string().regex(/^AC[0-9a-zA-Z]{32}$/, 'TWILIO_ACCOUNT_SID must look like AC followed by 32 characters'),
    ),
    TWILIO_AUTH_TOKEN: opt(z.string()),
    TWILIO_FROM_NUMBER: opt(
      z.string().regex(/^\+[1-9]\d{6,14}$/, 'TWILIO_FROM_NUMBER must be in E.164 form, e.g. +16035550199'),
    ),
    VAPID_PUBLIC_KEY: opt(
      z
        .string()
        .regex(
          /^[A-Za-z0-9_-]{80,100}$/,
          'VAPID_PUBLIC_KEY must be the base64url public key from `npm run vapid:keys`',
        ),
    ),
    VAPID_PRIVATE_KEY: opt(
      z
        .string()
        .regex(
          /^[A-Za-z0-9_-]{40,50}$/,
          'VAPID_PRIVATE_KEY must be the base64url private key from `npm run vapid:keys`',
        ),
    ),
    VAPID_SUBJECT: opt(
      z.string().regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'VAPID_SUBJECT must be a mailto: or https: contact URL'),
    ),
    APP_ORIGINS: opt(z.string()),
  })
  .superRefine((v, ctx) => {
    // Both keys live in one map by kid: the same kid would replace the current key with the old one.
    if (v.JWT_SECRET_PREVIOUS && (v.JWT_KID_PREVIOUS ?? 'k0') === (v.JWT_KID ?? 'k1')) {
      ctx.addIssue({ code: 'custom', message: 'JWT_KID_PREVIOUS must differ from JWT_KID during a key rotation' });
    }
  });

/** Every var and secret this module or worker/lib/settings.ts validates. */
export const KNOWN_VARS: readonly string[] = [
  ...new Set([...Object.keys(Required.shape), ...Object.keys(Vars.shape), ...SETTINGS_VARS]),
];

/** Set in wrangler.toml `[vars]` per environment, not with `wrangler secret put`. */
export const WRANGLER_VARS = ['APP_ENV', 'NOTIFY_RETRY_BASE_SECONDS'] as const;
/** Local development only (the WebSocket→Postgres bridge); refused in production. */
export const LOCAL_ONLY_SETTINGS = ['DB_WS_PROXY'] as const;
const notSecret = (k: string) =>
  (WRANGLER_VARS as readonly string[]).includes(k) || (LOCAL_ONLY_SETTINGS as readonly string[]).includes(k);
/**
 * What the operator puts with `wrangler secret put`: required ones fail start-up when
 * missing. The README's secrets table lists exactly these (scripts/operator-guide.ts checks).
 */
export const REQUIRED_SECRETS: readonly string[] = Object.keys(Required.shape).filter((k) => !notSecret(k));
export const OPTIONAL_SECRETS: readonly string[] = KNOWN_VARS.filter(
  (k) => !notSecret(k) && !REQUIRED_SECRETS.includes(k),
);
/** Names of the bindings every wrangler.toml environment must declare (scripts/lib/deploy-config.ts checks each [env.*]). */
export const BINDING_NAMES = Object.keys(BINDINGS) as (keyof typeof BINDINGS)[];

export type ConfigCheck = { ok: true; warnings: string[] } | { ok: false; problems: string[] };

function bindingProblems(env: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, kind] of Object.entries(BINDINGS)) {
    const { label, method, section } = BINDING_KINDS[kind];
    const value = env[name] as Record<string, unknown> | undefined;
    if (value === undefined || value === null) {
      problems.push(
        `binding ${name} (${label}) is missing: declare it under ${section} in wrangler.toml — bindings are not inherited by [env.*] sections`,
      );
    } else if (typeof value !== 'object' || typeof value[method] !== 'function') {
      problems.push(`binding ${name} is not ${label}: check ${section} in wrangler.toml`);
    }
  }
  return problems;
}

/** Provider keys that are missing or incomplete: each degrades one feature, with one warning. */
function providerWarnings(v: z.infer<typeof Vars>): string[] {
  const warnings: string[] = [];
  if (!v.RESEND_API_KEY) warnings.push('RESEND_API_KEY not set: emails go to the built-in outbox');
  else if (!v.RESEND_WEBHOOK_SECRET)
    warnings.push(
      'RESEND_WEBHOOK_SECRET not set: Resend delivery events are refused, so emails stay "sent", never "delivered"',
    );
  const twilioMissing = (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'] as const).filter(
    (k) => !v[k],
  );
  if (twilioMissing.length) warnings.push(`${twilioMissing.join(', ')} not set: SMS go to the built-in outbox`);
  if (!v.GOOGLE_MAPS_API_KEY)
    warnings.push('GOOGLE_MAPS_API_KEY not set: geocoding uses the Nominatim-compatible service; maps use open tiles');
  if (!v.VAPID_PUBLIC_KEY || !v.VAPID_PRIVATE_KEY)
    warnings.push(
      'VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY not set: no Web Push to drivers (`npm run vapid:keys` makes a pair)',
    );
  if (!v.APP_ORIGINS)
    warnings.push('APP_ORIGINS not set: invoice emails carry no download link and Twilio delivery callbacks are off');
  return warnings;
}

/** Pure check of an env object (exported for tests). */
export function checkConfig(env: Record<string, unknown>): ConfigCheck {
  const problems: string[] = [];
  const required = Required.safeParse(env);
  if (!required.success) problems.push(...required.error.issues.map((i) => i.message));
  const vars = Vars.safeParse(env);
  if (!vars.success) problems.push(...vars.error.issues.map((i) => i.message));
  problems.push(...settingsProblems(env));
  problems.push(...bindingProblems(env));
  if (required.success && required.data.APP_ENV === 'production' && blank(env.DB_WS_PROXY) !== undefined) {
    problems.push('DB_WS_PROXY is a local-development setting and must not be set in production');
  }
  if (problems.length || !vars.success) return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, warnings: providerWarnings(vars.data) };
}

const checked = new WeakMap<object, ConfigCheck>();
const logged = new Set<string>();

/** Logs each distinct line once per isolate, however many env objects carry it. */
function logOnce(level: 'warn' | 'error', line: Record<string, unknown>): void {
  const text = JSON.stringify({ level, ...line });
  if (logged.has(text)) return;
  logged.add(text);
  (level === 'warn' ? console.warn : console.error)(text);
}

/** The check for this env object (memoised per object); warnings and problems are logged once. */
export function configStatus(env: object): ConfigCheck {
  let result = checked.get(env);
  if (!result) {
    result = checkConfig(env as unknown as Record<string, unknown>);
    checked.set(env, result);
    if (result.ok) for (const w of result.warnings) logOnce('warn', { msg: 'config', warning: w });
    else logOnce('error', { msg: 'configuration invalid', problems: result.problems });
  }
  return result;
}
