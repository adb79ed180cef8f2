import { type DragEvent, useId, useState } from 'react';
import { formatTime } from '../lib/format';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { ErrorNotice, toastError } from '../ui/ErrorNotice';
import { useAdmin } from './AdminData';
import { moveStop, planStorm, type RouteStop, stormRoutes } from './storm-api';
import { strings } from './strings';

const s = strings.stormRoutes;

/**
 * The open storm's routes, one column per driver: stops in order with their estimate and
 * whether the deadline is at risk. A stop moves to another driver by dragging it onto that
 * driver's column, or with its "Move to driver…" select (keyboard and screen readers).
 */
export function StormRoutesPanel({ stormId }: { stormId: string }) {
  const id = useId();
  const { drivers, jobsVersion } = useAdmin();
  const routes = useResource((signal) => stormRoutes(stormId, signal), `routes:${stormId}:${jobsVersion}`);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState<string | null>(null);
  const nameOf = (driverId: string) => drivers?.find((d) => d.id === driverId)?.full_name ?? s.unknownDriver;

  const run = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await work();
      toast.show({ kind: 'ok', message: done });
      routes.reload();
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };
  const move = (stop: RouteStop, driverId: string) =>
    void run(() => moveStop(stop.job_id, driverId), s.moved(stop.address, nameOf(driverId)));

  const list = routes.data?.routes ?? [];
  // Drivers on shift without a route yet can take a stop too.
  const onShift = (drivers ?? []).filter((d) => ['available', 'en_route', 'on_job'].includes(d.status));
  const columns = [
    ...list.map((r) => r.driver_id),
    ...onShift.map((d) => d.id).filter((d) => !list.some((r) => r.driver_id === d)),
  ];
  const stopsOf = (driverId: string) => list.find((r) => r.driver_id === driverId)?.stops ?? [];
  const findStop = (jobId: string) => list.flatMap((r) => r.stops).find((x) => x.job_id === jobId);
  const onDrop = (driverId: string) => (e: DragEvent) => {
    e.preventDefault();
    const jobId = e.dataTransfer.getData('text/plain') || dragging;
    setDragging(null);
    const stop = jobId ? findStop(jobId) : undefined;
    if (stop && !stopsOf(driverId).some((x) => x.job_id === stop.job_id)) move(stop, driverId);
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="row">
        <h2 id={`${id}-title`}>{s.title}</h2>
        <button
          type="button"
          className="button button--primary"
          disabled={busy}
          onClick={() => void run(() => planStorm(stormId), s.planned)}
        >
          {list.length ? s.replan : s.plan}
        </button>
      </div>
      <ErrorNotice error={routes.error} strings={strings.errors} onRetry={routes.reload} />
      {routes.data && list.length === 0 && <p className="muted">{s.none}</p>}
      {routes.data && routes.data.unassigned.length > 0 && (
        <p className="muted">{s.unplanned(routes.data.unassigned.length)}</p>
      )}
      {list.length > 0 && <p className="hint">{s.dragHint}</p>}
      <div className="routes">
        {list.length > 0 &&
          columns.map((driverId) => {
            const stops = stopsOf(driverId);
            const name = nameOf(driverId);
            return (
              <section
                key={driverId}
                className={`routes__driver ${dragging ? 'is-drop-target' : ''}`}
                aria-label={s.routeOf(name)}
                data-driver-id={driverId}
                onDragOver={(e) => e.preventDefault()}
                onDrop={onDrop(driverId)}
              >
                <h3>
                  {name} <span className="muted">· {s.stopCount(stops.length)}</span>
                </h3>
                {stops.length === 0 && <p className="muted">{s.empty}</p>}
                <ol className="routes__stops">
                  {stops.map((stop) => (
                    <li
                      key={stop.job_id}
                      className={`routes__stop ${stop.at_risk ? 'is-at-risk' : ''}`}
                      draggable={!busy && (stop.status === 'pending' || stop.status === 'assigned')}
                      onDragStart={(e) => {
                        e.dataTransfer.setData('text/plain', stop.job_id);
                        e.dataTransfer.effectAllowed = 'move';
                        setDragging(stop.job_id);
                      }}
                      onDragEnd={() => setDragging(null)}
                      data-job-id={stop.job_id}
                    >
                      <strong>
                        {stop.position}. {stop.address}
                      </strong>
                      <div className="muted">
                        {s.eta(formatTime(stop.eta))}
                        {stop.deadline_at && ` · ${s.deadline(formatTime(stop.deadline_at))}`}
                        {stop.locked && ` · ${s.pinned}`}
                      </div>
                      {stop.at_risk && <div className="badge badge--warn">{s.atRisk}</div>}
                      {(stop.status === 'pending' || stop.status === 'assigned') && (
                        <label className="routes__move">
                          <span className="visually-hidden">{s.moveLabel(stop.address)}</span>
                          <select
                            value=""
                            disabled={busy}
                            onChange={(e) => e.target.value && move(stop, e.target.value)}
                          >
                            <option value="">{s.moveTo}</option>
                            {columns
                              .filter((d) => d !== driverId)
                              .map((d) => (
                                <option key={d} value={d}>
                                  {nameOf(d)}
                                </option>
                              ))}
                          </select>
                        </label>
                      )}
                    </li>
                  ))}
                </ol>
              </section>
            );
          })}
      </div>
    </section>
  );
}
