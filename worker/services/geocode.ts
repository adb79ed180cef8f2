import { z } from 'zod';
import type { AddressSuggestion, AddressSuggestions } from '../../contract/responses';
import { ApiError } from '../lib/errors';
import { log } from '../lib/log';

export interface GeocodeEnv {
  GOOGLE_MAPS_API_KEY?: string;
  /** Base URL of Google's API (tests point it at a local stand-in). */
  GOOGLE_GEOCODE_URL?: string;
  /** Google's Places Autocomplete (New) endpoint (tests point it at a local stand-in). */
  GOOGLE_PLACES_URL?: string;
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

/** Where suggestions lean: the operator's base and service radius. */
export interface SuggestNear {
  lat: number;
  lng: number;
  radius_miles: number;
}

const SUGGESTIONS = 5;
/** Suggestions come while someone types: a slow provider is skipped, not waited for. */
const SUGGEST_TIMEOUT_MS = 2500;
/** Places Autocomplete accepts a bias circle of at most 50 km. */
const MAX_BIAS_METERS = 50_000;

const PlacesResponse = z.object({
  suggestions: z
    .array(
      z.object({
        placePrediction: z
          .object({
            text: z.object({ text: z.string() }),
            structuredFormat: z
              .object({
                mainText: z.object({ text: z.string() }),
                secondaryText: z.object({ text: z.string() }).optional(),
              })
              .optional(),
          })
          .optional(),
      }),
    )
    .optional(),
});

const NominatimSuggestResponse = z.array(
  z.object({
    display_name: z.string(),
    /** Nominatim leaves out the parts a place does not have. */
    address: z
      .object({
        house_number: z.string(),
        road: z.string(),
        city: z.string(),
        town: z.string(),
        village: z.string(),
        hamlet: z.string(),
        state: z.string(),
        postcode: z.string(),
      })
      .partial()
      .optional(),
  }),
);

/** "Concord, NH, USA" → city and state; the country is dropped. */
function placeParts(secondary: string | undefined): Pick<AddressSuggestion, 'city' | 'state_province'> {
  const parts = (secondary ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return { city: parts[0] ?? null, state_province: parts.length > 2 ? (parts[1] ?? null) : null };
}

async function googleSuggestions(env: GeocodeEnv, key: string, input: string, near: SuggestNear | null) {
  const res = await fetch(env.GOOGLE_PLACES_URL || 'https://places.googleapis.com/v1/places:autocomplete', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': key },
    body: JSON.stringify({
      input,
      ...(near && {
        locationBias: {
          circle: {
            center: { latitude: near.lat, longitude: near.lng },
            radius: Math.min(MAX_BIAS_METERS, near.radius_miles * 1609.344),
          },
        },
      }),
    }),
    signal: AbortSignal.timeout(SUGGEST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`places autocomplete answered ${res.status}`);
  const body = PlacesResponse.parse(await res.json());
  return (body.suggestions ?? []).flatMap(({ placePrediction: p }): AddressSuggestion[] =>
    p
      ? [
          {
            description: p.text.text,
            address_line1: p.structuredFormat?.mainText.text ?? p.text.text.split(',')[0]!.trim(),
            ...placeParts(p.structuredFormat?.secondaryText?.text),
            postal_code: null,
          },
        ]
      : [],
  );
}

async function nominatimSuggestions(url: string, input: string, near: SuggestNear | null) {
  const u = new URL(url);
  u.searchParams.set('q', input);
  u.searchParams.set('format', 'json');
  u.searchParams.set('addressdetails', '1');
  u.searchParams.set('limit', String(SUGGESTIONS));
  if (near) {
    const dLat = near.radius_miles / 69;
    const dLng = dLat / Math.max(0.1, Math.cos((near.lat * Math.PI) / 180));
    u.searchParams.set('viewbox', [near.lng - dLng, near.lat + dLat, near.lng + dLng, near.lat - dLat].join(','));
  }
  const res = await fetch(u, {
    headers: { 'user-agent': 'PlowDispatch/1.0' },
    signal: AbortSignal.timeout(SUGGEST_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`nominatim answered ${res.status}`);
  return NominatimSuggestResponse.parse(await res.json()).map(
    ({ display_name, address: a = {} }): AddressSuggestion => ({
      description: display_name,
      address_line1: [a.house_number, a.road].filter(Boolean).join(' ') || display_name.split(',')[0]!.trim(),
      city: a.city ?? a.town ?? a.village ?? a.hamlet ?? null,
      state_province: a.state ?? null,
      postal_code: a.postcode ?? null,
    }),
  );
}

/**
 * Addresses matching what someone has typed, leaning towards the service area: Google's
 * Places Autocomplete when a key is configured, else the operator's own Nominatim-compatible
 * service when `NOMINATIM_URL` names one (the public OpenStreetMap server forbids
 * autocomplete), else none (`provider: null`). A provider that fails or is slow gives no
 * suggestions — typing the address and geocoding it on save still works.
 */
export async function suggestAddresses(
  env: GeocodeEnv,
  input: string,
  near: SuggestNear | null,
): Promise<AddressSuggestions> {
  const provider = env.GOOGLE_MAPS_API_KEY ? 'google' : env.NOMINATIM_URL ? 'nominatim' : null;
  if (!provider) return { provider, suggestions: [] };
  try {
    const suggestions =
      provider === 'google'
        ? await googleSuggestions(env, env.GOOGLE_MAPS_API_KEY!, input, near)
        : await nominatimSuggestions(env.NOMINATIM_URL!, input, near);
    return { provider, suggestions: suggestions.slice(0, SUGGESTIONS) };
  } catch (err) {
    log.warn({ msg: 'address suggestions unavailable', provider, err: String(err) });
    return { provider, suggestions: [] };
  }
}
