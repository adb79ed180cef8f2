import { useCallback, useEffect, useState } from 'react';
import { driverNextStep } from '../../../contract/state-machine';
import { ApiError } from '../lib/api';
import type { Job } from '../../../contract/responses';
import type { GpsBatchBody, PhotoItemBody } from '../lib/outbox';
import { Link, navigate } from '../lib/router';
import { directionsHref } from './directions';
import { toast } from '../lib/toast';
import { ConnectionBadge } from '../ui/ConnectionBadge';
import { toastError } from '../ui/ErrorNotice';
import { getJob, type StatusChange, takenOn } from './driver-api';
import { useDriver } from './DriverData';
import { GpsPanel } from './GpsPanel';
import { JobContact } from './JobContact';
import { JobMap } from './JobMap';
import { NextStop } from './NextStop';
import { PaymentPanel } from './PaymentPanel';
import { PhotoCapture, type PhotoState, afterPhotoStillNeeded } from './PhotoCapture';
import { PriceChange } from './PriceChange';
import { strings } from './strings';
import { ON_SITE_JOB, UNDER_WAY_JOB } from '../../../contract/job-status';
import { AcceptDecline, JobFacts, JobStatusTag, StepButton } from './JobParts';

/** One job, one big button for the next step; works offline through the outbox. */
export function JobPage({ jobId }: { jobId: string }) {
  const d = useDriver();
  const s = strings.job;
  const [job, setJob] = useState<Job | null>(() => d.cachedJob(jobId) ?? null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [photos, setPhotos] = useState<PhotoState>({ afterNeeded: false, known: false });
  const onPhotoState = useCallback((p: PhotoState) => setPhotos(p), []);

  // The freshest copy: the queue's (live over the socket), else the server's, else the phone's.
  const fromQueue = d.queue?.jobs.find((j) => j.id === jobId);
  useEffect(() => {
    if (fromQueue) setJob(fromQueue);
  }, [fromQueue]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refetched when the queue's copy of this job changes, not on every new queue object.
  useEffect(() => {
    const ctrl = new AbortController();
    getJob(jobId, ctrl.signal).then(
      (j) => {
        setJob(j);
        d.rememberJob(j);
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 404) setMissing(true);
      },
    );
    return () => ctrl.abort();
    // Refetched when the queue's copy of this job changes (a live update), not on every
    // new queue object: rememberJob below replaces the queue, which would loop.
  }, [jobId, fromQueue && JSON.stringify(fromQueue)]);

  if (missing && !job) return <p className="notice notice--error">{s.notFound}</p>;
  if (!job) return <p role="status">{s.loading}</p>;

  const status = d.effectiveStatus(job);
  const accepted = takenOn(job, status);
  const next = accepted ? driverNextStep(status) : null;
  const queued = d.pending.filter((i) => i.job_id === job.id);
  const active = UNDER_WAY_JOB.includes(status) || (status === 'assigned' && accepted);
  const onTheWay = active && !ON_SITE_JOB.includes(status);

  const advance = async () => {
    if (!next) return;
    if (next === 'completed' && photos.afterNeeded && (await afterPhotoStillNeeded(job.id, photos))) {
      toast.show({ kind: 'error', message: strings.photo.afterNeeded });
      return;
    }
    setBusy(true);
    try {
      const how = await d.changeStatus(job, next);
      if (how === 'sent') setJob((j) => (j ? { ...j, status: next } : j));
      if (next === 'completed') toast.show({ kind: 'ok', message: s.finished });
    } catch (err) {
      toastError(err, strings.errors);
      d.reload();
    } finally {
      setBusy(false);
    }
  };

  const directions = directionsHref(job);

  return (
    <article className="driver job-page" aria-labelledby="job-title" data-job-id={job.id} data-status={status}>
      <div className="row driver__top">
        <Link href="/driver/">← {s.back}</Link>
        <span className="app__spacer" />
        <ConnectionBadge state={d.connection} strings={strings.connection} />
      </div>
      <JobStatusTag status={status} />
      <h1 id="job-title" className="job__address">
        {job.job_address}
      </h1>
      <JobFacts job={job} />

      {queued.length > 0 && (
        <section className="card sync" aria-label={s.willSync}>
          <p className="hint">{s.willSyncHint}</p>
          <ul className="sync__list">
            {queued.map((i) => (
              <li key={i.seq} data-outbox-kind={i.kind}>
                <span className="sync__badge">⟳ {s.willSync}</span>{' '}
                {i.kind === 'status'
                  ? s.queuedStatus(strings.jobStatus[(i.body as StatusChange).status])
                  : i.kind === 'gps'
                    ? s.gpsQueued((i.body as GpsBatchBody).pings.length)
                    : i.kind === 'photo'
                      ? strings.photo.queued(strings.photo[(i.body as PhotoItemBody).kind])
                      : strings.payment.title}
              </li>
            ))}
          </ul>
        </section>
      )}

      {status === 'cancelled' && <p className="notice notice--warn">{s.cancelledNotice}</p>}

      {accepted && ON_SITE_JOB.includes(status) && <PhotoCapture job={job} onState={onPhotoState} />}

      {!accepted && status === 'assigned' ? (
        <AcceptDecline job={job} onAccepted={setJob} onDeclined={() => navigate('/driver/')} />
      ) : (
        next && (
          <div className="job__actions">
            <StepButton busy={busy} onClick={() => void advance()} data-next-status={next}>
              {strings.nextStep[next]}
            </StepButton>
          </div>
        )
      )}

      {(active || status === 'assigned') && (
        <div className="job__nav">
          <a className="button button--secondary button--block" href={directions} target="_blank" rel="noreferrer">
            {s.navigate}
          </a>
        </div>
      )}

      {onTheWay && <JobMap job={job} gps={d.gps} />}
      {active && <JobContact job={job} />}
      {active && <GpsPanel gps={d.gps} />}
      {ON_SITE_JOB.includes(status) && <PriceChange job={job} onChanged={(j) => (setJob(j), d.rememberJob(j))} />}
      {status === 'completed' && <NextStop doneJobId={job.id} />}
      {status === 'completed' && <PaymentPanel job={job} />}
    </article>
  );
}
