import { freshnessOf } from '../../../contract/freshness';
import { secondsSince } from '../lib/format';
import { useNow } from '../lib/hooks';
import { strings } from './strings';
import type { GpsState } from './use-gps-stream';

/** Is the phone sharing its position, how exact, and when did a fix last go out. */
export function GpsPanel({ gps }: { gps: GpsState }) {
  const now = useNow(1000);
  const s = strings.gps;
  const sentAgo = secondsSince(gps.lastSentAt, now);
  // "Sharing" only while fixes reach the office: offline, they are kept on the phone.
  const offline = gps.status === 'sharing' && gps.unsent;
  const freshness = sentAgo === null ? 'live' : freshnessOf(sentAgo);
  const headline =
    gps.status === 'denied'
      ? s.denied
      : gps.status === 'unavailable'
        ? s.unavailable
        : offline
          ? s.savingOffline
          : gps.status === 'sharing'
            ? freshness === 'live'
              ? s.sharing
              : s.notReaching
            : s.waiting;
  const icon = gps.status === 'sharing' ? '◉' : gps.status === 'denied' || gps.status === 'unavailable' ? '✕' : '…';
  const grade = gps.status !== 'sharing' ? gps.status : offline ? 'offline' : freshness;
  return (
    <section className={`card gps gps--${gps.status}`} aria-label={s.title} data-freshness={grade}>
      <p className="gps__headline">
        <span className="gps__dot" aria-hidden="true">
          {icon}
        </span>{' '}
        {headline}
      </p>
      <p className="gps__details">
        {gps.fix?.accuracy != null && <span className="gps__accuracy">{s.accuracy(gps.fix.accuracy)}</span>}
        <span className="gps__sent">{sentAgo === null ? s.notSent : s.lastSent(strings.ago(sentAgo))}</span>
      </p>
    </section>
  );
}
