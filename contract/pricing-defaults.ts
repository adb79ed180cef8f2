/**
 * 2026 New England reference rates (ApexPlow §3.9), pre-filled in the admin onboarding
 * wizard and offered again on the pricing page. The operator edits them before saving.
 */
export const NE_2026_TIERS = [
  { tier_label: '1-Car Driveway', price_cents: 6500, sort_order: 1 },
  { tier_label: '2-Car Driveway', price_cents: 8500, sort_order: 2 },
  { tier_label: '3-Car Driveway', price_cents: 10500, sort_order: 3 },
  { tier_label: '4-Car Driveway', price_cents: 12500, sort_order: 4 },
  { tier_label: '5-Car Driveway', price_cents: 14500, sort_order: 5 },
  { tier_label: '6-Car Driveway', price_cents: 16500, sort_order: 6 },
] as const;

/** The radius slider's bounds (miles). */
export const SERVICE_RADIUS_MILES = { min: 1, max: 50 } as const;
