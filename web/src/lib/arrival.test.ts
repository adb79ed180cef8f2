import { describe, expect, it } from 'vitest';
import { ARRIVING_METERS, TYPICAL_SPEED_MPS, arrivalMinutes, recentSpeed } from './arrival';

const HOME = { lat: 43.2001, lng: -71.5452 };
const NOW = Date.parse('2026-01-10T08:00:00Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();
/** `metersNorth` of the driveway (1° of latitude ≈ 111.2 km). */
const north = (metersNorth: number, secondsAgo: number) => ({
  lat: HOME.lat + metersNorth / 111_195,
  lng: HOME.lng,
  ts: at(secondsAgo),
});

describe('recentSpeed', () => {
  it('is the path driven over the time it took', () => {
    expect(recentSpeed([north(3000, 60), north(2400, 30), north(1800, 0)])).toBeCloseTo(20, 0);
  });

  it('is unknown from one fix, or from fixes at the same moment', () => {
    expect(recentSpeed([north(1000, 0)])).toBeNull();
    expect(recentSpeed([north(1000, 0), north(900, 0)])).toBeNull();
  });

  it('ignores fixes older than three minutes', () => {
    // Parked for ten minutes, then 10 m/s over the last minute.
    expect(recentSpeed([north(5000, 600), north(2000, 60), north(1400, 0)])).toBeCloseTo(10, 0);
  });
});

describe('arrivalMinutes', () => {
  it('takes the storm route’s estimate when there is one', () => {
    const eta = new Date(NOW + 17.2 * 60_000).toISOString();
    expect(arrivalMinutes({ now: NOW, home: HOME, fixes: [north(500, 0)], routeEta: eta })).toMatchObject({
      minutes: 18,
      source: 'route',
    });
  });

  it('says at least one minute for a route estimate already due', () => {
    const eta = new Date(NOW - 5 * 60_000).toISOString();
    expect(arrivalMinutes({ now: NOW, home: HOME, fixes: [], routeEta: eta })).toMatchObject({ minutes: 1 });
  });

  it('divides the road distance left by the recent speed', () => {
    // 2 400 m straight, ×1.3 on the road = 3 120 m at 10 m/s = 5.2 min → 6.
    const fixes = [north(3000, 60), north(2700, 30), north(2400, 0)];
    const a = arrivalMinutes({ now: NOW, home: HOME, fixes });
    expect(a).toMatchObject({ minutes: 6, source: 'speed' });
    expect(a!.meters).toBeCloseTo(2400, -1);
  });

  it('assumes a town speed when the plow is standing still or has one fix', () => {
    const still = arrivalMinutes({ now: NOW, home: HOME, fixes: [north(2400, 60), north(2400, 0)] });
    const one = arrivalMinutes({ now: NOW, home: HOME, fixes: [north(2400, 0)] });
    const expected = Math.ceil((2400 * 1.3) / TYPICAL_SPEED_MPS / 60);
    expect(still).toMatchObject({ minutes: expected, source: 'typical' });
    expect(one).toMatchObject({ minutes: expected, source: 'typical' });
  });

  it('says arriving (0) at the end of the driveway, and never less than a minute before', () => {
    expect(arrivalMinutes({ now: NOW, home: HOME, fixes: [north(ARRIVING_METERS - 10, 0)] })!.minutes).toBe(0);
    const fast = [north(400, 10), north(200, 0)];
    expect(arrivalMinutes({ now: NOW, home: HOME, fixes: fast })!.minutes).toBe(1);
  });

  it('has no estimate without a fix or a route', () => {
    expect(arrivalMinutes({ now: NOW, home: HOME, fixes: [] })).toBeNull();
  });
});
