import { describe, expect, it } from 'vitest';
import { distanceMeters, offsetMeters } from './geo';

describe('distanceMeters', () => {
  it('measures one degree of latitude as about 111 km', () => {
    expect(distanceMeters({ lat: 43, lng: -71 }, { lat: 44, lng: -71 })).toBeCloseTo(111_195, -2);
  });

  it('is zero for the same point', () => {
    expect(distanceMeters({ lat: 43.2, lng: -71.5 }, { lat: 43.2, lng: -71.5 })).toBe(0);
  });
});

describe('offsetMeters', () => {
  it('puts a point north-east of the origin at positive x and y', () => {
    const o = offsetMeters({ lat: 43.2001, lng: -71.5452 }, { lat: 43.215, lng: -71.53 });
    expect(o.x).toBeGreaterThan(1000);
    expect(o.y).toBeGreaterThan(1000);
    expect(Math.hypot(o.x, o.y)).toBeCloseTo(
      distanceMeters({ lat: 43.2001, lng: -71.5452 }, { lat: 43.215, lng: -71.53 }),
      -1,
    );
  });
});
