import type { TimedFix } from '../lib/arrival';
import type { Fix } from './use-gps-stream';

/** Fixes kept for the arrival estimate: a few minutes of driving at one fix every 5–10 s. */
export const RECENT_FIXES = 30;

/**
 * The phone's recent fixes, oldest first, as the arrival estimate (web/src/lib/arrival.ts)
 * reads them: `fix` goes on the end when it is newer than the last one kept, and the
 * oldest fall off past `max`. The same list is returned when nothing changes.
 *
 *   withFix([], gps.fix)        // [] without a fix, else that one fix
 */
export function withFix(fixes: readonly TimedFix[], fix: Fix | null, max = RECENT_FIXES): readonly TimedFix[] {
  if (!fix) return fixes;
  const last = fixes.at(-1);
  if (last && Date.parse(last.ts) >= fix.timestamp) return fixes;
  return [...fixes, { lat: fix.lat, lng: fix.lng, ts: new Date(fix.timestamp).toISOString() }].slice(-max);
}
