import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// MapLibre 6 finds its worker next to its own file, which a bundler does not emit: hand it
// the worker Vite builds for us.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url';
import { basemapStyle, onSchemeChange } from './basemap';
import { spreadTags } from './tags';
import type { MapEngine, MapMarker, MapProps } from './types';

/** MapLibre GL behind the MapView facade (this module is its own lazy chunk). */

interface PolygonFeature {
  type: 'Feature';
  properties: Record<string, never>;
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
}

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
  const basemap = await basemapStyle(container, initial.center);
  container.dataset.basemap = basemap.kind;
  const map = new maplibregl.Map({
    container,
    style: basemap.style,
    center: [initial.center.lng, initial.center.lat],
    zoom: 12,
    attributionControl: { compact: true },
    cooperativeGestures: true,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'imperial' }), 'bottom-left');
  const stopScheme = onSchemeChange(async () => map.setStyle((await basemapStyle(container, props.center)).style));
  // A style that fails to load (no tiles reachable) leaves the background and markers.
  map.on('error', (e: { error?: { message?: string } }) => console.warn('map:', e.error?.message ?? e));
  const markers = new Map<string, maplibregl.Marker>();
  let props = initial;

  // Tags of markers close on screen are pushed apart (12 px type on 16 px lines), again
  // whenever the view moves: at most once a frame.
  let spreadQueued = false;
  const spread = () => {
    spreadQueued = false;
    const shown = [...markers.values()].map((mk) => ({
      tag: mk.getElement().querySelector<HTMLElement>('.ml-marker__tag')!,
      at: map.project(mk.getLngLat()),
    }));
    const offsets = spreadTags(
      shown.map(({ tag, at }) => (tag.textContent ? { x: at.x, y: at.y } : null)),
      { line: 16, width: 110 },
    );
    shown.forEach(({ tag }, i) => {
      tag.style.transform = offsets[i] ? `translateY(${offsets[i]}px)` : '';
    });
  };
  const queueSpread = () => {
    if (spreadQueued) return;
    spreadQueued = true;
    requestAnimationFrame(spread);
  };
  map.on('move', queueSpread);
  let fitted = false;
  // The user took the map over (dragged, or zoomed by hand): stop re-fitting it for them.
  let userMoved = false;
  map.on('dragstart', () => {
    userMoved = true;
  });
  map.on('zoomstart', (e: { originalEvent?: unknown }) => {
    if (e.originalEvent) userMoved = true;
  });
  const calm = () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

  map.on('click', (e: { lngLat: { lat: number; lng: number } }) =>
    props.onPick?.({ lat: e.lngLat.lat, lng: e.lngLat.lng }),
  );

  /**
   * Sets a GeoJSON source's data, adding the source and its layers the first time the style
   * can take them (`canAdd`, asked once per drawing pass: see `drawShapes`).
   */
  const setSource = (
    id: string,
    data: maplibregl.GeoJSONSourceSpecification['data'],
    layers: Omit<maplibregl.LayerSpecification, 'source'>[],
    canAdd: boolean,
  ) => {
    const src = map.getSource(id) as maplibregl.GeoJSONSource | undefined;
    if (src) return src.setData(data);
    if (!canAdd) return;
    map.addSource(id, { type: 'geojson', data });
    for (const layer of layers) map.addLayer({ ...layer, source: id } as maplibregl.LayerSpecification);
  };

  const drawCircle = (canAdd: boolean) => {
    const circle = props.circle;
    const features: PolygonFeature[] = circle
      ? [circlePolygon(circle.center.lat, circle.center.lng, circle.radiusMeters)]
      : [];
    setSource(
      'area',
      { type: 'FeatureCollection', features },
      [
        { id: 'area-fill', type: 'fill', paint: { 'fill-color': '#1d4ed8', 'fill-opacity': 0.08 } },
        {
          id: 'area-line',
          type: 'line',
          paint: { 'line-color': '#1d4ed8', 'line-width': 2, 'line-dasharray': [2, 2] },
        },
      ],
      canAdd,
    );
  };

  const drawTrail = (canAdd: boolean) => {
    const coords = (props.trail ?? []).map((p): [number, number] => [p.lng, p.lat]);
    setSource(
      'trail',
      coords.length > 1
        ? { type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: coords } }
        : { type: 'FeatureCollection', features: [] },
      [
        {
          id: 'trail-line',
          type: 'line',
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: { 'line-color': '#b45309', 'line-width': 4, 'line-opacity': 0.7 },
        },
      ],
      canAdd,
    );
  };

  /**
   * The circle and the trail over whatever style is in. Whether sources can be added is asked
   * once: adding or updating one makes MapLibre report the style as loading until that data
   * is processed, which must not keep the next one out (the trail never appeared otherwise).
   */
  const drawShapes = () => {
    const canAdd = map.isStyleLoaded() === true;
    drawCircle(canAdd);
    drawTrail(canAdd);
  };

  /** Re-fits when a marker is within `EDGE_PX` of the edge, or all of them sit in a quarter of the view. */
  const keepInView = (next: MapProps) => {
    if (!next.follow || userMoved || next.markers.length < 2 || map.isMoving()) return;
    const EDGE_PX = 32;
    const box = map.getContainer();
    const w = box.clientWidth;
    const h = box.clientHeight;
    if (!w || !h) return;
    const px = next.markers.map((m) => map.project([m.lng, m.lat]));
    const xs = px.map((p) => p.x);
    const ys = px.map((p) => p.y);
    const nearEdge = px.some((p) => p.x < EDGE_PX || p.y < EDGE_PX || p.x > w - EDGE_PX || p.y > h - EDGE_PX);
    const bunched = Math.max(...xs) - Math.min(...xs) < w / 4 && Math.max(...ys) - Math.min(...ys) < h / 4;
    if (!nearEdge && !bunched) return;
    const b = new maplibregl.LngLatBounds();
    for (const m of next.markers) b.extend([m.lng, m.lat]);
    map.fitBounds(b, { padding: 56, maxZoom: 17, duration: calm() ? 0 : 700 });
  };

  const update = (next: MapProps) => {
    props = next;
    const seen = new Set<string>();
    for (const m of next.markers) {
      seen.add(m.id);
      let mk = markers.get(m.id);
      if (!mk) {
        const element = markerElement(m);
        const id = m.id;
        element.addEventListener('click', (e) => {
          if (!props.onSelect) return;
          e.stopPropagation();
          props.onSelect(id);
        });
        mk = new maplibregl.Marker({ element }).setLngLat([m.lng, m.lat]).addTo(map);
        markers.set(m.id, mk);
      }
      mk.setLngLat([m.lng, m.lat]);
      const el = mk.getElement();
      el.dataset.lat = String(m.lat);
      el.dataset.lng = String(m.lng);
      el.title = m.label;
      el.classList.toggle('is-selected', m.id === next.selectedId);
      el.style.cursor = next.onSelect ? 'pointer' : '';
      el.querySelector('.ml-marker__tag')!.textContent = m.tag ?? '';
      // The heading turns the dot, not the marker: its tag stays level and readable.
      const dot = el.firstElementChild as HTMLElement;
      dot.style.transform = m.heading != null ? `rotate(${m.heading}deg)` : '';
      dot.classList.toggle('ml-marker__dot--heading', m.heading != null);
    }
    for (const [id, mk] of markers) if (!seen.has(id)) mk.remove(), markers.delete(id);
    queueSpread();
    drawShapes();
    if (fitted) keepInView(next);
    else {
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
        map.fitBounds(b, { padding: 40, maxZoom: next.follow ? 17 : 15, duration: 0 });
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
  map.on('styledata', drawShapes);
  update(initial);
  return {
    update,
    destroy: () => {
      stopScheme();
      map.remove();
    },
  };
}
