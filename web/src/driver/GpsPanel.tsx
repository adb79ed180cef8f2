import { useEffect, useState } from 'react';
import { freshnessOf } from '../../../contract/freshness';
import { secondsSince } from '../lib/format';
import { useNow } from '../lib/hooks';
import type { GpsBatchBody } from '../lib/outbox';
import { useDriver } from './DriverData';
import { strings } from './strings';
import type { GpsState } from './use-gps-stream';

/**
 * Is the phone sharing its position, how exact, and did it reach the office: offline (fixes
 * kept on the phone), waiting to send N saved points, or sent (live, or by the outbox's
 * replay once back in coverage). Never "sharing" while nothing leaves the phone.
 */
export function GpsPanel({ gps }: { gps: GpsState }) {
  const d = useDriver();
  const now = useNow(1000);
  const s = strings.gps;
  const saved = d.pending
    .filter((i) => i.kind === 'gps')
    .reduce((n, i) => n + ((i.body as GpsBatchBody).pings?.length ?? 0), 0);
  // Saved points that went out with the replay count as sent, at the moment the outbox emptied of them.
  const [replayedAt, setReplayedAt] = useState<number | null>(null);
  const [hadSaved, setHadSaved] = useState(false);
  useEffect(() => {
    if (saved > 0) setHadSaved(true);
    else if (hadSaved) {
      setHadSaved(false);
      setReplayedAt(Date.now());
    }
  }, [saved, hadSaved]);
  const lastSent = Math.max(gps.lastSentAt ?? 0, replayedAt ?? 0) || null;
  const sentAgo = secondsSince(lastSent, now);
  const offline = gps.status === 'sharing' && (d.connection !== 'open' || gps.unsent);
  const waiting = gps.status === 'sharing' && !offline && saved > 0;
  const freshness = sentAgo === null ? 'live' : freshnessOf(sentAgo);
  const headline =
    gps.status === 'denied'
      ? s.denied
      : gps.status === 'unavailable'
        ? s.unavailable
        : offline
          ? s.savingOffline
          : waiting
            ? s.sending(saved)
            : gps.status === 'sharing'
              ? freshness === 'live'
                ? s.sharing
                : s.notReaching
              : s.waiting;
  const icon = gps.status === 'sharing' ? '◉' : gps.status === 'denied' || gps.status === 'unavailable' ? '✕' : '…';
  const grade = gps.status !== 'sharing' ? gps.status : offline ? 'offline' : waiting ? 'waiting' : freshness;
  return (
    <section className={`card gps gps--${gps.status}`} aria-label={s.title} data-freshness={grade} data-saved={saved}>
      <p className="gps__headline">
        <span className="gps__dot" aria-hidden="true">
          {icon}
        </span>{' '}
        {headline}
      </p>
      <p className="gps__details">
        {gps.fix?.accuracy != null && <span className="gps__accuracy">{s.accuracy(gps.fix.accuracy)}</span>}
        {offline && saved > 0 && <span className="gps__saved">{s.saved(saved)}</span>}
        <span className="gps__sent">{sentAgo === null ? s.notSent : s.lastSent(strings.ago(sentAgo))}</span>
      </p>
    </section>
  );
}
