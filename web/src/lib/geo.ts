/** Small geometry for the live map: no tiles, just metres around a centre point. */

export interface LatLng {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres. */
export function distanceMeters(a: LatLng, b: LatLng): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Metres east (`x`) and north (`y`) of `origin` — an equirectangular projection, exact
 * enough for the few kilometres a plow's approach covers.
 */
export function offsetMeters(origin: LatLng, p: LatLng): { x: number; y: number } {
  return {
    x: rad(p.lng - origin.lng) * EARTH_RADIUS_M * Math.cos(rad(origin.lat)),
    y: rad(p.lat - origin.lat) * EARTH_RADIUS_M,
  };
}

export const METERS_PER_MILE = 1609.344;
export const FEET_PER_METER = 3.28084;
