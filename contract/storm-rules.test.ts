import { describe, expect, it } from 'vitest';
import {
  addMonths,
  bandFor,
  installmentSchedule,
  isEligible,
  NOT_REACHED_REASON,
  stormOutcome,
  visitPriceCents,
  type InchBand,
} from './storm-rules';

const BANDS: InchBand[] = [
  { from_in: 2, to_in: 4, price_cents: 4000 },
  { from_in: 4, to_in: 8, price_cents: 6000 },
  { from_in: 8, to_in: null, price_cents: 9000 },
];

describe('visitPriceCents', () => {
  it('prices a per-inch visit by the band the depth falls in, band edges going to the deeper band', () => {
    const contract = { kind: 'per_inch' as const, per_push_price_cents: null, per_inch_bands: BANDS };
    expect(visitPriceCents(contract, 2)).toBe(4000);
    expect(visitPriceCents(contract, 3.5)).toBe(4000);
    expect(visitPriceCents(contract, 4)).toBe(6000);
    expect(visitPriceCents(contract, 7.5)).toBe(6000);
    expect(visitPriceCents(contract, 8)).toBe(9000);
    expect(visitPriceCents(contract, 30)).toBe(9000);
    expect(visitPriceCents(contract, 1)).toBe(0);
  });

  it('charges the per-push price whatever the depth, and nothing per visit on a seasonal contract', () => {
    expect(visitPriceCents({ kind: 'per_push', per_push_price_cents: 7500, per_inch_bands: null }, 12)).toBe(7500);
    expect(visitPriceCents({ kind: 'seasonal', per_push_price_cents: null, per_inch_bands: null }, 12)).toBe(0);
  });

  it('finds no band below the first', () => {
    expect(bandFor(BANDS, 1.5)).toBeNull();
  });
});

describe('isEligible', () => {
  const contract = {
    status: 'active' as const,
    accepted_at: new Date('2026-10-01T00:00:00Z'),
    trigger_depth_in: 2,
    season_start: '2026-11-01',
    season_end: '2027-04-15',
  };

  it('sends a plow when active, accepted, deep enough and in season (season days inclusive)', () => {
    expect(isEligible(contract, 2, '2026-11-01')).toBe(true);
    expect(isEligible(contract, 6, '2027-04-15')).toBe(true);
  });

  it('skips a shallow storm, a storm out of season, a paused or unaccepted contract', () => {
    expect(isEligible(contract, 1.5, '2026-12-10')).toBe(false);
    expect(isEligible(contract, 6, '2026-10-31')).toBe(false);
    expect(isEligible(contract, 6, '2027-04-16')).toBe(false);
    expect(isEligible({ ...contract, status: 'paused' }, 6, '2026-12-10')).toBe(false);
    expect(isEligible({ ...contract, accepted_at: null }, 6, '2026-12-10')).toBe(false);
  });
});

describe('installmentSchedule', () => {
  it('splits the price into monthly installments that add up, odd cents first', () => {
    const plan = installmentSchedule(100_00, 3, '2026-11-01');
    expect(plan).toEqual([
      { seq: 1, due_on: '2026-11-01', amount_cents: 3334 },
      { seq: 2, due_on: '2026-12-01', amount_cents: 3333 },
      { seq: 3, due_on: '2027-01-01', amount_cents: 3333 },
    ]);
    expect(plan.reduce((s, i) => s + i.amount_cents, 0)).toBe(100_00);
  });

  it('keeps month-end due dates inside shorter months', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-12-15', 2)).toBe('2028-02-15');
  });
});

describe('stormOutcome', () => {
  const base = {
    deadline_at: new Date('2026-12-10T11:00:00Z'),
    completed_at: null,
    cancellation_reason: null,
  };

  it('counts a completion after the deadline as late, at or before it as on time', () => {
    expect(stormOutcome({ ...base, status: 'completed', completed_at: new Date('2026-12-10T11:00:01Z') })).toEqual({
      kind: 'done',
      late: true,
    });
    expect(stormOutcome({ ...base, status: 'completed', completed_at: new Date('2026-12-10T11:00:00Z') })).toEqual({
      kind: 'done',
      late: false,
    });
  });

  it('tells a cancellation from a property the closing storm never reached', () => {
    expect(stormOutcome({ ...base, status: 'cancelled', cancellation_reason: 'Customer shovelled' })).toEqual({
      kind: 'skipped',
      reason: 'cancelled',
    });
    expect(stormOutcome({ ...base, status: 'cancelled', cancellation_reason: NOT_REACHED_REASON })).toEqual({
      kind: 'skipped',
      reason: 'not_reached',
    });
    expect(stormOutcome({ ...base, status: 'in_progress' })).toEqual({ kind: 'open' });
  });
});
