import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError } from '../lib/api';
import { formatMoney } from '../lib/format';
import { newClientEventId, useResource } from '../lib/hooks';
import { navigate } from '../lib/router';
import { ErrorNotice, errorMessage } from '../ui/ErrorNotice';
import { estimate, loadRequestForm, requestPlow, type Estimate } from './jobs-api';
import { strings } from './strings';

export function RequestPage() {
  const s = strings.request;
  const id = useId();
  const form = useResource((signal) => loadRequestForm(signal), 'form');
  const [locationId, setLocationId] = useState<string>('');
  const [tierId, setTierId] = useState<number | null>(null);
  const [instructions, setInstructions] = useState('');
  const [quote, setQuote] = useState<Estimate | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [waitlisted, setWaitlisted] = useState(false);
  // One id per form: a retried submit after a lost response gets the same job back.
  const [clientEventId] = useState(() => newClientEventId('job'));

  // Preselect the default location and the first tier once they load.
  useEffect(() => {
    if (!form.data) return;
    setLocationId((cur) => cur || (form.data!.locations.find((l) => l.is_default) ?? form.data!.locations[0])?.id || '');
    setTierId((cur) => cur ?? form.data!.tiers[0]?.id ?? null);
  }, [form.data]);

  useEffect(() => {
    setQuote(null);
    if (!locationId || tierId === null) return;
    const ctrl = new AbortController();
    estimate({ driveway_tier_id: tierId, location_id: locationId }, ctrl.signal).then(setQuote, () => {});
    return () => ctrl.abort();
  }, [locationId, tierId]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!locationId || tierId === null) return;
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const outcome = await requestPlow({
        location_id: locationId,
        driveway_tier_id: tierId,
        ...(instructions.trim() ? { special_instructions: instructions.trim() } : {}),
        client_event_id: clientEventId,
      });
      if (outcome.kind === 'job') navigate(`/customer/jobs/${outcome.job.id}`);
      else setWaitlisted(true);
    } catch (err) {
      setError(errorMessage(err, strings.errors));
      if (err instanceof ApiError) setFieldErrors(err.fieldErrors());
    } finally {
      setBusy(false);
    }
  };

  if (form.loading && !form.data) return <p role="status">{s.loading}</p>;
  if (form.error) return <ErrorNotice error={form.error} strings={strings.errors} onRetry={form.reload} />;
  if (!form.data) return null;
  const { locations, tiers } = form.data;
  const outside = quote && !quote.in_service_area;

  if (waitlisted) {
    return (
      <section className="card">
        <h1>{s.title}</h1>
        <p className="notice notice--warn" role="status">
          {s.waitlisted}
        </p>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      {locations.length === 0 ? (
        <p className="notice notice--warn">{s.noLocations}</p>
      ) : (
        <form onSubmit={submit}>
          <fieldset>
            <legend>{s.location}</legend>
            {locations.map((l) => (
              <label key={l.id} className="choice">
                <input type="radio" name="location" value={l.id} checked={locationId === l.id} onChange={() => setLocationId(l.id)} />
                <span className="choice__main">
                  <strong>{l.label ?? l.address_line1}</strong>
                  <br />
                  <span className="muted">
                    {l.address_line1}, {l.city}
                  </span>
                </span>
              </label>
            ))}
            {fieldErrors.location_id && <p className="field-error">{fieldErrors.location_id}</p>}
          </fieldset>
          <fieldset>
            <legend>{s.tier}</legend>
            {tiers.map((t) => (
              <label key={t.id} className="choice">
                <input type="radio" name="tier" value={t.id} checked={tierId === t.id} onChange={() => setTierId(t.id)} />
                <span className="choice__main">{t.tier_label}</span>
                <span>{formatMoney(t.price_cents)}</span>
              </label>
            ))}
            {fieldErrors.driveway_tier_id && <p className="field-error">{fieldErrors.driveway_tier_id}</p>}
          </fieldset>
          <div className="field">
            <label htmlFor={`${id}-notes`}>{s.instructions}</label>
            <textarea id={`${id}-notes`} maxLength={1000} value={instructions} onChange={(e) => setInstructions(e.target.value)} aria-describedby={`${id}-notes-hint`} />
            <p id={`${id}-notes-hint`} className="hint">
              {s.instructionsHint}
            </p>
            {fieldErrors.special_instructions && <p className="field-error">{fieldErrors.special_instructions}</p>}
          </div>
          <div aria-live="polite">
            {quote && quote.in_service_area && <p className="quote">{s.estimate(formatMoney(quote.quoted_price_cents))}</p>}
            {outside && <p className="notice notice--warn">{s.outsideArea(quote.distance_miles.toFixed(1))}</p>}
          </div>
          {error && (
            <p className="notice notice--error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button button--primary button--block" disabled={busy || !locationId || tierId === null || !!outside}>
            {busy ? s.submitting : s.submit}
          </button>
        </form>
      )}
    </section>
  );
}
