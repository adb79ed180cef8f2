import { useId, useState } from 'react';
import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { ErrorNotice, errorMessage, FormAlert } from '../ui/ErrorNotice';
import { type HistoryJob, historyDays, historyJobs } from './driver-api';
import { strings } from './strings';

/** The driver's own past jobs and the last 30 days at a glance: visits, time on site, amounts. */
export function HistoryPage() {
  const s = strings.history;
  const id = useId();
  const days = useResource((signal) => historyDays(signal), 'history-days');
  const first = useResource((signal) => historyJobs(null, signal), 'history-jobs');
  const [more, setMore] = useState<{ jobs: HistoryJob[]; next: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const jobs = [...(first.data?.jobs ?? []), ...(more?.jobs ?? [])];
  const next = more ? more.next : (first.data?.next_cursor ?? null);
  const loadMore = async () => {
    if (!next) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await historyJobs(next);
      setMore((m) => ({ jobs: [...(m?.jobs ?? []), ...page.jobs], next: page.next_cursor }));
    } catch (err) {
      setMoreError(errorMessage(err, strings.errors));
    } finally {
      setLoadingMore(false);
    }
  };
  const busyDays = (days.data?.days ?? []).filter((d) => d.jobs > 0);
  return (
    <section className="driver history" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <ErrorNotice
        error={days.error ?? first.error}
        strings={strings.errors}
        onRetry={() => {
          days.reload();
          first.reload();
        }}
      />
      {days.data && (
        <section className="card" aria-labelledby={`${id}-totals`}>
          <h2 id={`${id}-totals`}>{s.last30}</h2>
          <p className="history__totals">
            {s.totals(
              days.data.totals.jobs,
              days.data.totals.minutes_on_site,
              formatMoney(days.data.totals.amount_cents),
            )}
          </p>
          {busyDays.length > 0 && (
            <ul className="list">
              {busyDays.map((d) => (
                <li key={d.day} className="row">
                  <strong>{s.day(d.day)}</strong>
                  <span className="muted">{s.totals(d.jobs, d.minutes_on_site, formatMoney(d.amount_cents))}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <h2>{s.jobsTitle}</h2>
      {first.data && jobs.length === 0 && <p className="muted">{s.empty}</p>}
      <ul className="list">
        {jobs.map((j) => (
          <li key={j.id} className="card history__job" data-job-id={j.id}>
            <strong>{j.job_address}</strong>
            <span className="muted">
              {strings.jobStatus[j.status]} · {formatDateTime(j.finished_at)}
            </span>
            <span>
              {j.minutes_on_site !== null ? s.onSite(j.minutes_on_site) : s.onSiteUnknown} ·{' '}
              {formatMoney(j.amount_cents)}
            </span>
          </li>
        ))}
      </ul>
      <FormAlert message={moreError} />
      {next && (
        <button
          type="button"
          className="button button--secondary"
          disabled={loadingMore}
          onClick={() => void loadMore()}
        >
          {loadingMore ? s.loading : s.more}
        </button>
      )}
    </section>
  );
}
