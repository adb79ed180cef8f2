import { useCallback, useEffect, useRef, useState } from 'react';
import { OPEN_INVOICE_STATUSES, type InvoiceStatus, type JobStatus } from '../../../contract/enums';
import { ACTIVE_JOB, HAPPY_PATH, NOT_STARTED_JOB, TERMINAL_JOB, isIn } from '../../../contract/job-status';
import { canTransition } from '../../../contract/state-machine';
import { freshnessOf } from '../../../contract/freshness';
import type { ServerMessage } from '../../../contract/ws';
import { ApiError } from '../lib/api';
import type { Invoice, Job, StatusEvent } from '../../../contract/responses';
import { formatDateTime, formatMoney, formatTime, secondsSince } from '../lib/format';
import { arrivalMinutes, type Arrival, type TimedFix } from '../lib/arrival';
import { distanceMeters } from '../lib/geo';
import { useInterval, useNow, useResource } from '../lib/hooks';
import { Link } from '../lib/router';
import { toast } from '../lib/toast';
import { signedFileUrl } from '../lib/upload';
import { useRealtime } from '../lib/use-realtime';
import { MapView } from '../map/MapView';
import { type MapMarker, plowMarker } from '../map/types';
import { ConnectionBadge } from '../ui/ConnectionBadge';
import { Fact } from '../ui/Fact';
import { ConfirmButton } from '../ui/ConfirmButton';
import { useAction } from '../ui/form-submit';
import { ErrorNotice, FormAlert, toastError, OpenButton } from '../ui/ErrorNotice';

import type { RouteEtaPayload } from '../../../contract/ws';
import { EditJobDialog } from './EditJobDialog';
import {
  cancelJob,
  driverLocation,
  getJob,
  jobContact,
  jobInvoice,
  openEvidencePdf,
  openInvoicePdf,
  routeEta,
  statusHistory,
} from './jobs-api';
import { api, session } from './session';
import { strings } from './strings';

/** Live page of one job: status, timeline, the plow on a map; polling when the socket is down. */

/** Wait this long for the socket before falling back to polling. */
const POLL_GRACE_MS = 4_000;
const POLL_LOCATION_MS = 5_000;
const POLL_JOB_MS = 15_000;
/** How many recent fixes the map draws as the plow's path. */
const TRAIL_POINTS = 30;

interface Fix {
  lat: number;
  lng: number;
  accuracy: number | null;
  heading: number | null;
  /** Device time of the fix (ISO). */
  ts: string;
}

export function LiveJobPage({ jobId }: { jobId: string }) {
  const s = strings.live;
  const job = useResource((signal) => getJob(jobId, signal), jobId);
  const history = useResource((signal) => statusHistory(jobId, signal), `history:${jobId}`);
  const [fix, setFix] = useState<Fix | null>(null);
  const [trail, setTrail] = useState<TimedFix[]>([]);
  const [polling, setPolling] = useState(false);
  const [place, setPlace] = useState<RouteEtaPayload | null>(null);
  const [editing, setEditing] = useState(false);
  const now = useNow(1000);
  const status = job.data?.status;
  const terminal = status ? TERMINAL_JOB.includes(status) : false;
  // A finished job's bill: its room stays open until the bill is settled and says when it
  // changes; the socket stays while the bill is still being read.
  const invoice = useResource(
    (signal) => jobInvoice(jobId, signal),
    status === 'completed' ? `invoice:${jobId}` : null,
  );
  const billOpen =
    status === 'completed' &&
    (invoice.data === undefined ||
      (invoice.data !== null && OPEN_INVOICE_STATUSES.includes(invoice.data.status as InvoiceStatus)));

  // Newer fixes only: a slow poll answer must not move the plow back.
  const takeFix = useCallback((next: Fix) => {
    setFix((cur) => (cur && Date.parse(cur.ts) >= Date.parse(next.ts) ? cur : next));
  }, []);

  // The last few fixes: the path the plow has just driven.
  useEffect(() => {
    if (fix) setTrail((t) => [...t, { lat: fix.lat, lng: fix.lng, ts: fix.ts }].slice(-TRAIL_POINTS));
  }, [fix]);

  const seen = useRef<JobStatus | null>(null);
  useEffect(() => {
    if (!status) return;
    const before = seen.current;
    seen.current = status;
    if (before === null || before === status) return;
    if (status === 'arrived') toast.show({ kind: 'ok', message: s.arrivedNotice, durationMs: 15_000 });
    if (status === 'completed') toast.show({ kind: 'ok', message: s.completedNotice, durationMs: 15_000 });
  }, [status, s]);

  const onMessage = useCallback(
    (msg: ServerMessage) => {
      if (msg.type === 'job_status' && msg.payload.job_id === jobId) {
        const next = msg.payload.new_status;
        job.setData((prev) =>
          prev ? { ...prev, status: next, driver_id: msg.payload.driver_id ?? prev.driver_id } : prev!,
        );
        if (next === 'pending') {
          // The driver declined: their position and path no longer matter.
          setFix(null);
          setTrail([]);
        }
        history.reload();
        if (next === 'completed') job.reload(); // the photo and final price
      } else if (msg.type === 'invoice_changed' && msg.payload.job_id === jobId) {
        invoice.reload(); // the driver recorded the payment, or the office refunded it
      } else if (msg.type === 'job_updated' && msg.payload.job_id === jobId) {
        job.reload(); // a new time, place or price
      } else if (msg.type === 'route_eta' && msg.payload.job_id === jobId) {
        const next = msg.payload;
        setPlace((cur) => (cur && Date.parse(cur.ts) > Date.parse(next.ts) ? cur : next));
      } else if (msg.type === 'driver_location' && msg.payload.job_id === jobId) {
        const p = msg.payload;
        takeFix({ lat: p.lat, lng: p.lng, accuracy: p.accuracy, heading: p.heading, ts: p.ts });
      }
    },
    [jobId, job.setData, job.reload, history.reload, invoice.reload, takeFix],
  );

  // A storm-route stop: its place in line on load (and when the status moves); `route_eta` keeps it current.
  useEffect(() => {
    if (status !== 'pending' && status !== 'assigned') return;
    const ctrl = new AbortController();
    routeEta(jobId, ctrl.signal).then(
      (p) => setPlace(p ?? null),
      () => {},
    );
    return () => ctrl.abort();
  }, [jobId, status]);

  const listening = !!job.data && (!terminal || billOpen);
  const { state } = useRealtime({ session, topic: `job:${jobId}`, enabled: listening }, onMessage);

  useEffect(() => {
    if (state === 'open' || !listening) {
      setPolling(false);
      return;
    }
    const t = setTimeout(() => setPolling(true), POLL_GRACE_MS);
    return () => clearTimeout(t);
  }, [state, listening]);

  const poll = useCallback(() => {
    driverLocation(jobId).then(
      (loc) =>
        loc &&
        takeFix({
          lat: loc.lat,
          lng: loc.lng,
          accuracy: loc.accuracy,
          heading: loc.heading ?? null,
          ts: loc.recorded_at,
        }),
      () => {},
    );
  }, [jobId, takeFix]);
  const pollingLive = polling && !!job.data && !terminal;
  useInterval(poll, POLL_LOCATION_MS, pollingLive);
  useInterval(job.reload, POLL_JOB_MS, pollingLive);
  useInterval(history.reload, POLL_JOB_MS, pollingLive);
  // Without the socket, a bill still open is read again now and then (a payment at the office).
  useInterval(invoice.reload, POLL_JOB_MS, polling && billOpen);
  useEffect(() => {
    if (pollingLive) poll();
  }, [pollingLive, poll]);

  if (job.error && !job.data) {
    const missing = job.error instanceof ApiError && job.error.status === 404;
    return missing ? (
      <p className="notice notice--error">{s.notFound}</p>
    ) : (
      <ErrorNotice error={job.error} strings={strings.errors} onRetry={job.reload} />
    );
  }
  if (!job.data || !status) return <p role="status">{s.loading}</p>;

  const j = job.data;
  const home = { lat: j.lat, lng: j.lng };
  const showPlow = fix && !terminal && status !== 'pending';
  const meters = showPlow ? distanceMeters(home, fix) : null;
  const age = showPlow ? secondsSince(fix.ts, now) : null;
  const freshness = freshnessOf(age);
  const onRoute = place && (status === 'pending' || status === 'assigned');
  const arrival =
    status === 'en_route' || onRoute
      ? arrivalMinutes({ now, home, fixes: showPlow ? trail : [], routeEta: onRoute ? place.eta : null })
      : null;
  const markers: MapMarker[] = [{ id: 'home', kind: 'home', ...home, label: s.mapHome }];
  if (showPlow)
    markers.push({
      ...plowMarker('plow', s.mapPlow, fix),
      tag: freshness === 'live' ? undefined : s.freshnessTag[freshness],
    });

  return (
    <section className="live" aria-labelledby="live-title">
      <div className="row page-head">
        <h1 id="live-title">{s.title}</h1>
        <span className="app__spacer" />
        {listening && <ConnectionBadge state={state} strings={strings.connection} />}
      </div>
      <p className={`live__status live__status--${status}`} role="status" aria-live="polite" data-status={status}>
        <span aria-hidden="true">{strings.statusIcon[status]} </span>
        {strings.status[status]}
      </p>

      {place && (status === 'pending' || status === 'assigned') && <PlaceInLine place={place} now={now} />}

      {!terminal && !(place && (status === 'pending' || status === 'assigned')) && (
        <div className="card split live__map-card">
          <MapView
            className="live-map"
            center={home}
            markers={markers}
            follow
            trail={showPlow ? trail : undefined}
            label={s.mapLabel(meters !== null ? strings.distance(meters) : null)}
            distanceLabel={strings.distance}
          />
          <div className="live__readout" aria-live="polite">
            {showPlow && meters !== null ? (
              <>
                <p className="live__distance" data-meters={Math.round(meters)}>
                  {s.distance(strings.distance(meters))}
                </p>
                <p className={`live__freshness live__freshness--${freshness}`} data-freshness={freshness}>
                  <span className="live__freshness-dot" aria-hidden="true" />
                  {s.freshness[freshness](strings.ago(age ?? 0))}
                </p>
                {fix.accuracy !== null && <p className="muted live__age">{s.accuracy(fix.accuracy)}</p>}
              </>
            ) : (
              <p className="muted">{status === 'pending' ? s.noDriverYet : s.noFix}</p>
            )}
            {polling && <p className="hint">{s.polling}</p>}
          </div>
        </div>
      )}

      {isIn(ACTIVE_JOB, status) && (
        <WhoIsComing jobId={jobId} driverId={j.driver_id} status={status} arrival={arrival} />
      )}

      {status === 'completed' && <Completion job={j} invoice={invoice.data ?? null} />}

      <div className="card">
        <dl className="facts">
          <Fact term={s.address}>{j.job_address}</Fact>
          <Fact term={s.price} data-testid="price">
            {formatMoney(j.final_price_cents ?? j.quoted_price_cents)}
          </Fact>
          {j.special_instructions && (
            <Fact term={s.instructions} data-testid="instructions">
              {j.special_instructions}
            </Fact>
          )}
          {j.scheduled_for && <Fact term={s.scheduled('')}>{formatDateTime(j.scheduled_for)}</Fact>}
        </dl>
        <h2 className="visually-hidden">{s.timeline}</h2>
        <Timeline status={status} events={history.data ?? []} />
        {NOT_STARTED_JOB.includes(status) && (
          <button type="button" className="button button--secondary" onClick={() => setEditing(true)}>
            {strings.edit.open}
          </button>
        )}
        {editing && NOT_STARTED_JOB.includes(status) && (
          <EditJobDialog
            job={j}
            onClose={() => setEditing(false)}
            onSaved={(updated) => {
              job.setData(updated);
              setEditing(false);
            }}
          />
        )}
        {canTransition(status, 'cancelled', 'customer') && (
          <CancelControl jobId={jobId} onCancelled={(updated) => (job.setData(updated), history.reload())} />
        )}
      </div>
      <Link href="/customer">{s.backToJobs}</Link>
    </section>
  );
}

/**
 * Who is coming, and when: the driver's first name, truck and plate, the arrival estimate
 * (web/src/lib/arrival.ts), and a call or text to the office about the job under way: the
 * operator's public number, never the driver's own.
 */
function WhoIsComing({
  jobId,
  driverId,
  status,
  arrival,
}: {
  jobId: string;
  driverId: string | null;
  status: JobStatus;
  arrival: Arrival | null;
}) {
  const s = strings.live;
  const w = strings.coming;
  // Asked again when another driver takes the job over.
  const contact = useResource((signal) => jobContact(jobId, signal).catch(() => null), `contact:${jobId}:${driverId}`);
  const c = contact.data;
  const driver = c?.driver ?? null;
  const vehicle = driver ? w.vehicle(driver) : null;
  const when =
    status === 'arrived' || status === 'in_progress'
      ? w.here
      : arrival === null
        ? null
        : arrival.minutes === 0
          ? w.arriving
          : w.minutes(arrival.minutes);
  if (!driver && !c?.phone && !when) return null;
  return (
    <section className="card live__coming" aria-labelledby="coming-title" data-testid="who-is-coming">
      <h2 id="coming-title">{w.title}</h2>
      {driver && (
        <p className="live__driver" data-testid="driver-name">
          {w.driver(driver.first_name)}
          {vehicle && (
            <>
              {' · '}
              <span data-testid="driver-vehicle">{vehicle}</span>
            </>
          )}
        </p>
      )}
      {when && (
        <p
          className="live__eta"
          data-testid="arrival-estimate"
          data-minutes={arrival?.minutes}
          data-source={arrival?.source}
        >
          <strong>{when}</strong>
          {arrival && arrival.source !== 'route' && status === 'en_route' && (
            <span className="muted"> · {w.basis[arrival.source]}</span>
          )}
        </p>
      )}
      {c?.phone && (
        <>
          <p className="muted">{s.contactBody(c.business_name)}</p>
          <div className="row">
            <a className="button button--primary" href={`tel:${c.phone}`}>
              {s.call}
            </a>
            <a className="button button--secondary" href={`sms:${c.phone}`}>
              {s.text}
            </a>
          </div>
        </>
      )}
    </section>
  );
}

/** Each step with the time it happened (from the status history), current step marked. */
function Timeline({ status, events }: { status: JobStatus; events: StatusEvent[] }) {
  const reached = new Map<JobStatus, string>();
  for (const e of events)
    if (e.previous_status !== e.new_status && !reached.has(e.new_status))
      reached.set(e.new_status, e.recorded_at ?? e.created_at);
  if (!HAPPY_PATH.includes(status)) {
    return (
      <ol className="timeline">
        <li className="is-current" aria-current="step">
          {strings.statusShort[status]}{' '}
          {reached.get(status) && <time className="muted">· {formatTime(reached.get(status)!)}</time>}
        </li>
      </ol>
    );
  }
  const at = HAPPY_PATH.indexOf(status);
  return (
    <ol className="timeline">
      {HAPPY_PATH.map((step, i) => {
        const when = step === 'pending' ? (events[0]?.created_at ?? null) : reached.get(step);
        return (
          <li
            key={step}
            className={i < at ? 'is-done' : i === at ? 'is-current' : undefined}
            aria-current={i === at ? 'step' : undefined}
            data-step={step}
          >
            <span aria-hidden="true">{i < at ? '✓ ' : i === at ? '● ' : '○ '}</span>
            {strings.statusShort[step]}
            {when && i <= at && <time className="muted"> · {formatTime(when)}</time>}
          </li>
        );
      })}
    </ol>
  );
}

function Completion({ job, invoice }: { job: Job; invoice: Invoice | null }) {
  const s = strings.live;
  const photo = useResource(
    (signal) =>
      job.completion_photo_url ? signedFileUrl(api, job.completion_photo_url, signal) : Promise.resolve(null),
    `photo:${job.completion_photo_url}`,
  );
  return (
    <div className="card completion">
      {photo.data && (
        <figure className="completion__photo">
          <img src={photo.data} alt={s.photoAlt(job.job_address)} data-testid="completion-photo" />
          <figcaption>{s.photo}</figcaption>
        </figure>
      )}
      <h2>{s.invoice}</h2>
      {invoice ? (
        <div className="row" data-invoice-id={invoice.id}>
          <span>
            {s.invoiceTotal(
              formatMoney(invoice.total_cents),
              strings.invoices.statusLabel[invoice.status] ?? invoice.status,
            )}
            {(invoice.balance_due_cents ?? 0) > 0 && (
              <span className="muted" data-testid="balance-due">
                {' '}
                · {s.balanceDue(formatMoney(invoice.balance_due_cents))}
              </span>
            )}
          </span>
          <span className="app__spacer" />
          <OpenButton open={() => openInvoicePdf(invoice.id)} strings={strings.errors}>
            {s.openPdf}
          </OpenButton>
        </div>
      ) : (
        <p className="muted">{s.noInvoice}</p>
      )}
      <p className="completion__proof">
        <a
          href={`/api/v1/jobs/${job.id}/evidence.pdf`}
          data-testid="proof-of-service"
          onClick={(e) => {
            e.preventDefault();
            void openEvidencePdf(job.id).catch((err: unknown) => toastError(err, strings.errors));
          }}
        >
          {s.proof}
        </a>{' '}
        <span className="muted">{s.proofHint}</span>
      </p>
    </div>
  );
}

function CancelControl({ jobId, onCancelled }: { jobId: string; onCancelled: (job: Job) => void }) {
  const s = strings.live;
  const { busy, error, run } = useAction(strings.errors);
  const cancel = () =>
    run(async () => {
      onCancelled(await cancelJob(jobId));
      toast.show({ kind: 'info', message: s.cancelled });
    });
  return (
    <div className="cancel">
      <FormAlert message={error} />
      <ConfirmButton
        label={s.cancel}
        question={s.confirmCancel}
        keep={s.keep}
        onConfirm={cancel}
        busy={busy}
        busyLabel={s.cancelling}
      />
    </div>
  );
}

/** A stop on a storm route before the driver sets out: how many stops come first, and a countdown to the estimate. */
function PlaceInLine({ place, now }: { place: RouteEtaPayload; now: number }) {
  const p = strings.place;
  const minutes = Math.ceil((Date.parse(place.eta) - now) / 60_000);
  return (
    <section className="card live__place" aria-labelledby="place-title" data-stops-before={place.stops_before}>
      <h2 id="place-title">{p.title}</h2>
      <p className="live__distance" role="status" aria-live="polite">
        {p.before(place.stops_before)}
      </p>
      <p data-testid="place-eta">{p.eta(minutes, formatTime(place.eta))}</p>
      <p className="hint">{p.mapSoon}</p>
    </section>
  );
}
