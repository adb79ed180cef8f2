import { useEffect, useRef, useState } from 'react';
import { PlaneMap } from './PlaneMap';
import type { MapEngine, MapProps } from './types';

/**
 * A map with markers: MapLibre GL when the browser can draw it (loaded lazily — never part
 * of a first load), Google Maps instead when VITE_GOOGLE_MAPS_API_KEY is set, and the
 * tile-free plane otherwise. The plane paints first and stays if the engine cannot start
 * (no WebGL, offline, script blocked), so markers and the text beside the map always work.
 *
 * Style: the operator's own Protomaps archive from R2, a style URL, or a scaled backdrop
 * when neither is there (web/src/map/basemap.ts).
 * `localStorage['plowdispatch.map'] = 'plane'` forces the plane (screenshots, slow phones).
 */

type Engine = 'plane' | 'maplibre' | 'google';

export function preferredEngine(): Engine {
  try {
    if (localStorage.getItem('plowdispatch.map') === 'plane') return 'plane';
  } catch {
    // storage blocked
  }
  if (import.meta.env.VITE_GOOGLE_MAPS_API_KEY) return 'google';
  return hasWebGL() ? 'maplibre' : 'plane';
}

function hasWebGL(): boolean {
  try {
    const canvas = document.createElement('canvas');
    return !!(canvas.getContext('webgl2') ?? canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

export function MapView(props: MapProps) {
  const [engine, setEngine] = useState<Engine>('plane');
  const [failed, setFailed] = useState(false);
  const host = useRef<HTMLDivElement>(null);
  const instance = useRef<MapEngine | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const wanted = useRef<Engine>(preferredEngine());

  useEffect(() => {
    const want = wanted.current;
    if (want === 'plane' || !host.current) return;
    let cancelled = false;
    const load = want === 'google' ? import('./google-engine') : import('./maplibre-engine');
    load
      .then(async (mod) => {
        if (cancelled || !host.current) return;
        const created = await mod.createEngine(host.current, latest.current);
        if (cancelled) return created.destroy();
        instance.current = created;
        setEngine(want);
      })
      .catch((err: unknown) => {
        console.warn('map engine unavailable, showing the plane', err);
        if (!cancelled) setFailed(true);
      });
    return () => {
      cancelled = true;
      instance.current?.destroy();
      instance.current = null;
    };
  }, []);

  useEffect(() => {
    instance.current?.update(props);
  });

  const showPlane = engine === 'plane' || failed;
  return (
    <div className={`map-view ${props.className ?? ''}`} data-map-engine={showPlane ? 'plane' : engine}>
      <div ref={host} className="map-view__engine" hidden={showPlane} role="region" aria-label={props.label} />
      {showPlane && <PlaneMap {...props} />}
    </div>
  );
}
