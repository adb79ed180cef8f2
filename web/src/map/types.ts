import type { LatLng } from '../lib/geo';

export type MarkerKind = 'home' | 'plow' | 'driver' | 'job' | 'base' | 'pin';

export interface MapMarker extends LatLng {
  id: string;
  kind: MarkerKind;
  /** Spoken/tooltip name; the facts themselves are always also shown as text beside the map. */
  label: string;
  heading?: number | null;
  /** Metres. */
  accuracy?: number | null;
  /** A status word drawn next to the marker (drivers, jobs): never colour alone. */
  tag?: string;
}

/** A truck at its last fix, pointed where it heads (no arrow when the phone gave no heading). */
export function plowMarker(
  id: string,
  label: string,
  fix: LatLng & { heading?: number | null; accuracy?: number | null },
): MapMarker {
  const heading = Number.isFinite(fix.heading) ? fix.heading : null;
  return { id, kind: 'plow', lat: fix.lat, lng: fix.lng, heading, accuracy: fix.accuracy, label };
}

export interface MapCircle {
  center: LatLng;
  radiusMeters: number;
}

export interface MapProps {
  /** Accessible name of the map image, e.g. "Map: the plow is 0.4 mi from your driveway". */
  label: string;
  center: LatLng;
  markers: MapMarker[];
  circle?: MapCircle | null;
  /** Click/tap to place a pin (location editor, service-area base). */
  onPick?: (p: LatLng) => void;
  /**
   * Keep every marker in view as they move (the customer's plow and driveway): the map
   * re-fits when a marker nears the edge or they bunch up, until the user pans or zooms.
   */
  follow?: boolean;
  /** A recent path drawn as a line, oldest first (where the plow has just driven). */
  trail?: LatLng[];
  /** The marker picked (drawn highlighted); with `onSelect`, a click on a marker picks it. */
  selectedId?: string | null;
  onSelect?: (id: string) => void;
  /** "1.2 mi" for the scale rings. */
  distanceLabel: (meters: number) => string;
  className?: string;
}

/** What a map engine (MapLibre, Google) does once mounted. */
export interface MapEngine {
  update(props: MapProps): void;
  destroy(): void;
}
