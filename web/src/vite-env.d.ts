/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** A MapLibre style URL of the operator's choosing, used instead of their own archive. */
  readonly VITE_MAP_STYLE_URL?: string;
  /** The basemap archive's name under /tiles/ (default basemap.pmtiles); see web/src/map/basemap.ts. */
  readonly VITE_MAP_TILES?: string;
  /** When set, maps use Google Maps instead of MapLibre. */
  readonly VITE_GOOGLE_MAPS_API_KEY?: string;
}
