import type { Job } from '../../../contract/responses';
import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { Link } from '../lib/router';
import { OpenLink } from '../ui/OpenLink';
import { signedFileUrl } from '../lib/upload';
import { ErrorNotice } from '../ui/ErrorNotice';
import { StatusTag } from '../ui/StatusTag';
import { EmailVerification } from './AccountPage';
import { getProfile, listMyJobs } from './jobs-api';
import { api } from './session';
import { strings } from './strings';

/** The customer's jobs, newest first, with the completion photo of finished ones. */
export function JobsPage() {
  const { data, error, loading, reload } = useResource((signal) => listMyJobs(signal), 'jobs');
  const profile = useResource((signal) => getProfile(signal).catch(() => null), 'profile');
  const s = strings.jobs;
  return (
    <section aria-labelledby="jobs-title">
      <div className="row page-head">
        <h1 id="jobs-title">{s.title}</h1>
        <span className="app__spacer" />
        <Link className="button button--primary" href="/customer/request">
          {s.request}
        </Link>
      </div>
      <EmailVerification profile={profile.data ?? null} compact />
      <ErrorNotice error={error} strings={strings.errors} onRetry={reload} />
      {loading && !data && <p role="status">{s.loading}</p>}
      {data?.deviceOnly && data.jobs.length > 0 && <p className="hint">{s.deviceOnly}</p>}
      {!loading && data && data.jobs.length === 0 && <p className="muted">{s.empty}</p>}
      <ul className="list">
        {data?.jobs.map((job) => (
          <li key={job.id} className="card job-card" data-job-id={job.id}>
            <div className="row">
              <StatusTag
                status={job.status}
                label={strings.statusShort[job.status]}
                icon={strings.statusIcon[job.status]}
              />
              <span className="app__spacer" />
              <span>{formatMoney(job.final_price_cents ?? job.quoted_price_cents)}</span>
            </div>
            <p className="job-card__address">{job.job_address}</p>
            {job.status === 'completed' && job.completion_photo_url && <Thumb job={job} />}
            <div className="row">
              <span className="muted">{s.requestedAt(formatDateTime(job.requested_at))}</span>
              <span className="app__spacer" />
              <OpenLink href={`/customer/jobs/${job.id}`} label={s.open} of={job.job_address} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Thumb({ job }: { job: Job }) {
  const photo = useResource((signal) => signedFileUrl(api, job.completion_photo_url!, signal), `thumb:${job.id}`);
  if (!photo.data) return null;
  return <img className="job-card__photo" src={photo.data} alt={strings.jobs.photo(job.job_address)} loading="lazy" />;
}
