import type { LatLng, Leg, MatrixFill, TravelFn } from './types';

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres. */
export function haversineMeters(a: LatLng, b: LatLng): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLng = (b.lng - a.lng) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The default travel model: straight-line distance stretched by a road factor, driven at an
 * average storm speed. Crude but monotone and symmetric, which is what the planner needs to
 * rank routes; swap in a road-network lookup with the same signature when one exists.
 */
export function roadTravel(opts: { roadFactor?: number; speedKmh?: number } = {}): TravelFn {
  const factor = opts.roadFactor ?? 1.3;
  const metersPerMinute = ((opts.speedKmh ?? 40) * 1000) / 60;
  const leg = (from: LatLng, to: LatLng): Leg => {
    const meters = haversineMeters(from, to) * factor;
    return { meters, minutes: meters / metersPerMinute };
  };
  return Object.assign(leg, { fill: haversineFill(factor, metersPerMinute) });
}

/**
 * The same great-circle distance for every pair at once, from unit vectors: the chord c
 * between two points gives the angle 2·asin(c/2), which is what the haversine formula
 * computes, with no trigonometry per pair.
 */
function haversineFill(factor: number, metersPerMinute: number): MatrixFill {
  return (points, meters, minutes) => {
    const n = points.length;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const z = new Float64Array(n);
    const toRad = Math.PI / 180;
    for (let i = 0; i < n; i++) {
      const lat = points[i]!.lat * toRad;
      const lng = points[i]!.lng * toRad;
      x[i] = Math.cos(lat) * Math.cos(lng);
      y[i] = Math.cos(lat) * Math.sin(lng);
      z[i] = Math.sin(lat);
    }
    const scale = 2 * EARTH_RADIUS_M * factor;
    const perMinute = 1 / metersPerMinute;
    // Row by row over every pair (twice the arithmetic of a triangle, but sequential writes,
    // which is what matters at two million pairs).
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      const yi = y[i]!;
      const zi = z[i]!;
      const row = i * n;
      for (let j = 0; j < n; j++) {
        const dx = xi - x[j]!;
        const dy = yi - y[j]!;
        const dz = zi - z[j]!;
        const h = Math.sqrt(dx * dx + dy * dy + dz * dz) / 2;
        // asin(h) by its series while h is small (under ~130 km: error below 1e-11 relative).
        const angle = h < 0.01 ? h + (h * h * h) / 6 + (3 * h * h * h * h * h) / 40 : Math.asin(Math.min(1, h));
        const d = scale * angle;
        meters[row + j] = d;
        minutes[row + j] = d * perMinute;
      }
    }
  };
}
