import { layers, namedFlavor } from '@protomaps/basemaps';
import type { GeoJSONSourceSpecification, StyleSpecification } from 'maplibre-gl';
import * as maplibregl from 'maplibre-gl';
import { PMTiles, Protocol } from 'pmtiles';
import { pointAt } from './PlaneMap';
import type { LatLng } from '../lib/geo';

/**
 * What MapLibre draws under the markers, best first (docs/decisions/0084-self-hosted-basemap.md):
 *
 * 1. `VITE_MAP_STYLE_URL`, when the operator names a style of their own (MapTiler, OpenFreeMap…);
 * 2. the operator's own Protomaps archive, read from the Worker by range requests
 *    (`/tiles/basemap.pmtiles`, or `VITE_MAP_TILES`; `npm run tiles:load` puts one in R2),
 *    drawn with the Protomaps light or dark style after the page's colour scheme. No labels:
 *    they need glyph files from the internet, and the app's own markers carry the words;
 * 3. without either, a backdrop: the map colour with a 1 km grid (5 km when zoomed out) and
 *    the scale bar, so the service area and the route still read at their true size.
 *
 * This module is part of the lazy map chunk, never of an app's first load.
 */

export type BasemapKind = 'style-url' | 'archive' | 'backdrop';

export const ARCHIVE_NAME = import.meta.env.VITE_MAP_TILES || 'basemap.pmtiles';

const ATTRIBUTION =
  '<a href="https://protomaps.com">Protomaps</a> © <a href="https://openstreetmap.org/copyright">OpenStreetMap</a>';

let protocol: Protocol | null = null;
/** The archive's header, read once per page: `null` when there is none to read. */
let archive: Promise<string | null> | null = null;

function archiveUrl(): Promise<string | null> {
  archive ??= (async () => {
    const url = new URL(`/tiles/${ARCHIVE_NAME}`, window.location.origin).href;
    if (!protocol) {
      protocol = new Protocol();
      maplibregl.addProtocol('pmtiles', protocol.tile);
    }
    const tiles = new PMTiles(url);
    try {
      await tiles.getHeader();
    } catch {
      return null; // no archive loaded (a fresh install, local development): the backdrop
    }
    protocol.add(tiles);
    return url;
  })();
  return archive;
}

export const prefersDark = () => window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;

/** Calls `then` whenever the page's colour scheme flips; returns the unsubscribe. */
export function onSchemeChange(then: () => void): () => void {
  const query = window.matchMedia?.('(prefers-color-scheme: dark)');
  query?.addEventListener('change', then);
  return () => query?.removeEventListener('change', then);
}

/** The style for this page now, and which of the three it is. */
export async function basemapStyle(
  container: HTMLElement,
  center: LatLng,
): Promise<{ kind: BasemapKind; style: StyleSpecification | string }> {
  const styleUrl = import.meta.env.VITE_MAP_STYLE_URL;
  if (styleUrl) return { kind: 'style-url', style: styleUrl };
  const dark = prefersDark();
  const url = await archiveUrl();
  if (url) {
    return {
      kind: 'archive',
      style: {
        version: 8,
        sources: { protomaps: { type: 'vector', url: `pmtiles://${url}`, attribution: ATTRIBUTION } },
        layers: layers('protomaps', namedFlavor(dark ? 'dark' : 'light'), { lang: 'en' }).filter(
          (l) => l.type !== 'symbol',
        ),
      },
    };
  }
  const css = getComputedStyle(container);
  const colour = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    kind: 'backdrop',
    style: {
      version: 8,
      sources: { grid: { type: 'geojson', data: grid(center) } },
      layers: [
        {
          id: 'background',
          type: 'background',
          paint: { 'background-color': colour('--map-bg', dark ? '#101a2b' : '#e8eef6') },
        },
        {
          id: 'grid-5km',
          type: 'line',
          source: 'grid',
          filter: ['==', ['get', 'every'], 5],
          paint: { 'line-color': colour('--map-grid', dark ? '#22314a' : '#cfd9e6'), 'line-width': 1 },
        },
        {
          id: 'grid-1km',
          type: 'line',
          source: 'grid',
          minzoom: 11,
          filter: ['==', ['get', 'every'], 1],
          paint: {
            'line-color': colour('--map-grid', dark ? '#22314a' : '#cfd9e6'),
            'line-width': 0.5,
            'line-dasharray': [2, 2],
          },
        },
      ],
    },
  };
}

/** North–south and east–west lines every kilometre, 40 km each way from `center`. */
function grid(center: LatLng): GeoJSONSourceSpecification['data'] {
  const REACH_KM = 40;
  const features = [];
  for (let k = -REACH_KM; k <= REACH_KM; k++) {
    const every = k % 5 === 0 ? 5 : 1;
    const ns = [pointAt(center, k * 1000, -REACH_KM * 1000), pointAt(center, k * 1000, REACH_KM * 1000)];
    const ew = [pointAt(center, -REACH_KM * 1000, k * 1000), pointAt(center, REACH_KM * 1000, k * 1000)];
    for (const line of [ns, ew]) {
      features.push({
        type: 'Feature' as const,
        properties: { every },
        geometry: { type: 'LineString' as const, coordinates: line.map((p) => [p.lng, p.lat]) },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}
