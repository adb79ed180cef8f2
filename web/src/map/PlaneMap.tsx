import type { KeyboardEvent, MouseEvent } from 'react';
import { offsetMeters, type LatLng } from '../lib/geo';
import { TAG_GAP, spreadTags, tagLeft } from './tags';
import type { MapProps } from './types';

/**
 * The tile-free map: markers on a plain square plane around `center`, placed by their
 * offset in metres, with range rings for scale. It is what every map shows when no tiles
 * can be had (tests, offline, no WebGL) and the first paint before MapLibre arrives. The
 * scale snaps to round distances so the picture does not breathe with every ping.
 */

const SCALES_M = [250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];
const R = 90; // plane radius in view units (viewBox is -100…100)
const EARTH_RADIUS_M = 6_371_008.8;

/** The inverse of `offsetMeters`: a point `x` m east and `y` m north of `origin`. */
export function pointAt(origin: LatLng, x: number, y: number): LatLng {
  const lat = origin.lat + (y / EARTH_RADIUS_M) * (180 / Math.PI);
  const lng = origin.lng + (x / (EARTH_RADIUS_M * Math.cos((origin.lat * Math.PI) / 180))) * (180 / Math.PI);
  return { lat, lng };
}

export function planeExtent(props: Pick<MapProps, 'center' | 'markers' | 'circle'>): number {
  let reach = props.circle ? props.circle.radiusMeters * 1.05 : 0;
  for (const m of props.markers) {
    const o = offsetMeters(props.center, m);
    reach = Math.max(reach, Math.abs(o.x) * 1.15, Math.abs(o.y) * 1.15);
  }
  return SCALES_M.find((s) => s >= reach) ?? SCALES_M.at(-1)!;
}

const HOME = 'M -7 2 L 0 -6 L 7 2 L 5 2 L 5 8 L -5 8 L -5 2 Z';
const PIN = 'M 0 8 C -2 3 -6 0 -6 -4 A 6 6 0 1 1 6 -4 C 6 0 2 3 0 8 Z';
const FLAG = 'M -5 8 L -5 -8 L 6 -4 L -3 0 L -3 8 Z';

export function PlaneMap(props: MapProps) {
  const { center, markers, circle, trail, label, onPick, onSelect, selectedId, distanceLabel, className } = props;
  const extent = planeExtent(props);
  const k = R / extent;
  const clamp = (v: number) => Math.max(-R, Math.min(R, v));
  const place = (p: LatLng) => {
    const o = offsetMeters(center, p);
    return { x: clamp(o.x * k), y: clamp(-o.y * k) };
  };

  // One click handler for the plane: a marker selects it, anywhere else places the pin.
  const click = (e: MouseEvent<SVGSVGElement>) => {
    const marker = (e.target as Element).closest('[data-marker-id], [data-tag-for]');
    const id = marker?.getAttribute('data-marker-id') ?? marker?.getAttribute('data-tag-for');
    if (onSelect && id) {
      onSelect(id);
      return;
    }
    if (!onPick) return;
    const box = e.currentTarget.getBoundingClientRect();
    const vx = ((e.clientX - box.left) / box.width) * 200 - 100;
    const vy = ((e.clientY - box.top) / box.height) * 200 - 100;
    onPick(pointAt(center, vx / k, -vy / k));
  };
  // Arrow keys nudge the pin by a tenth of the scale (keyboard users can place it too).
  const nudge = (e: KeyboardEvent<SVGSVGElement>) => {
    if (!onPick) return;
    const step = extent / 10;
    const pin = markers.find((m) => m.kind === 'pin' || m.kind === 'base') ?? center;
    const o = offsetMeters(center, pin);
    const d = { ArrowUp: [0, step], ArrowDown: [0, -step], ArrowLeft: [-step, 0], ArrowRight: [step, 0] }[e.key];
    if (!d) return;
    e.preventDefault();
    onPick(pointAt(center, o.x + d[0]!, o.y + d[1]!));
  };

  const c = circle ? place(circle.center) : null;
  const tagOffsets = spreadTags(markers.map((m) => (m.tag ? place(m) : null)));
  return (
    <svg
      className={`plane-map ${className ?? ''}`}
      viewBox="-100 -100 200 200"
      role="img"
      aria-label={label}
      data-map-engine="plane"
      onClick={onPick || onSelect ? click : undefined}
      onKeyDown={onPick ? nudge : undefined}
      tabIndex={onPick ? 0 : undefined}
      style={onPick ? { cursor: 'crosshair' } : undefined}
    >
      <rect x={-100} y={-100} width={200} height={200} className="plane-map__bg" />
      <circle r={R} className="plane-map__ring" />
      <circle r={R / 2} className="plane-map__ring" />
      <text x={0} y={-R / 2 - 2} className="plane-map__ring-label" textAnchor="middle">
        {distanceLabel(extent / 2)}
      </text>
      <text x={0} y={-R - 2} className="plane-map__ring-label" textAnchor="middle">
        {distanceLabel(extent)}
      </text>
      <text x={94} y={-88} className="plane-map__north" textAnchor="middle">
        N
      </text>
      {circle && c && (
        <circle
          cx={c.x}
          cy={c.y}
          r={Math.min(400, circle.radiusMeters * k)}
          className="plane-map__area"
          data-radius-m={Math.round(circle.radiusMeters)}
        />
      )}
      {trail && trail.length > 1 && (
        <polyline
          className="plane-map__trail"
          points={trail.map((t) => `${place(t).x.toFixed(1)},${place(t).y.toFixed(1)}`).join(' ')}
        />
      )}
      {/* Tags first: a marker is always drawn over any tag, so each stays visible and takes its click. */}
      <g className="plane-map__tags">
        {markers.map((m, i) => {
          if (!m.tag) return null;
          const p = place(m);
          const left = tagLeft(p.x, m.tag);
          return (
            <text
              key={m.id}
              x={left ? -TAG_GAP : TAG_GAP}
              y={3 + (tagOffsets[i] ?? 0)}
              textAnchor={left ? 'end' : 'start'}
              className="plane-map__tag"
              data-tag-for={m.id}
              data-tag-dy={tagOffsets[i] ?? 0}
              style={{ transform: `translate(${p.x}px, ${p.y}px)`, cursor: onSelect ? 'pointer' : undefined }}
            >
              {m.tag}
            </text>
          );
        })}
      </g>
      {markers.map((m) => {
        const p = place(m);
        const accuracyR = m.accuracy ? Math.min(R, m.accuracy * k) : 0;
        return (
          <g
            key={m.id}
            className={`plane-map__marker plane-map__marker--${m.kind} ${m.id === selectedId ? 'is-selected' : ''}`}
            style={{ transform: `translate(${p.x}px, ${p.y}px)`, cursor: onSelect ? 'pointer' : undefined }}
            data-marker={m.kind}
            data-marker-id={m.id}
            data-lat={m.lat}
            data-lng={m.lng}
            data-x={p.x.toFixed(2)}
            data-y={p.y.toFixed(2)}
          >
            <title>{m.label}</title>
            {accuracyR > 3 && <circle r={accuracyR} className="plane-map__accuracy" />}
            {m.kind === 'home' ? (
              <path d={HOME} />
            ) : m.kind === 'pin' ? (
              <path d={PIN} transform="translate(0 -8)" />
            ) : m.kind === 'base' ? (
              <path d={FLAG} />
            ) : m.kind === 'job' ? (
              <rect x={-5} y={-5} width={10} height={10} rx={2} />
            ) : (
              <g style={{ transform: `rotate(${m.heading ?? 0}deg)` }}>
                <circle r={6.5} className="plane-map__dot" />
                {m.heading != null && <path d="M 0 -12 L 4 -6.5 L -4 -6.5 Z" className="plane-map__heading" />}
              </g>
            )}
          </g>
        );
      })}
    </svg>
  );
}
