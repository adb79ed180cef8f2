import { z } from 'zod';
import { ApiError } from '../lib/errors';

export interface GeocodeEnv {
  GOOGLE_MAPS_API_KEY?: string;
  /** Base URL of Google's API (tests point it at a local stand-in). */
  GOOGLE_GEOCODE_URL?: string;
  /** A Nominatim-compatible search endpoint, used when no Google key is set. */
  NOMINATIM_URL?: string;
}

export interface GeocodeResult {
  lat: number;
  lng: number;
  formatted_address: string | null;
}

const GoogleResponse = z.object({
  status: z.string(),
  results: z.array(
    z.object({
      formatted_address: z.string().optional(),
      geometry: z.object({ location: z.object({ lat: z.number(), lng: z.number() }) }),
    }),
  ),
});
const NominatimResponse = z.array(
  z.object({ lat: z.coerce.number(), lon: z.coerce.number(), display_name: z.string().optional() }),
);

const UNREACHABLE = () =>
  new ApiError(
    422,
    'geocoding_failed',
    'We could not find that address on the map: put a pin on the map where the driveway is.',
  );

/**
 * Address → coordinates. Google's Geocoding API when a key is configured (the seed's
 * provider), otherwise a Nominatim-compatible service. Failure is a 422 that asks for a
 * map pin, never a 500.
 */
export async function geocode(env: GeocodeEnv, address: string): Promise<GeocodeResult> {
  try {
    if (env.GOOGLE_MAPS_API_KEY) {
      const url = new URL(env.GOOGLE_GEOCODE_URL ?? 'https://maps.googleapis.com/maps/api/geocode/json');
      url.searchParams.set('address', address);
      url.searchParams.set('key', env.GOOGLE_MAPS_API_KEY);
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = GoogleResponse.safeParse(await res.json());
      const first = body.success && body.data.status === 'OK' ? body.data.results[0] : undefined;
      if (!first) throw UNREACHABLE();
      return {
        lat: first.geometry.location.lat,
        lng: first.geometry.location.lng,
        formatted_address: first.formatted_address ?? null,
      };
    }
    const url = new URL(env.NOMINATIM_URL ?? 'https://nominatim.openstreetmap.org/search');
    url.searchParams.set('q', address);
    url.searchParams.set('format', 'json');
    url.searchParams.set('limit', '1');
    const res = await fetch(url, { headers: { 'user-agent': 'PlowDispatch/1.0' }, signal: AbortSignal.timeout(5000) });
    const body = NominatimResponse.safeParse(await res.json());
    const first = body.success ? body.data[0] : undefined;
    if (!first) throw UNREACHABLE();
    return { lat: first.lat, lng: first.lon, formatted_address: first.display_name ?? null };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw UNREACHABLE();
  }
}
