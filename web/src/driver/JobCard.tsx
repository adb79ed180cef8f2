import { useState } from 'react';
import { driverNextStep } from '../../../contract/state-machine';
import type { Job } from '../lib/api-types';
import { formatMoney } from '../lib/format';
import { newClientEventId } from '../lib/hooks';
import { errorMessage } from '../ui/ErrorNotice';
import { acceptJob, declineJob, setJobStatus } from './driver-api';
import { strings } from './strings';
import type { Fix } from './use-gps-stream';

/** One job in the queue: what, where, and the one big button for the next step. */
export function JobCard({ job, accepted, fix, onAccepted, onChanged }: {
  job: Job;
  accepted: boolean;
  fix: Fix | null;
  onAccepted: () => void;
  onChanged: (job: Job) => void;
}) {
  const s = strings.job;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [declining, setDeclining] = useState(false);
  const next = driverNextStep(job.status);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(errorMessage(err, strings.errors));
    } finally {
      setBusy(false);
    }
  };

  const advance = () =>
    run(async () => {
      if (!next) return;
      // Stamp the change with where and when it happened on the device.
      const where = fix ? { lat: fix.lat, lng: fix.lng, recorded_at: new Date(fix.timestamp).toISOString() } : { recorded_at: new Date().toISOString() };
      onChanged(await setJobStatus(job.id, { status: next, ...where, client_event_id: newClientEventId('status') }));
    });

  const directions = `https://www.google.com/maps/dir/?api=1&destination=${job.lat},${job.lng}`;

  return (
    <article className="card job" aria-label={s.jobFor(job.job_address)} data-job-id={job.id}>
      <p className="job__status">{strings.jobStatus[job.status]}</p>
      <h2 className="job__address">{job.job_address}</h2>
      <dl className="job__facts">
        <div>
          <dt>{s.price}</dt>
          <dd>{formatMoney(job.final_price_cents ?? job.quoted_price_cents)}</dd>
        </div>
        {job.special_instructions && (
          <div>
            <dt>{s.notes}</dt>
            <dd>{job.special_instructions}</dd>
          </div>
        )}
      </dl>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      {!accepted ? (
        <div className="job__actions">
          <button type="button" className="button button--primary button--huge" disabled={busy} onClick={() => void run(async () => (await acceptJob(job.id), onAccepted()))}>
            {busy ? s.working : s.accept}
          </button>
          {declining ? (
            <div className="row" role="group" aria-label={s.declineConfirm}>
              <span>{s.declineConfirm}</span>
              <button type="button" className="button button--danger" disabled={busy} onClick={() => void run(async () => onChanged(await declineJob(job.id)))}>
                {s.decline}
              </button>
              <button type="button" className="button button--ghost" onClick={() => setDeclining(false)}>
                {s.keep}
              </button>
            </div>
          ) : (
            <button type="button" className="button button--secondary button--block" disabled={busy} onClick={() => setDeclining(true)}>
              {s.decline}
            </button>
          )}
        </div>
      ) : (
        <div className="job__actions">
          {next && (
            <button type="button" className="button button--primary button--huge" disabled={busy} onClick={() => void advance()}>
              {busy ? s.working : strings.nextStep[next]}
            </button>
          )}
          <a className="button button--secondary button--block" href={directions} target="_blank" rel="noreferrer">
            {s.navigate}
          </a>
        </div>
      )}
    </article>
  );
}
