import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { settings } from '../lib/settings';
import { log } from '../lib/log';

/** How long a registration waits for HaveIBeenPwned before going on without it. */
export const HIBP_TIMEOUT_MS = 1500;

export type BreachCheck = 'breached' | 'clean' | 'skipped';

/**
 * HaveIBeenPwned's k-anonymity range API: only the first five hex digits of the
 * password's SHA-1 leave the Worker; the match happens here. ApexPlow §6 asks for it on
 * registration and password change. It is advisory: when the service is off, slow or
 * unreachable the check is skipped (logged) rather than blocking sign-up.
 */
export async function checkBreached(env: Env, password: string): Promise<BreachCheck> {
  const cfg = settings(env);
  if (!cfg.HIBP_ENABLED) return 'skipped';
  const digest = bytesToHex(sha1(new TextEncoder().encode(password))).toUpperCase();
  const prefix = digest.slice(0, 5);
  const suffix = digest.slice(5);
  try {
    const res = await fetch(`${cfg.HIBP_API_URL.replace(/\/+$/, '')}/range/${prefix}`, {
      headers: { 'add-padding': 'true', 'user-agent': 'PlowDispatch' },
      signal: AbortSignal.timeout(HIBP_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`status ${res.status}`);
    const text = await res.text();
    for (const line of text.split('\n')) {
      const [candidate, count] = line.trim().split(':');
      if (candidate?.toUpperCase() === suffix && Number(count) > 0) return 'breached';
    }
    return 'clean';
  } catch (err) {
    log.warn({
      msg: 'HIBP check skipped',
      err: err instanceof Error ? err.message : String(err),
    });
    return 'skipped';
  }
}
