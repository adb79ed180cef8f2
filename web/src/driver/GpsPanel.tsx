import { secondsSince } from '../lib/format';
import { useNow } from '../lib/hooks';
import { strings } from './strings';
import type { GpsState } from './use-gps-stream';

/** Is the phone sharing its position, how exact, and when did a fix last go out. */
export function GpsPanel({ gps }: { gps: GpsState }) {
  const now = useNow(1000);
  const s = strings.gps;
  const sentAgo = secondsSince(gps.lastSentAt, now);
  const headline =
    gps.status === 'denied'
      ? s.denied
      : gps.status === 'unavailable'
        ? s.unavailable
        : gps.status === 'sharing'
          ? s.sharing
          : s.waiting;
  const icon = gps.status === 'sharing' ? '◉' : gps.status === 'denied' || gps.status === 'unavailable' ? '✕' : '…';
  return (
    <section className={`card gps gps--${gps.status}`} aria-label={s.title}>
      <p className="gps__headline">
        <span className="gps__dot" aria-hidden="true">
          {icon}
        </span>{' '}
        {headline}
      </p>
      <p className="gps__details">
        {gps.fix?.accuracy != null && <span className="gps__accuracy">{s.accuracy(gps.fix.accuracy)}</span>}
        <span className="gps__sent">{sentAgo === null ? s.notSent : s.lastSent(strings.ago(sentAgo))}</span>
        {gps.unsent && <span className="gps__queued">{s.queued}</span>}
      </p>
    </section>
  );
}
