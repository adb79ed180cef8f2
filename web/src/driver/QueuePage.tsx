import { useEffect, useState } from 'react';
import type { DriverStatus } from '../../../contract/enums';
import type { Job, WaitlistItem } from '../../../contract/responses';
import { unlockAudio } from '../lib/alert';
import { formatDateTime } from '../lib/format';
import { Link, navigate } from '../lib/router';
import { toast } from '../lib/toast';
import { ConnectionBadge } from '../ui/ConnectionBadge';
import { ErrorNotice, toastError } from '../ui/ErrorNotice';
import { setAvailability, takeWaitlisted, takenOn } from './driver-api';
import { useDriver } from './DriverData';
import { GpsPanel } from './GpsPanel';
import { enablePush, pushState, useInstallPrompt, type PushState } from './pwa';
import { strings } from './strings';
import { AcceptDecline, JobFacts, JobStatusTag } from './JobParts';

export function QueuePage() {
  const d = useDriver();
  const q = strings.queue;
  const jobs = d.queue?.jobs ?? [];
  const others = jobs.filter((j) => j.id !== d.activeJob?.id);
  const profileIncomplete = d.me && !d.me.vehicle_type && !d.me.paypal_link && !d.me.venmo_link && !d.me.qr_image_url;

  return (
    <div className="driver" onPointerDown={unlockAudio}>
      <div className="row driver__top">
        <ConnectionBadge state={d.connection} strings={strings.connection} />
        <span className="app__spacer" />
        {d.me && <Availability status={d.me.status} onChange={(status) => d.setMe({ ...d.me!, status })} />}
      </div>
      <h1>{q.title}</h1>
      <AlertsCard />
      {profileIncomplete && (
        <p className="notice notice--warn">
          {q.setupBanner} <Link href="/driver/profile">{q.setupLink}</Link>
        </p>
      )}
      {d.offlineSince && (
        <p className="notice notice--warn">{q.offlineCopy(formatDateTime(new Date(d.offlineSince).toISOString()))}</p>
      )}
      <ErrorNotice error={d.queueError} strings={strings.errors} onRetry={d.reload} />
      {d.queueLoading && !d.queue && <p role="status">{q.loading}</p>}

      {d.activeJob && (
        <section aria-labelledby="current-title" className="queue__current">
          <h2 id="current-title">{q.current}</h2>
          <CurrentJob job={d.activeJob} />
          <GpsPanel gps={d.gps} />
        </section>
      )}

      <section aria-labelledby="assigned-title">
        <h2 id="assigned-title">{q.assigned}</h2>
        {d.queue && others.length === 0 && !d.activeJob && <p className="muted">{q.empty}</p>}
        <ul className="list">
          {others.map((job) => (
            <li key={job.id}>
              <AssignedCard job={job} accepted={takenOn(job)} />
            </li>
          ))}
        </ul>
      </section>

      <Waitlist entries={d.queue?.waitlist} />
    </div>
  );
}

function CurrentJob({ job }: { job: Job }) {
  return (
    <article className="card job job--current" aria-label={strings.job.jobFor(job.job_address)} data-job-id={job.id}>
      <JobStatusTag status={job.status} />
      <p className="job__address">{job.job_address}</p>
      <Link className="button button--primary button--huge" href={`/driver/jobs/${job.id}`}>
        {strings.queue.open}
      </Link>
    </article>
  );
}

/** An assigned job: accept (then it opens) or decline, right from the list. */
function AssignedCard({ job, accepted }: { job: Job; accepted: boolean }) {
  const s = strings.job;
  return (
    <article className="card job" aria-label={s.jobFor(job.job_address)} data-job-id={job.id}>
      <JobStatusTag status={job.status} />
      <h3 className="job__address">{job.job_address}</h3>
      <JobFacts job={job} />
      {accepted ? (
        <Link className="button button--primary button--huge" href={`/driver/jobs/${job.id}`}>
          {strings.queue.open}
        </Link>
      ) : (
        <AcceptDecline job={job} onAccepted={() => navigate(`/driver/jobs/${job.id}`)} />
      )}
    </article>
  );
}

function Waitlist({ entries }: { entries: WaitlistItem[] | null | undefined }) {
  const d = useDriver();
  const q = strings.queue;
  const [busy, setBusy] = useState<string | null>(null);
  if (entries === undefined) return null;
  const take = async (e: WaitlistItem) => {
    setBusy(e.id);
    try {
      const job = await takeWaitlisted(e.id);
      d.rememberJob(job);
      toast.show({ kind: 'ok', message: q.taken(e.job_address) });
      d.reload();
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby="waitlist-title" className="queue__waitlist">
      <h2 id="waitlist-title">{q.waitlist}</h2>
      {entries === null ? (
        <p className="muted">{q.waitlistNone}</p>
      ) : entries.length === 0 ? (
        <p className="muted">{q.waitlistEmpty}</p>
      ) : (
        <>
          <p className="hint">{q.waitlistHint}</p>
          <ul className="list">
            {entries.map((e) => (
              <li key={e.id} className="card" data-waitlist-id={e.id}>
                <p className="job__address">{e.job_address}</p>
                {e.notes && <p className="muted">{e.notes}</p>}
                <button
                  type="button"
                  className="button button--secondary button--block"
                  disabled={busy === e.id}
                  onClick={() => void take(e)}
                >
                  {q.take}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function AlertsCard() {
  const a = strings.alerts;
  const [state, setState] = useState<PushState | null>(null);
  const install = useInstallPrompt();
  useEffect(() => {
    void pushState().then(setState, () => setState('unsupported'));
  }, []);
  const ask = async () => {
    unlockAudio();
    try {
      setState(await enablePush());
    } catch (err) {
      toastError(err, strings.errors);
    }
  };
  if (state === null || (state === 'unsupported' && !install)) return null;
  return (
    <div className="card alerts">
      {state === 'prompt' && (
        <button type="button" className="button button--secondary button--block" onClick={() => void ask()}>
          {a.enable}
        </button>
      )}
      {state === 'enabled' && <p className="muted">✓ {a.enabled}</p>}
      {state === 'denied' && <p className="notice notice--warn">{a.denied}</p>}
      {state === 'unavailable' && <p className="muted">{a.unavailable}</p>}
      {install && (
        <>
          <button type="button" className="button button--secondary button--block" onClick={() => void install()}>
            {a.install}
          </button>
          <p className="hint">{a.installHint}</p>
        </>
      )}
    </div>
  );
}

const SETTABLE = ['available', 'break', 'offline'] as const;

function Availability({ status, onChange }: { status: DriverStatus; onChange: (s: DriverStatus) => void }) {
  const [busy, setBusy] = useState(false);
  const locked = status === 'en_route' || status === 'on_job';
  if (locked) return <span className="status-pill">{strings.availability[status]}</span>;
  const pick = async (next: (typeof SETTABLE)[number]) => {
    setBusy(true);
    try {
      onChange(await setAvailability(next));
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="segmented" role="group" aria-label={strings.availabilityLabel}>
      {SETTABLE.map((s) => (
        <button
          key={s}
          type="button"
          className="segmented__item"
          aria-pressed={status === s}
          disabled={busy}
          onClick={() => void pick(s)}
        >
          {status === s && <span aria-hidden="true">✓ </span>}
          {strings.availability[s]}
        </button>
      ))}
    </div>
  );
}
