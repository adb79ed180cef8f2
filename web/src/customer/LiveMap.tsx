import { offsetMeters, type LatLng } from '../lib/geo';

/**
 * A tile-free map: the driveway at the centre of a square plane, the plow placed by its
 * offset in metres, range rings for scale. The scale snaps to round distances so the
 * picture does not breathe with every ping.
 */

const SCALES_M = [250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];
const R = 90; // plane radius in view units (viewBox is -100…100)

export interface PlowFix extends LatLng {
  accuracy: number | null;
  heading: number | null;
}

export function LiveMap({ home, plow, label, homeLabel, plowLabel, ringLabel }: {
  home: LatLng;
  plow: PlowFix | null;
  label: string;
  homeLabel: string;
  plowLabel: string;
  ringLabel: (meters: number) => string;
}) {
  const off = plow ? offsetMeters(home, plow) : null;
  const reach = off ? Math.max(Math.abs(off.x), Math.abs(off.y)) * 1.15 : 0;
  const extent = SCALES_M.find((s) => s >= reach) ?? SCALES_M.at(-1)!;
  const k = R / extent;
  // Beyond the largest scale the marker is pinned to the edge, pointing the right way.
  const clamp = (v: number) => Math.max(-R, Math.min(R, v));
  const px = off ? clamp(off.x * k) : 0;
  const py = off ? clamp(-off.y * k) : 0;
  const accuracyR = plow?.accuracy ? Math.min(R, plow.accuracy * k) : 0;

  return (
    <svg className="live-map" viewBox="-100 -100 200 200" role="img" aria-label={label}>
      <rect x={-100} y={-100} width={200} height={200} className="live-map__bg" />
      <circle r={R} className="live-map__ring" />
      <circle r={R / 2} className="live-map__ring" />
      <text x={0} y={-R / 2 - 2} className="live-map__ring-label" textAnchor="middle">
        {ringLabel(extent / 2)}
      </text>
      <text x={0} y={-R - 2} className="live-map__ring-label" textAnchor="middle">
        {ringLabel(extent)}
      </text>
      <text x={94} y={-88} className="live-map__north" textAnchor="middle" aria-hidden="true">
        N
      </text>
      <g className="live-map__home" aria-hidden="true">
        <path d="M -7 2 L 0 -6 L 7 2 L 5 2 L 5 8 L -5 8 L -5 2 Z" />
        <title>{homeLabel}</title>
      </g>
      {plow && (
        <g
          className="live-map__plow"
          data-marker="plow"
          data-x={px.toFixed(2)}
          data-y={py.toFixed(2)}
          style={{ transform: `translate(${px}px, ${py}px)` }}
        >
          <title>{plowLabel}</title>
          {accuracyR > 3 && <circle r={accuracyR} className="live-map__accuracy" />}
          <g style={{ transform: `rotate(${plow.heading ?? 0}deg)` }}>
            <circle r={6.5} className="live-map__plow-dot" />
            {plow.heading !== null && <path d="M 0 -12 L 4 -6.5 L -4 -6.5 Z" className="live-map__plow-heading" />}
          </g>
        </g>
      )}
    </svg>
  );
}
