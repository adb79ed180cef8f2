import { describe, expect, it } from 'vitest';
import { arrivalMinutes, ROAD_FACTOR, TYPICAL_SPEED_MPS } from '../lib/arrival';
import { RECENT_FIXES, withFix } from './recent-fixes';
import type { Fix } from './use-gps-stream';

const HOME = { lat: 43.2001, lng: -71.5452 };
const NOW = Date.parse('2026-01-10T08:00:00Z');
/** A fix `metersNorth` of the driveway (1° of latitude ≈ 111.2 km), taken `secondsAgo`. */
const north = (metersNorth: number, secondsAgo: number): Fix => ({
  lat: HOME.lat + metersNorth / 111_195,
  lng: HOME.lng,
  accuracy: 10,
  heading: null,
  speed: null,
  timestamp: NOW - secondsAgo * 1000,
});

describe('withFix', () => {
  it('keeps nothing without a fix', () => {
    const none = withFix([], null);
    expect(none).toEqual([]);
    expect(withFix(none, null)).toBe(none);
  });

  it('adds a newer fix on the end, with its device time', () => {
    const one = withFix([], north(2000, 30));
    const two = withFix(one, north(1800, 0));
    expect(two).toHaveLength(2);
    expect(two[1]).toEqual({ lat: north(1800, 0).lat, lng: HOME.lng, ts: '2026-01-10T08:00:00.000Z' });
  });

  it('returns the same list for the same fix or an older one', () => {
    const kept = withFix(withFix([], north(2000, 30)), north(1800, 0));
    expect(withFix(kept, north(1800, 0))).toBe(kept);
    expect(withFix(kept, north(1900, 10))).toBe(kept);
  });

  it('drops the oldest past the limit', () => {
    let kept = withFix([], north(5000, 100));
    for (let i = 99; i >= 0; i--) kept = withFix(kept, north(i * 50, i));
    expect(kept).toHaveLength(RECENT_FIXES);
    expect(kept.at(-1)!.ts).toBe(new Date(NOW).toISOString());
    expect(withFix(kept, north(0, -1), 3)).toHaveLength(3);
  });

  it('gives the arrival estimate the speed the truck has kept', () => {
    const parked = withFix([], north(2400, 0));
    expect(arrivalMinutes({ now: NOW, home: HOME, fixes: parked })).toMatchObject({
      source: 'typical',
      minutes: Math.ceil((2400 * ROAD_FACTOR) / TYPICAL_SPEED_MPS / 60),
    });
    const driving = withFix(withFix(withFix([], north(3600, 60)), north(3000, 30)), north(2400, 0));
    expect(arrivalMinutes({ now: NOW, home: HOME, fixes: driving })).toMatchObject({ source: 'speed', minutes: 3 });
  });
});
