import { useCallback, useMemo, useState } from 'react';
import { ACTIVE_JOB_STATUSES, type DriverStatus } from '../../../contract/enums';
import type { ServerMessage } from '../../../contract/ws';
import { secondsSince } from '../lib/format';
import { useNow, useResource } from '../lib/hooks';
import { useRealtime } from '../lib/use-realtime';
import { useWakeLock } from '../lib/wake-lock';
import { ConnectionBadge } from '../ui/ConnectionBadge';
import { ErrorNotice, errorMessage } from '../ui/ErrorNotice';
import { acceptedJobIds, getMe, myJobs, setAvailability } from './driver-api';
import { JobCard } from './JobCard';
import { session } from './session';
import { strings } from './strings';
import { useGpsStream, type GpsState } from './use-gps-stream';

export function QueuePage() {
  const me = useResource((signal) => getMe(signal), 'me');
  const jobs = useResource((signal) => myJobs(signal), 'jobs');
  const [accepted, setAccepted] = useState(() => acceptedJobIds());
  const [notice, setNotice] = useState<string | null>(null);

  const onMessage = useCallback(
    (msg: ServerMessage) => {
      if (msg.type === 'job_assigned') {
        setNotice(strings.queue.newAssignment);
        navigator.vibrate?.([200, 100, 200]);
        jobs.reload();
      } else if (msg.type === 'job_cancelled') {
        setNotice(strings.queue.cancelled);
        navigator.vibrate?.(300);
        jobs.reload();
      } else if (msg.type === 'job_status') {
        jobs.reload();
        me.reload();
      }
    },
    [jobs.reload, me.reload],
  );

  const driverId = me.data?.id;
  const subscriptions = useMemo(() => (driverId ? [`driver:${driverId}`] : []), [driverId]);
  // No topic: a driver's socket lands on the dispatch channel (assignments in, GPS out).
  const { state, client } = useRealtime({ session, subscriptions, enabled: !!driverId }, onMessage);

  // Stream while a job is under way: accepted, or already past `assigned`.
  const activeJob = jobs.data?.find((j) => j.status !== 'assigned' || accepted.has(j.id)) ?? null;
  const gps = useGpsStream(client, state, activeJob !== null);
  useWakeLock(activeJob !== null);

  return (
    <div className="driver">
      <div className="row driver__top">
        <ConnectionBadge state={state} strings={strings.connection} />
        <span className="app__spacer" />
        {me.data && <Availability status={me.data.status} onChange={(status) => me.setData((m) => ({ ...m!, status }))} />}
      </div>
      {notice && (
        <p className="notice notice--ok" role="status">
          {notice}
        </p>
      )}
      {activeJob && <GpsPanel gps={gps} />}
      <h1>{strings.queue.title}</h1>
      <ErrorNotice error={jobs.error ?? me.error} strings={strings.errors} onRetry={() => (jobs.reload(), me.reload())} />
      {jobs.loading && !jobs.data && <p role="status">{strings.queue.loading}</p>}
      {jobs.data && jobs.data.length === 0 && <p className="muted">{strings.queue.empty}</p>}
      <ul className="list">
        {jobs.data?.map((job) => (
          <li key={job.id}>
            <JobCard
              job={job}
              accepted={accepted.has(job.id) || job.status !== 'assigned'}
              fix={gps.fix}
              onAccepted={() => setAccepted(acceptedJobIds())}
              onChanged={(updated) => {
                // The queue holds live jobs only: a finished or declined job leaves it.
                jobs.setData((list) => (list ?? []).map((j) => (j.id === updated.id ? updated : j)).filter((j) => ACTIVE_JOB_STATUSES.includes(j.status)));
                me.reload();
              }}
            />
          </li>
        ))}
      </ul>
    </div>
  );
}

function GpsPanel({ gps }: { gps: GpsState }) {
  const now = useNow(1000);
  const s = strings.gps;
  const sentAgo = secondsSince(gps.lastSentAt, now);
  const headline = gps.status === 'denied' ? s.denied : gps.status === 'unavailable' ? s.unavailable : gps.status === 'sharing' ? s.sharing : s.waiting;
  return (
    <section className={`card gps gps--${gps.status}`} aria-label={s.title}>
      <p className="gps__headline">
        <span className="gps__dot" aria-hidden="true" /> {headline}
      </p>
      <p className="gps__details">
        {gps.fix?.accuracy != null && <span className="gps__accuracy">{s.accuracy(gps.fix.accuracy)}</span>}
        <span className="gps__sent" aria-live="off">
          {sentAgo === null ? s.notSent : s.lastSent(strings.ago(sentAgo))}
        </span>
        {gps.unsent && <span className="gps__queued">{s.queued}</span>}
      </p>
    </section>
  );
}

const SETTABLE = ['available', 'break', 'offline'] as const;

function Availability({ status, onChange }: { status: DriverStatus; onChange: (s: DriverStatus) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const locked = status === 'en_route' || status === 'on_job';
  if (locked) return <span className="status-pill">{strings.availability[status]}</span>;
  const pick = async (next: (typeof SETTABLE)[number]) => {
    setBusy(true);
    setError(null);
    try {
      onChange(await setAvailability(next));
    } catch (err) {
      setError(errorMessage(err, strings.errors));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="segmented" role="group" aria-label={strings.availabilityLabel}>
      {SETTABLE.map((s) => (
        <button key={s} type="button" className="segmented__item" aria-pressed={status === s} disabled={busy} onClick={() => void pick(s)}>
          {strings.availability[s]}
        </button>
      ))}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
