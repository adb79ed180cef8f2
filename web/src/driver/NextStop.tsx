import { useEffect, useState } from 'react';
import { formatTime } from '../lib/format';
import { navigate } from '../lib/router';
import { directionsHref } from './directions';
import { type MyRoute, myRoute } from './driver-api';
import { strings } from './strings';

const s = strings.nextStop;

/**
 * After a route stop is done: the next stop on the driver's storm route (assigned to them
 * by the server as this one completed), with one-tap navigation and a big button to start it.
 * Nothing when the finished job was on no route or the route is done.
 */
export function NextStop({ doneJobId }: { doneJobId: string }) {
  const [route, setRoute] = useState<MyRoute | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    myRoute(ctrl.signal).then(setRoute, () => setRoute(null));
    return () => ctrl.abort();
  }, []);
  const next = route?.next;
  if (!route || !next || next.id === doneJobId) return null;
  const after = route.stops.filter((x) => x.job_id !== next.id).length;
  const eta = route.stops.find((x) => x.job_id === next.id)?.eta;
  return (
    <section className="card next-stop" aria-labelledby="next-stop-title" data-job-id={next.id}>
      <h2 id="next-stop-title">{s.title}</h2>
      <p className="job__address">{next.job_address}</p>
      <p className="hint">
        {eta && `${s.eta(formatTime(eta))} · `}
        {s.after(after)}
      </p>
      <a
        className="button button--secondary button--block"
        href={directionsHref(next)}
        target="_blank"
        rel="noreferrer"
      >
        {s.navigate}
      </a>
      <button
        type="button"
        className="button button--primary button--huge"
        onClick={() => navigate(`/driver/jobs/${next.id}`)}
      >
        {s.start}
      </button>
    </section>
  );
}
