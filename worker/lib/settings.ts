import { z } from 'zod';

/** A comma-separated list; blanks dropped. */
const list = z
  .string()
  .optional()
  .transform((s) => (s ?? '').split(',').map((v) => v.trim()).filter(Boolean));

/** An optional string where the empty string (an unset `.dev.vars` line) means "not set". */
const optional = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? s.trim() : undefined));

const optionalUrl = optional.pipe(z.url().optional());

/** `"<count>/<seconds>"`, e.g. `5/900` = five per fifteen minutes. */
const window = (fallback: string) =>
  optional
    .transform((s) => s ?? fallback)
    .pipe(z.string().regex(/^\d+\/\d+$/, 'must look like 5/900 (count/seconds)'))
    .transform((s) => {
      const [limit, period] = s.split('/').map(Number) as [number, number];
      return { limit, period };
    });

/**
 * Typed values of the security and delivery settings (worker/config.ts only checks that
 * the Worker can start). Parsed with zod once per env object so a typo in a var fails
 * loudly instead of silently disabling a protection. Everything has a safe default: a
 * bare `wrangler deploy` with only the secrets set still gets HIBP checks and rate limits.
 */
const SettingsSchema = z.object({
  APP_ENV: optional.transform((s) => s ?? 'production'),
  /** Origins of our own web apps: the CORS allow-list; the first is the base of emailed links. */
  APP_ORIGINS: list.pipe(z.array(z.url({ message: 'APP_ORIGINS entries must be origins like https://plow.example.com' }))),
  /** HaveIBeenPwned k-anonymity check on new passwords; on unless "false". */
  HIBP_ENABLED: optional.transform((s) => s !== 'false'),
  HIBP_API_URL: optionalUrl.transform((s) => s ?? 'https://api.pwnedpasswords.com'),
  /** Admin requests only from these IPs / IPv4 CIDRs; empty = no restriction. */
  ADMIN_IP_ALLOWLIST: list,
  /** Sensitive auth endpoints, per IP + account. */
  RATE_LIMIT_AUTH: window('5/900'),
  EMAIL_FROM: optional.transform((s) => s ?? 'PlowDispatch <no-reply@plowdispatch.app>'),
  RESEND_API_KEY: optional,
  RESEND_API_URL: optionalUrl.transform((s) => s ?? 'https://api.resend.com'),
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_FROM_NUMBER: optional,
  TWILIO_API_URL: optionalUrl.transform((s) => s ?? 'https://api.twilio.com'),
});

export type Settings = z.infer<typeof SettingsSchema>;

const cache = new WeakMap<object, Settings>();

/** The parsed settings for this `env` (memoised per env object). */
export function settings(env: Env): Settings {
  let c = cache.get(env);
  if (!c) {
    const parsed = SettingsSchema.safeParse(env);
    if (!parsed.success) {
      throw new Error(`Invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    c = parsed.data;
    cache.set(env, c);
  }
  return c;
}
