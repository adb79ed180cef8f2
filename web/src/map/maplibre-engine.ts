import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// MapLibre 6 finds its worker next to its own file, which a bundler does not emit: hand it
// the worker Vite builds for us.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import type { MapEngine, MapMarker, MapProps } from './types';

/** MapLibre GL behind the MapView facade (this module is its own lazy chunk). */

interface PolygonFeature {
  type: 'Feature';
  properties: Record<string, never>;
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
}

const PLAIN_STYLE: maplibregl.StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e8eef6' } }],
};

function circlePolygon(lat: number, lng: number, radiusM: number, steps = 64): PolygonFeature {
  const coords: [number, number][] = [];
  const dLat = (radiusM / 6_371_008.8) * (180 / Math.PI);
  const dLng = dLat / Math.cos((lat * Math.PI) / 180);
  for (let i = 0; i <= steps; i++) {
    const a = (i / steps) * 2 * Math.PI;
    coords.push([lng + dLng * Math.cos(a), lat + dLat * Math.sin(a)]);
  }
  return { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [coords] } };
}

function markerElement(m: MapMarker): HTMLElement {
  const el = document.createElement('div');
  el.className = `ml-marker ml-marker--${m.kind}`;
  el.setAttribute('aria-hidden', 'true');
  el.title = m.label;
  el.dataset.marker = m.kind;
  el.dataset.markerId = m.id;
  const tag = document.createElement('span');
  tag.className = 'ml-marker__tag';
  el.append(document.createElement('span'), tag);
  return el;
}

maplibregl.setWorkerUrl(workerUrl);

export async function createEngine(container: HTMLElement, initial: MapProps): Promise<MapEngine> {
  const styleUrl = import.meta.env.VITE_MAP_STYLE_URL as string | undefined;
  const map = new maplibregl.Map({
    container,
    style: styleUrl || PLAIN_STYLE,
    center: [initial.center.lng, initial.center.lat],
    zoom: 12,
    attributionControl: { compact: true },
    cooperativeGestures: true,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  // A style that fails to load (no tiles reachable) leaves the background and markers.
  map.on('error', (e: { error?: { message?: string } }) => console.warn('map:', e.error?.message ?? e));
  const markers = new Map<string, maplibregl.Marker>();
  let props = initial;
  let fitted = false;

  map.on('click', (e: { lngLat: { lat: number; lng: number } }) =>
    props.onPick?.({ lat: e.lngLat.lat, lng: e.lngLat.lng }),
  );

  const drawCircle = () => {
    if (!map.isStyleLoaded()) return;
    const data: { type: 'FeatureCollection'; features: PolygonFeature[] } = {
      type: 'FeatureCollection',
      features: props.circle
        ? [circlePolygon(props.circle.center.lat, props.circle.center.lng, props.circle.radiusMeters)]
        : [],
    };
    const src = map.getSource('area') as maplibregl.GeoJSONSource | undefined;
    if (src) src.setData(data);
    else {
      map.addSource('area', { type: 'geojson', data });
      map.addLayer({
        id: 'area-fill',
        type: 'fill',
        source: 'area',
        paint: { 'fill-color': '#1d4ed8', 'fill-opacity': 0.08 },
      });
      map.addLayer({
        id: 'area-line',
        type: 'line',
        source: 'area',
        paint: { 'line-color': '#1d4ed8', 'line-width': 2, 'line-dasharray': [2, 2] },
      });
    }
  };

  const update = (next: MapProps) => {
    props = next;
    const seen = new Set<string>();
    for (const m of next.markers) {
      seen.add(m.id);
      let mk = markers.get(m.id);
      if (!mk) {
        mk = new maplibregl.Marker({ element: markerElement(m) }).setLngLat([m.lng, m.lat]).addTo(map);
        markers.set(m.id, mk);
      }
      mk.setLngLat([m.lng, m.lat]);
      const el = mk.getElement();
      el.dataset.lat = String(m.lat);
      el.dataset.lng = String(m.lng);
      el.title = m.label;
      el.querySelector('.ml-marker__tag')!.textContent = m.tag ?? '';
      if (m.heading != null) mk.setRotation(m.heading);
    }
    for (const [id, mk] of markers) if (!seen.has(id)) mk.remove(), markers.delete(id);
    drawCircle();
    if (!fitted) {
      const pts = [next.center, ...next.markers];
      if (next.circle) {
        const r = next.circle.radiusMeters / 111_320;
        pts.push(
          { lat: next.circle.center.lat + r, lng: next.circle.center.lng + r },
          { lat: next.circle.center.lat - r, lng: next.circle.center.lng - r },
        );
      }
      if (pts.length > 1) {
        const b = new maplibregl.LngLatBounds();
        for (const p of pts) b.extend([p.lng, p.lat]);
        map.fitBounds(b, { padding: 40, maxZoom: 15, duration: 0 });
      }
      fitted = true;
    }
  };

  await new Promise<void>((resolve) => {
    if (map.loaded()) resolve();
    map.once('load', () => resolve());
    // A style that never loads must not keep the plane from being replaced forever.
    setTimeout(resolve, 4000);
  });
  map.on('styledata', drawCircle);
  update(initial);
  return { update, destroy: () => map.remove() };
}
