import { describe, expect, it } from 'vitest';
import { detectTimeOnSite, distanceMeters, geofenceRadiusMeters, tapDifferenceSeconds } from './time-on-site';

const SITE = { lat: 43.2, lng: -71.54 };
const M_PER_DEG_LAT = 111_195;
const T0 = Date.parse('2026-01-10T06:00:00Z');
/** A fix `metres` north of the site, `seconds` after T0. */
const fix = (seconds: number, metres: number) => ({
  lat: SITE.lat + metres / M_PER_DEG_LAT,
  lng: SITE.lng,
  recorded_at: new Date(T0 + seconds * 1000).toISOString(),
});
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

describe('geofence radius by tier', () => {
  it('grows with the driveway and stays sane for odd tiers', () => {
    expect(geofenceRadiusMeters(1)).toBe(40);
    expect(geofenceRadiusMeters(6)).toBe(90);
    expect(geofenceRadiusMeters(null)).toBe(40);
    expect(geofenceRadiusMeters(-3)).toBe(40);
    expect(geofenceRadiusMeters(999)).toBe(140);
  });
});

describe('distanceMeters', () => {
  it('measures a known distance within a metre', () => {
    expect(Math.abs(distanceMeters(SITE, fix(0, 500)) - 500)).toBeLessThan(1);
  });
});

describe('detectTimeOnSite', () => {
  it('finds arrival and departure and ignores a short step outside', () => {
    const track = [
      fix(0, 600),
      fix(20, 300),
      fix(40, 80),
      fix(50, 30),
      fix(60, 10),
      fix(300, 70), // backing into the road to turn: outside for 10 s
      fix(310, 12),
      fix(600, 8),
      fix(610, 120),
      fix(620, 400),
    ];
    // Given in a shuffled order: the device time decides.
    const r = detectTimeOnSite([...track].reverse(), SITE, 50);
    expect(r).toMatchObject({ arrived_at: at(50), departed_at: at(610), seconds_on_site: 560 });
    expect(r.visits).toHaveLength(1);
  });

  it('counts two visits when the truck left for longer than the grace period', () => {
    const r = detectTimeOnSite(
      [fix(0, 10), fix(100, 10), fix(110, 500), fix(400, 10), fix(500, 10), fix(510, 300)],
      SITE,
      50,
    );
    expect(r.visits.map((v) => v.seconds)).toEqual([110, 110]);
    expect(r).toMatchObject({ arrived_at: at(0), departed_at: at(510), seconds_on_site: 220 });
  });

  it('has no departure while the truck is still inside, and nothing for a track that never came close', () => {
    expect(detectTimeOnSite([fix(0, 300), fix(10, 20), fix(70, 20)], SITE, 50)).toMatchObject({
      arrived_at: at(10),
      departed_at: null,
      seconds_on_site: 60,
    });
    expect(detectTimeOnSite([fix(0, 300), fix(10, 200)], SITE, 50)).toMatchObject({
      arrived_at: null,
      departed_at: null,
      seconds_on_site: 0,
      visits: [],
    });
  });
});

describe('tapDifferenceSeconds', () => {
  it('is positive when the tap came after the GPS, and null without both', () => {
    expect(tapDifferenceSeconds(at(90), at(60))).toBe(30);
    expect(tapDifferenceSeconds(at(0), at(60))).toBe(-60);
    expect(tapDifferenceSeconds(null, at(60))).toBeNull();
  });
});
