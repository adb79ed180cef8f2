import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { Link } from '../lib/router';
import { ErrorNotice } from '../ui/ErrorNotice';
import { listMyJobs } from './jobs-api';
import { strings } from './strings';

export function JobsPage() {
  const { data, error, loading, reload } = useResource((signal) => listMyJobs(signal), 'jobs');
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
      <ErrorNotice error={error} strings={strings.errors} onRetry={reload} />
      {data?.deviceOnly && data.jobs.length > 0 && <p className="hint">{s.deviceOnly}</p>}
      {!loading && data && data.jobs.length === 0 && <p className="muted">{s.empty}</p>}
      <ul className="list">
        {data?.jobs.map((job) => (
          <li key={job.id} className="card job-card">
            <div className="row">
              <span className={`status-pill status-pill--${job.status}`}>{strings.statusShort[job.status]}</span>
              <span className="app__spacer" />
              <span>{formatMoney(job.final_price_cents ?? job.quoted_price_cents)}</span>
            </div>
            <p className="job-card__address">{job.job_address}</p>
            <div className="row">
              <span className="muted">{s.requestedAt(formatDateTime(job.requested_at))}</span>
              <span className="app__spacer" />
              <Link className="button button--secondary" href={`/customer/jobs/${job.id}`} aria-label={`${s.open}: ${job.job_address}`}>
                {s.open}
              </Link>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
