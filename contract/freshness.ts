/**
 * How much to trust a position, by its age. One grading for every screen that shows one
 * (the customer's plow, the admin's fleet map, the driver's own "sharing" card), so a
 * driver out of coverage never shows under a green "Live".
 */
export const FRESHNESS = ['live', 'delayed', 'lost'] as const;
export type Freshness = (typeof FRESHNESS)[number];

/** A fix younger than this is live (phones send every 5 s while moving). */
export const LIVE_FOR_SECONDS = 15;
/** After this long without a fix the position is lost: shown as where the plow was last seen. */
export const LOST_AFTER_SECONDS = 5 * 60;

/** `null` (no fix at all) counts as lost. */
export function freshnessOf(ageSeconds: number | null): Freshness {
  if (ageSeconds === null || !Number.isFinite(ageSeconds)) return 'lost';
  if (ageSeconds < LIVE_FOR_SECONDS) return 'live';
  if (ageSeconds <= LOST_AFTER_SECONDS) return 'delayed';
  return 'lost';
}
