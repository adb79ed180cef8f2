import { useCallback, useEffect, useRef, useState } from 'react';
import { ACTIVE_JOB_STATUSES, type DriverStatus } from '../../../contract/enums';
import type { ServerMessage } from '../../../contract/ws';
import { ApiError } from '../lib/api';
import type { Driver, Job } from '../lib/api-types';
import { formatDateTime, formatMoney, secondsSince } from '../lib/format';
import { useNow, useResource } from '../lib/hooks';
import { useRealtime } from '../lib/use-realtime';
import { ConnectionBadge } from '../ui/ConnectionBadge';
import { ErrorNotice, errorMessage } from '../ui/ErrorNotice';
import { assignJob, listDrivers, listJobs } from './admin-api';
import { session } from './session';
import { strings } from './strings';

const SUBSCRIPTIONS = ['admin:dispatch'] as const;
/** Bursts of socket messages (an assignment is several) cause one reload, not five. */
const RELOAD_DEBOUNCE_MS = 250;
const DRIVER_ORDER: Record<DriverStatus, number> = { available: 0, break: 1, en_route: 2, on_job: 3, offline: 4 };

function useDebounced(fn: () => void, ms: number): () => void {
  const ref = useRef(fn);
  ref.current = fn;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      ref.current();
    }, ms);
  }, [ms]);
}

export function DispatchPage() {
  const s = strings.dispatch;
  const pending = useResource((signal) => listJobs(['pending'], signal), 'pending');
  const active = useResource((signal) => listJobs(ACTIVE_JOB_STATUSES, signal), 'active');
  const drivers = useResource((signal) => listDrivers(signal), 'drivers');
  const [announcement, setAnnouncement] = useState('');
  // Positions heard on the socket. Kept apart from the driver list, which reloads from
  // Postgres (batched every ~15 s) and would otherwise overwrite a fresher live fix.
  const [live, setLive] = useState<Record<string, LivePosition>>({});

  const reloadJobs = useDebounced(() => {
    pending.reload();
    active.reload();
    drivers.reload();
  }, RELOAD_DEBOUNCE_MS);

  const onMessage = useCallback(
    (msg: ServerMessage) => {
      switch (msg.type) {
        case 'new_job_request':
          setAnnouncement(s.newRequest(msg.payload.address));
          reloadJobs();
          break;
        case 'job_status':
        case 'job_assigned':
        case 'job_cancelled':
          reloadJobs();
          break;
        case 'driver_location': {
          const p = msg.payload;
          setLive((cur) => (cur[p.driver_id] && Date.parse(cur[p.driver_id]!.ts) >= Date.parse(p.ts) ? cur : { ...cur, [p.driver_id]: { lat: p.lat, lng: p.lng, ts: p.ts } }));
          break;
        }
        case 'driver_status_change': {
          const p = msg.payload;
          drivers.setData((list) => (list ?? []).map((d) => (d.id === p.driver_id ? { ...d, status: p.status as DriverStatus } : d)));
          break;
        }
      }
    },
    [reloadJobs, drivers.setData, s],
  );
  const { state } = useRealtime({ session, subscriptions: SUBSCRIPTIONS }, onMessage);

  const driverList = [...(drivers.data ?? [])].sort((a, b) => DRIVER_ORDER[a.status] - DRIVER_ORDER[b.status] || a.full_name.localeCompare(b.full_name));
  const driverName = (id: string | null) => drivers.data?.find((d) => d.id === id)?.full_name ?? s.unassigned;

  return (
    <div className="dispatch">
      <div className="row page-head">
        <h1>{s.title}</h1>
        <span className="app__spacer" />
        <ConnectionBadge state={state} strings={strings.connection} />
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      <div className="dispatch__grid">
        <section className="card" aria-labelledby="pending-title">
          <h2 id="pending-title">
            {s.pending} <span className="count">{pending.data?.length ?? ''}</span>
          </h2>
          <ErrorNotice error={pending.error} strings={strings.errors} onRetry={pending.reload} />
          {pending.data?.length === 0 && <p className="muted">{s.pendingEmpty}</p>}
          <ul className="list">
            {pending.data?.map((job) => (
              <PendingJob
                key={job.id}
                job={job}
                drivers={driverList}
                onAssigned={(updated, driver) => {
                  pending.setData((list) => (list ?? []).filter((j) => j.id !== updated.id));
                  setAnnouncement(s.assigned(updated.job_address, driver));
                  reloadJobs();
                }}
                onStale={reloadJobs}
              />
            ))}
          </ul>
        </section>

        <section className="card" aria-labelledby="drivers-title">
          <h2 id="drivers-title">{s.drivers}</h2>
          <ErrorNotice error={drivers.error} strings={strings.errors} onRetry={drivers.reload} />
          {drivers.data?.length === 0 && <p className="muted">{s.driversEmpty}</p>}
          <DriversTable drivers={driverList} live={live} />
        </section>

        <section className="card dispatch__wide" aria-labelledby="active-title">
          <h2 id="active-title">{s.active}</h2>
          <ErrorNotice error={active.error} strings={strings.errors} onRetry={active.reload} />
          {active.data?.length === 0 && <p className="muted">{s.activeEmpty}</p>}
          {active.data && active.data.length > 0 && (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{s.addressColumn}</th>
                  <th scope="col">{s.driverColumn}</th>
                  <th scope="col">{s.statusColumn}</th>
                </tr>
              </thead>
              <tbody>
                {active.data.map((job) => (
                  <tr key={job.id} data-job-id={job.id}>
                    <td>{job.job_address}</td>
                    <td>{driverName(job.driver_id)}</td>
                    <td>
                      <span className={`status-pill status-pill--${job.status}`}>{strings.jobStatus[job.status]}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}

function PendingJob({ job, drivers, onAssigned, onStale }: {
  job: Job;
  drivers: Driver[];
  onAssigned: (job: Job, driverName: string) => void;
  onStale: () => void;
}) {
  const s = strings.dispatch;
  const [driverId, setDriverId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const selectId = `assign-${job.id}`;

  const assign = async () => {
    if (!driverId) return;
    setBusy(true);
    setError(null);
    try {
      const updated = await assignJob(job.id, driverId, job.version);
      onAssigned(updated, drivers.find((d) => d.id === driverId)?.full_name ?? '');
    } catch (err) {
      setError(errorMessage(err, strings.errors));
      // Someone else got there first (409): show the board as it is now.
      if (err instanceof ApiError && err.status === 409) onStale();
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="pending-job" data-job-id={job.id}>
      <div className="row">
        <strong className="pending-job__address">{job.job_address}</strong>
        <span className="app__spacer" />
        <span>{formatMoney(job.quoted_price_cents)}</span>
      </div>
      <p className="muted pending-job__meta">{s.requested(formatDateTime(job.requested_at))}</p>
      {job.special_instructions && <p className="pending-job__notes">{job.special_instructions}</p>}
      <form
        className="row assign"
        onSubmit={(e) => {
          e.preventDefault();
          void assign();
        }}
      >
        <label className="visually-hidden" htmlFor={selectId}>
          {s.driverFor(job.job_address)}
        </label>
        <select id={selectId} value={driverId} onChange={(e) => setDriverId(e.target.value)} required>
          <option value="">{s.chooseDriver}</option>
          {drivers.map((d) => (
            <option key={d.id} value={d.id}>
              {s.driverOption(d.full_name, strings.driverStatus[d.status])}
            </option>
          ))}
        </select>
        <button type="submit" className="button button--primary" disabled={busy || !driverId}>
          {busy ? s.assigning : s.assign}
        </button>
      </form>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

interface LivePosition {
  lat: number;
  lng: number;
  /** Device time of the fix (ISO). */
  ts: string;
}

/** The newer of two ISO times (either may be missing). */
function newer(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function DriversTable({ drivers, live }: { drivers: Driver[]; live: Record<string, LivePosition> }) {
  const s = strings.dispatch;
  const now = useNow(5000);
  if (drivers.length === 0) return null;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">{s.driverColumn}</th>
          <th scope="col">{s.statusColumn}</th>
          <th scope="col">{s.positionColumn}</th>
        </tr>
      </thead>
      <tbody>
        {drivers.map((d) => {
          const seen = secondsSince(newer(d.location_updated_at, live[d.id]?.ts), now);
          return (
            <tr key={d.id} data-driver-id={d.id}>
              <td>{d.full_name}</td>
              <td>
                <span className={`status-pill driver-status--${d.status}`}>{strings.driverStatus[d.status]}</span>
              </td>
              <td className="muted">{seen === null ? s.neverSeen : s.lastSeen(strings.ago(seen))}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
