/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** A MapLibre style URL (tiles); without it maps draw markers on a plain background. */
  readonly VITE_MAP_STYLE_URL?: string;
  /** When set, maps use Google Maps instead of MapLibre. */
  readonly VITE_GOOGLE_MAPS_API_KEY?: string;
}
