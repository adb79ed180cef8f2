import { z } from 'zod';
import { allowListEntryProblem } from '../auth/ip-allowlist';

/** A comma-separated list; blanks dropped. */
const list = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  );

/** An optional string where the empty string (an unset `.dev.vars` line) means "not set". */
const optional = z
  .string()
  .optional()
  .transform((s) => (s && s.trim() ? s.trim() : undefined));

/** `https://host[:port]` exactly as a browser sends it in `Origin`. */
function isOrigin(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s;
  } catch {
    return false;
  }
}

const optionalUrl = optional.pipe(z.url().optional());

/** `"<count>/<seconds>"`, e.g. `5/900` = five per fifteen minutes. */
const window = (fallback: string) =>
  optional
    .transform((s) => s ?? fallback)
    .pipe(z.string().regex(/^[1-9]\d*\/[1-9]\d*$/, 'must look like 5/900 (count/seconds, both above zero)'))
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
  APP_ORIGINS: list.pipe(
    z.array(
      // Compared with the browser's Origin header as strings: a path or trailing slash would never match.
      z.string().refine(isOrigin, {
        message:
          'APP_ORIGINS entries must be origins like https://plow.example.com (scheme and host, no path or trailing slash)',
      }),
    ),
  ),
  /** HaveIBeenPwned k-anonymity check on new passwords; on unless "false". */
  HIBP_ENABLED: optional.transform((s) => s !== 'false'),
  HIBP_API_URL: optionalUrl.transform((s) => s ?? 'https://api.pwnedpasswords.com'),
  /** Admin requests only from these IPs / IPv4 CIDRs; empty = no restriction. */
  ADMIN_IP_ALLOWLIST: list.superRefine((entries, ctx) => {
    // A malformed entry would silently match nothing and lock the office out (or, worse, be
    // mistaken for a restriction that is not there): refuse it at start-up instead.
    for (const entry of entries) {
      const problem = allowListEntryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }
  }),
  /** Sensitive auth endpoints, per IP + account. */
  RATE_LIMIT_AUTH: window('5/900'),
  EMAIL_FROM: optional.transform((s) => s ?? 'PlowDispatch <no-reply@plowdispatch.app>'),
  RESEND_API_KEY: optional,
  RESEND_API_URL: optionalUrl.transform((s) => s ?? 'https://api.resend.com'),
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_FROM_NUMBER: optional,
  TWILIO_API_URL: optionalUrl.transform((s) => s ?? 'https://api.twilio.com'),
  /**
   * The least severe log lines written: `info` (default) includes one line per request;
   * `warn` keeps only warnings and errors (a busy day's request lines are in Workers Logs'
   * invocation records anyway).
   */
  LOG_LEVEL: optional
    .transform((s) => s ?? 'info')
    .pipe(z.enum(['info', 'warn', 'error'], { error: 'LOG_LEVEL must be info, warn or error' })),
});

export type Settings = z.infer<typeof SettingsSchema>;

/** The vars parsed here (worker/config.ts checks every var the Worker reads is validated somewhere). */
export const SETTINGS_VARS = Object.keys(SettingsSchema.shape);

/**
 * What is wrong with these settings, one sentence per problem naming the variable (empty
 * when they parse). worker/config.ts reports these at start-up, so a typo answers 503
 * `misconfigured` with the reason in the log instead of a 500 on the first request that reads it.
 */
export function settingsProblems(env: Record<string, unknown>): string[] {
  const parsed = SettingsSchema.safeParse(env);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => {
    const name = i.path.join('.') || 'settings';
    return i.message.startsWith(name) ? i.message : `${name}: ${i.message}`;
  });
}

const cache = new WeakMap<object, Settings>();

/** The parsed settings for this `env` (memoised per env object). */
export function settings(env: object): Settings {
  let c = cache.get(env);
  if (!c) {
    const parsed = SettingsSchema.safeParse(env);
    if (!parsed.success) {
      throw new Error(
        `Invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    c = parsed.data;
    cache.set(env, c);
  }
  return c;
}
