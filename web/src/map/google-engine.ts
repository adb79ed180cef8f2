import type { MapEngine, MapProps } from './types';

/**
 * Google Maps behind the MapView facade, used when VITE_GOOGLE_MAPS_API_KEY is set (the
 * operator's existing Maps plan, ApexPlow §8). Loaded by script tag; typed loosely on
 * purpose so the app does not carry @types/google.maps for an optional engine.
 */

// biome-ignore lint/suspicious/noExplicitAny: typed loosely on purpose (see above).
type G = any;

let loading: Promise<G> | null = null;

function loadGoogle(key: string): Promise<G> {
  loading ??= new Promise((resolve, reject) => {
    const cb = `__plowGoogleReady${Date.now()}`;
    (window as unknown as Record<string, unknown>)[cb] = () => resolve((window as unknown as { google: G }).google);
    const s = document.createElement('script');
    s.src = `https://maps.googleapis.com/maps/api/js?key=${encodeURIComponent(key)}&v=weekly&callback=${cb}`;
    s.async = true;
    s.onerror = () => reject(new Error('Google Maps did not load'));
    document.head.append(s);
  });
  return loading;
}

export async function createEngine(container: HTMLElement, initial: MapProps): Promise<MapEngine> {
  const google = await loadGoogle(import.meta.env.VITE_GOOGLE_MAPS_API_KEY as string);
  const map = new google.maps.Map(container, {
    center: initial.center,
    zoom: 12,
    disableDefaultUI: true,
    zoomControl: true,
  });
  const markers = new Map<string, G>();
  let circle: G = null;
  let props = initial;
  map.addListener('click', (e: G) => props.onPick?.({ lat: e.latLng.lat(), lng: e.latLng.lng() }));
  // As on MapLibre: keep the markers in view until the user drags the map.
  let userMoved = false;
  map.addListener('dragstart', () => {
    userMoved = true;
  });
  let trail: G = null;
  const update = (next: MapProps) => {
    props = next;
    const seen = new Set<string>();
    for (const m of next.markers) {
      seen.add(m.id);
      const mk = markers.get(m.id) ?? new google.maps.Marker({ map, title: m.label, label: m.tag ?? undefined });
      mk.setPosition({ lat: m.lat, lng: m.lng });
      markers.set(m.id, mk);
    }
    for (const [id, mk] of markers) if (!seen.has(id)) mk.setMap(null), markers.delete(id);
    if (next.circle) {
      circle ??= new google.maps.Circle({ map, strokeColor: '#1d4ed8', fillOpacity: 0.08 });
      circle.setCenter(next.circle.center);
      circle.setRadius(next.circle.radiusMeters);
    } else circle?.setMap(null);
    trail ??= new google.maps.Polyline({ map, strokeColor: '#b45309', strokeOpacity: 0.7, strokeWeight: 4 });
    trail.setPath(next.trail ?? []);
    if (next.follow && !userMoved && next.markers.length > 1) {
      const view = map.getBounds();
      if (!view || next.markers.some((m) => !view.contains(m))) {
        const b = new google.maps.LatLngBounds();
        for (const m of next.markers) b.extend(m);
        map.fitBounds(b, 56);
      }
    }
  };
  update(initial);
  return {
    update,
    destroy: () => {
      for (const m of markers.values()) m.setMap(null);
    },
  };
}
