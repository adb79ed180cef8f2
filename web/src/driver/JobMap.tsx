import { type ComponentType, lazy, Suspense, useEffect, useState } from 'react';
import type { Job } from '../../../contract/responses';
import { arrivalMinutes, type TimedFix } from '../lib/arrival';
import { type MapMarker, type MapProps, plowMarker } from '../map/types';
import { withFix } from './recent-fixes';
import { strings } from './strings';
import type { GpsState } from './use-gps-stream';

/** When the map's code cannot be fetched (no signal, a newer release), the words under it still tell the way. */
function NoMap(_: MapProps) {
  return null;
}

/** The map's code loads with the first job screen that shows it, never with the app. */
const MapView = lazy(
  (): Promise<{ default: ComponentType<MapProps> }> =>
    import('../map/MapView').then(
      (m) => ({ default: m.MapView }),
      () => ({ default: NoMap }),
    ),
);

/**
 * On the way to a driveway: the truck and the driveway on one map with a line between
 * them, and how far and about how long, by the estimate the customer's page shows
 * (web/src/lib/arrival.ts). Without a fix, the driveway alone and a line saying why.
 */
export function JobMap({ job, gps }: { job: Pick<Job, 'lat' | 'lng'>; gps: GpsState }) {
  const s = strings.jobMap;
  const fix = gps.status === 'sharing' ? gps.fix : null;
  const [kept, setKept] = useState<readonly TimedFix[]>([]);
  useEffect(() => {
    setKept((k) => withFix(k, fix));
  }, [fix]);
  const home = { lat: job.lat, lng: job.lng };
  const arrival = fix ? arrivalMinutes({ now: Date.now(), home, fixes: withFix(kept, fix) }) : null;
  const meters = arrival?.meters ?? null;
  const dist = meters === null ? null : strings.distance(meters);

  const markers: MapMarker[] = [{ id: 'driveway', kind: 'home', ...home, label: s.driveway }];
  if (fix) markers.push(plowMarker('truck', s.you, fix));

  return (
    <section className="card job-map" aria-label={s.title}>
      <Suspense fallback={<div className="job-map__placeholder" aria-hidden="true" />}>
        <MapView
          className="job-map__map"
          center={home}
          markers={markers}
          follow
          trail={fix ? [fix, home] : undefined}
          label={s.label(dist)}
          distanceLabel={strings.distance}
        />
      </Suspense>
      {arrival && dist !== null ? (
        <div>
          <p
            className="job-map__away"
            data-testid="job-map-away"
            data-meters={Math.round(meters ?? 0)}
            data-minutes={arrival.minutes}
            data-source={arrival.source}
          >
            {s.away(dist, arrival.minutes)}
          </p>
          <p className="hint job-map__basis">{s.basis}</p>
        </div>
      ) : (
        <p className="muted job-map__waiting">
          {gps.status === 'denied' || gps.status === 'unavailable' ? s.noLocation : s.waiting}
        </p>
      )}
    </section>
  );
}
