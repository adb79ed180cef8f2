import { statusStep } from '../../../contract/status-words';
import { useId, useState, type FormEvent } from 'react';
import { canTransition } from '../../../contract/state-machine';
import { ApiError } from '../lib/api';
import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { Link } from '../lib/router';
import { toast } from '../lib/toast';
import { signedFileUrl } from '../lib/upload';
import { Dialog } from '../ui/Dialog';
import { ErrorNotice, errorMessage, OpenButton } from '../ui/ErrorNotice';
import { StatusTag } from '../ui/StatusTag';
import { Fact } from '../ui/Fact';
import { ConfirmButton } from '../ui/ConfirmButton';
import type { Job } from '../../../contract/responses';
import { TERMINAL_JOB } from '../../../contract/job-status';
import {
  assignJob,
  cancelJob,
  customerLocations,
  getJob,
  jobPhotos,
  listInvoices,
  offeredTiers,
  openEvidencePdf,
  priceChanges,
  reassignJob,
  requoteJob,
  setAfterPhotoRule,
  setFinalPrice,
  statusHistory,
} from './admin-api';
import { useAdmin } from './AdminData';
import { DriverPicker } from './BoardPage';
import { DisputeControls } from './DisputeControls';
import { EvidenceDownload } from './EvidenceDownload';
import { api } from './session';
import { strings } from './strings';

/**
 * One job in a drawer over the board: details, timeline, price changes, photo, assign,
 * dispute, evidence pack, cancel.
 */
export function JobDrawer({ jobId, onClose }: { jobId: string; onClose: () => void }) {
  const d = strings.drawer;
  const admin = useAdmin();
  const id = useId();
  const key = `${jobId}:${admin.jobsVersion}`;
  const job = useResource((signal) => getJob(jobId, signal), key);
  const events = useResource((signal) => statusHistory(jobId, signal), `ev:${key}`);
  const prices = useResource((signal) => priceChanges(jobId, signal), `pc:${key}`);
  const invoice = useResource(
    async (signal) =>
      (await listInvoices({ status: '', job_id: jobId }, signal)).find((i) => i.status !== 'void') ?? null,
    `inv:${key}`,
  );
  const photo = useResource(
    (signal) =>
      job.data?.completion_photo_url
        ? signedFileUrl(api, job.data.completion_photo_url, signal)
        : Promise.resolve(null),
    `ph:${job.data?.completion_photo_url ?? ''}`,
  );
  const photos = useResource((signal) => jobPhotos(jobId, signal), `photos:${key}`);
  const [price, setPrice] = useState('');

  const j = job.data;
  const reassigning = j?.status === 'assigned';
  /** Does `work`, says `ok`, reloads the job; a refusal is shown and gives false. */
  const run = async (work: () => Promise<unknown>, ok: string): Promise<boolean> => {
    try {
      await work();
      toast.show({ kind: 'ok', message: ok });
      job.reload();
      events.reload();
      prices.reload();
      invoice.reload();
      admin.bumpJobs();
      return true;
    } catch (err) {
      toast.show({
        kind: 'error',
        message:
          err instanceof ApiError && err.status === 409
            ? strings.board.lostRace
            : err instanceof ApiError && err.isMissingRoute
              ? strings.unavailable(d.reassign)
              : errorMessage(err, strings.errors),
      });
      job.reload();
      return false;
    }
  };
  const driverName = (driverId: string | null) =>
    admin.drivers?.find((x) => x.id === driverId)?.full_name ?? strings.board.unassigned;
  const savePrice = (e: FormEvent) => {
    e.preventDefault();
    const cents = Math.round(Number(price.replace(/[$,\s]/g, '')) * 100);
    if (!j || !Number.isFinite(cents) || cents < 0) return;
    void run(() => setFinalPrice(j.id, cents, j.version), `${d.price}: ${formatMoney(cents)}`);
    setPrice('');
  };

  return (
    <Dialog title={j ? j.job_address : strings.loading} onClose={onClose} variant="drawer" closeLabel={d.close}>
      <ErrorNotice error={job.error} strings={strings.errors} onRetry={job.reload} />
      {j && (
        <div className="drawer" data-job-id={j.id}>
          <StatusTag status={j.status} label={strings.jobStatus[j.status]} icon={strings.statusIcon[j.status]} />
          <h3>{d.details}</h3>
          <dl className="facts">
            <Fact term={d.driver}>{driverName(j.driver_id)}</Fact>
            <Fact term={d.price}>{formatMoney(j.final_price_cents ?? j.quoted_price_cents)}</Fact>
            {invoice.data && (
              <Fact term={strings.invoices.number} data-testid="drawer-invoice">
                <Link href="/admin/invoices">{invoice.data.number}</Link> ·{' '}
                {(invoice.data.balance_due_cents ?? 0) > 0
                  ? strings.board.unpaid(formatMoney(invoice.data.balance_due_cents))
                  : (strings.invoices.statusLabel[invoice.data.status] ?? invoice.data.status)}
              </Fact>
            )}
            <Fact term={d.quoted}>{formatMoney(j.quoted_price_cents)}</Fact>
            <Fact term={d.requested}>{formatDateTime(j.requested_at)}</Fact>
            {j.special_instructions && <Fact term={d.notes}>{j.special_instructions}</Fact>}
          </dl>

          {(j.status === 'pending' || reassigning) && (
            <section key={j.status} aria-labelledby={`${id}-assign`}>
              <h3 id={`${id}-assign`}>{reassigning ? d.reassign : d.assign}</h3>
              <DriverPicker
                label={reassigning ? d.reassign : d.assign}
                {...(reassigning ? { submitLabel: d.reassign } : {})}
                onPick={(driverId) =>
                  void run(
                    () => (reassigning ? reassignJob : assignJob)(j.id, driverId, j.version),
                    strings.board.assigned(j.job_address, driverName(driverId)),
                  )
                }
              />
            </section>
          )}
          {j.status !== 'cancelled' && j.status !== 'completed' && (
            <form className="row" onSubmit={savePrice}>
              <label htmlFor={`${id}-price`}>{d.setPrice}</label>
              <input
                id={`${id}-price`}
                inputMode="decimal"
                value={price}
                onChange={(e) => setPrice(e.target.value)}
                className="grow"
              />
              <button type="submit" className="button button--secondary" disabled={!price.trim()}>
                {d.savePrice}
              </button>
            </form>
          )}

          {!TERMINAL_JOB.includes(j.status) && (
            <RequoteForm job={j} onSave={(change) => void run(() => requoteJob(j.id, change, j.version), d.requoted)} />
          )}

          <h3>{d.timeline}</h3>
          <ol className="timeline timeline--events">
            {(events.data ?? []).map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the history only grows at its end, so an index names one event.
              <li key={i} className="is-done">
                {e.previous_status === e.new_status ? d.accepted : statusStep(e.previous_status, e.new_status)}{' '}
                <time className="muted">· {formatDateTime(e.recorded_at ?? e.created_at)}</time>
                {e.notes && <span className="muted"> · {e.notes}</span>}
              </li>
            ))}
          </ol>

          <h3>{d.priceChanges}</h3>
          {prices.data === null ? (
            <p className="muted">{strings.unavailable(d.priceChanges)}</p>
          ) : prices.data?.length === 0 ? (
            <p className="muted">{d.noPriceChanges}</p>
          ) : (
            <ul className="list">
              {prices.data?.map((p) => (
                <li key={p.id}>
                  {d.priceChange(
                    formatMoney(p.old_price_cents),
                    formatMoney(p.new_price_cents),
                    formatDateTime(p.changed_at),
                  )}
                  {p.reason && <span className="muted"> · {p.reason}</span>}
                </li>
              ))}
            </ul>
          )}

          {photo.data && (
            <figure className="drawer__photo">
              <img src={photo.data} alt={d.photoAlt(j.job_address)} />
              <figcaption>{d.photo}</figcaption>
            </figure>
          )}

          <DisputeControls job={j} run={run} />
          <section aria-labelledby={`${id}-proof`} data-testid="drawer-proof">
            <h3 id={`${id}-proof`}>{d.proof}</h3>
            {photos.data && (
              <p className="muted" data-testid="photo-counts">
                {d.photoCounts(
                  photos.data.photos.filter((p) => p.kind === 'before').length,
                  photos.data.photos.filter((p) => p.kind === 'after').length,
                )}
              </p>
            )}
            {photos.data && j.status !== 'completed' && j.status !== 'cancelled' && (
              <div className="row">
                <label htmlFor={`${id}-after-rule`}>{d.afterRule}</label>
                <select
                  id={`${id}-after-rule`}
                  value={
                    photos.data.after_photo.source === 'job' ? String(photos.data.after_photo.required) : 'operator'
                  }
                  onChange={(e) => {
                    const v = e.target.value;
                    void run(
                      () => setAfterPhotoRule(j.id, v === 'operator' ? null : v === 'true'),
                      d.afterRuleSaved,
                    ).then(photos.reload);
                  }}
                >
                  <option value="operator">{d.afterRuleOperator}</option>
                  <option value="true">{d.afterRuleRequired}</option>
                  <option value="false">{d.afterRuleWaived}</option>
                </select>
              </div>
            )}
            <EvidenceDownload jobId={j.id} />
            <div className="row">
              <OpenButton open={() => openEvidencePdf(j.id)} strings={strings.errors}>
                {d.evidencePdf}
              </OpenButton>
            </div>
          </section>

          {canTransition(j.status, 'cancelled', 'admin') && (
            <ConfirmButton
              label={d.cancelJob}
              question={strings.board.cancelConfirm(j.job_address)}
              keep={d.keep}
              onConfirm={() => run(() => cancelJob(j.id), strings.board.cancelled(j.job_address))}
            />
          )}
        </div>
      )}
    </Dialog>
  );
}

/**
 * A new driveway tier or another of the customer's saved locations: the server re-quotes
 * the job from the tier prices (service area checked) and logs it with the reason.
 */
function RequoteForm({
  job,
  onSave,
}: {
  job: Job;
  onSave: (change: { driveway_tier_id?: number; location_id?: string }) => void;
}) {
  const d = strings.drawer;
  const id = useId();
  const tiers = useResource((signal) => offeredTiers(signal), 'offered-tiers');
  const locations = useResource((signal) => customerLocations(job.customer_id, signal), `loc:${job.customer_id}`);
  const [tierId, setTierId] = useState(job.driveway_tier_id);
  const [locationId, setLocationId] = useState(job.location_id ?? '');
  const change = {
    ...(tierId !== job.driveway_tier_id ? { driveway_tier_id: tierId } : {}),
    ...(locationId && locationId !== job.location_id ? { location_id: locationId } : {}),
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(change).length > 0) onSave(change);
  };
  return (
    <form aria-labelledby={`${id}-requote`} onSubmit={submit} data-testid="drawer-requote">
      <h3 id={`${id}-requote`}>{d.requote}</h3>
      <div className="row">
        <label htmlFor={`${id}-tier`}>{d.tier}</label>
        <select id={`${id}-tier`} value={tierId} onChange={(e) => setTierId(Number(e.currentTarget.value))}>
          {(tiers.data ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.tier_label} · {formatMoney(t.price_cents)}
            </option>
          ))}
        </select>
      </div>
      <div className="row">
        <label htmlFor={`${id}-loc`}>{d.location}</label>
        <select
          id={`${id}-loc`}
          value={locationId}
          onChange={(e) => setLocationId(e.currentTarget.value)}
          className="grow"
        >
          {!job.location_id && <option value="">{job.job_address}</option>}
          {(locations.data ?? []).map((l) => (
            <option key={l.id} value={l.id}>
              {l.label ? `${l.label}: ` : ''}
              {l.address_line1}, {l.city}
            </option>
          ))}
        </select>
        <button type="submit" className="button button--secondary" disabled={Object.keys(change).length === 0}>
          {d.saveRequote}
        </button>
      </div>
    </form>
  );
}
