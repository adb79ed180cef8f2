import { useId, useState, type FormEvent } from 'react';
import type { Job } from '../../../contract/responses';
import { ApiError } from '../lib/api';
import { formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { Dialog } from '../ui/Dialog';
import { ErrorNotice, errorMessage, FormAlert } from '../ui/ErrorNotice';
import { FormActions, TextAreaField, FieldError } from '../ui/Field';
import { editMyJob, loadRequestForm, type JobEdit } from './jobs-api';
import { useEstimate } from './use-estimate';
import { futureInstant, useWhen, WhenFieldset } from './Choice';
import { strings } from './strings';
import { FIELD_MAX } from '../../../contract/field-messages';

const WHEN_LABELS = {
  when: strings.edit.when,
  now: strings.edit.asap,
  later: strings.edit.scheduledFor,
  at: strings.edit.scheduledFor,
};

/** An ISO instant as a `datetime-local` value in the browser's zone ("2026-01-03T07:00"). */
function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/**
 * The customer's change of a job before a driver sets out: time, instructions, driveway
 * size, place. A new size or place shows the new price (the same estimate a new request
 * gets) before anything is saved; the server re-quotes it when saved.
 */
export function EditJobDialog({
  job,
  onClose,
  onSaved,
}: {
  job: Job;
  onClose: () => void;
  onSaved: (job: Job) => void;
}) {
  const s = strings.edit;
  const id = useId();
  const form = useResource((signal) => loadRequestForm(signal), 'form');
  const [locationId, setLocationId] = useState(job.location_id ?? '');
  const [tierId, setTierId] = useState(job.driveway_tier_id);
  const when = useWhen({ later: !!job.scheduled_for, at: toLocalInput(job.scheduled_for) });
  const [instructions, setInstructions] = useState(job.special_instructions ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const requote = tierId !== job.driveway_tier_id || (!!locationId && locationId !== job.location_id);
  const currentPrice = job.final_price_cents ?? job.quoted_price_cents;

  const { quote, quoting } = useEstimate(tierId, locationId, requote);

  /** Only what differs from the job as it stands. */
  const changes = (): JobEdit | string => {
    const body: JobEdit = {};
    if (when.later) {
      const t = futureInstant(when.at);
      if (!t) return s.pastTime;
      if (t.getTime() !== (job.scheduled_for ? Date.parse(job.scheduled_for) : null))
        body.scheduled_for = t.toISOString();
    } else if (job.scheduled_for) {
      body.scheduled_for = null;
    }
    const notes = instructions.trim();
    if (notes !== (job.special_instructions ?? '')) body.special_instructions = notes || null;
    if (tierId !== job.driveway_tier_id) body.driveway_tier_id = tierId;
    if (locationId && locationId !== job.location_id) body.location_id = locationId;
    return body;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = changes();
    if (typeof body === 'string') {
      setFieldErrors({ scheduled_for: body });
      return;
    }
    if (Object.keys(body).length === 0) {
      setError(s.nothingChanged);
      return;
    }
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const saved = await editMyJob(job.id, {
        ...body,
        ...(job.version === undefined ? {} : { expected_version: job.version }),
      });
      toast.show({ kind: 'ok', message: s.saved });
      onSaved(saved);
    } catch (err) {
      setError(errorMessage(err, strings.errors));
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  const outside = quote && !quote.in_service_area;
  return (
    <Dialog title={s.title} onClose={onClose} closeLabel={s.close}>
      <ErrorNotice error={form.error} strings={strings.errors} onRetry={form.reload} />
      {form.data && (
        <form className="edit-job" onSubmit={submit} data-testid="edit-job">
          <div className="field">
            <label htmlFor={`${id}-where`}>{s.location}</label>
            <select id={`${id}-where`} value={locationId} onChange={(e) => setLocationId(e.currentTarget.value)}>
              {!job.location_id && <option value="">{job.job_address}</option>}
              {form.data.locations.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label ? `${l.label}: ` : ''}
                  {l.address_line1}, {l.city}
                </option>
              ))}
            </select>
            <FieldError message={fieldErrors.location_id} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-tier`}>{s.tier}</label>
            <select id={`${id}-tier`} value={tierId} onChange={(e) => setTierId(Number(e.currentTarget.value))}>
              {form.data.tiers.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.tier_label} · {formatMoney(t.price_cents)}
                </option>
              ))}
            </select>
            <FieldError message={fieldErrors.driveway_tier_id} />
          </div>
          <WhenFieldset id={id} labels={WHEN_LABELS} when={when} error={fieldErrors.scheduled_for} />
          <TextAreaField
            id={`${id}-notes`}
            label={s.instructions}
            maxLength={FIELD_MAX.instructions}
            value={instructions}
            onValue={setInstructions}
            error={fieldErrors.special_instructions}
          />
          <div aria-live="polite" data-testid="edit-quote">
            {requote && quoting && !quote && <p className="muted">{s.estimating}</p>}
            {quote?.in_service_area &&
              (quote.quoted_price_cents === currentPrice ? (
                <p className="quote">{s.samePrice(formatMoney(quote.quoted_price_cents))}</p>
              ) : (
                <p className="quote">{s.newPrice(formatMoney(quote.quoted_price_cents), formatMoney(currentPrice))}</p>
              ))}
            {outside && <p className="notice notice--warn">{s.outsideArea(quote.distance_miles.toFixed(1))}</p>}
          </div>
          <FormAlert message={error} />
          <FormActions
            submit={busy ? s.saving : s.save}
            disabled={busy || !!outside}
            cancel={s.cancel}
            onCancel={onClose}
          />
        </form>
      )}
    </Dialog>
  );
}
