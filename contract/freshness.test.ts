import { describe, expect, it } from 'vitest';
import { freshnessOf, LIVE_FOR_SECONDS, LOST_AFTER_SECONDS } from './freshness';

describe('freshnessOf', () => {
  it('grades a position live, then delayed, then lost as it ages', () => {
    expect(freshnessOf(0)).toBe('live');
    expect(freshnessOf(LIVE_FOR_SECONDS - 1)).toBe('live');
    expect(freshnessOf(LIVE_FOR_SECONDS)).toBe('delayed');
    expect(freshnessOf(61)).toBe('delayed');
    expect(freshnessOf(LOST_AFTER_SECONDS)).toBe('delayed');
    expect(freshnessOf(LOST_AFTER_SECONDS + 1)).toBe('lost');
  });

  it('counts no position, or an unreadable time, as lost', () => {
    expect(freshnessOf(null)).toBe('lost');
    expect(freshnessOf(Number.NaN)).toBe('lost');
  });
});
