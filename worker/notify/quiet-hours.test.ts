import { describe, expect, it } from 'vitest';
import { inQuietHours, quietHoursEnd } from './quiet-hours';

const NY = { timezone: 'America/New_York', quiet_hours_start: 21, quiet_hours_end: 7 };

describe('quietHoursEnd', () => {
  it('holds a message sent at 22:30 New York time until 07:00 the next morning', () => {
    expect(quietHoursEnd(new Date('2026-12-01T03:30:00Z'), NY)?.toISOString()).toBe('2026-12-01T12:00:00.000Z');
  });

  it('holds a message sent at 02:00 until 07:00 the same day', () => {
    expect(quietHoursEnd(new Date('2026-12-01T07:00:00Z'), NY)?.toISOString()).toBe('2026-12-01T12:00:00.000Z');
  });

  it('lets a message through in the daytime, at the end hour itself, and when quiet hours are off', () => {
    expect(quietHoursEnd(new Date('2026-12-01T17:00:00Z'), NY)).toBeNull();
    expect(quietHoursEnd(new Date('2026-12-01T12:00:00Z'), NY)).toBeNull();
    expect(quietHoursEnd(new Date('2026-12-01T03:30:00Z'), { ...NY, quiet_hours_start: null })).toBeNull();
  });

  it('follows daylight saving time (07:00 EDT is 11:00 UTC)', () => {
    expect(quietHoursEnd(new Date('2026-07-01T02:30:00Z'), NY)?.toISOString()).toBe('2026-07-01T11:00:00.000Z');
  });

  it('handles a window that does not wrap midnight', () => {
    expect(inQuietHours(13, 12, 14)).toBe(true);
    expect(inQuietHours(14, 12, 14)).toBe(false);
    expect(inQuietHours(5, 5, 5)).toBe(false);
  });
});
