import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError } from '../lib/api';
import { formatMoney } from '../lib/format';
import { newClientEventId, useResource } from '../lib/hooks';
import { Link, navigate } from '../lib/router';
import { ErrorNotice, errorMessage, FormAlert } from '../ui/ErrorNotice';
import { EmailVerification } from './AccountPage';
import { getProfile, loadRequestForm, requestPlow } from './jobs-api';
import { useEstimate } from './use-estimate';
import { Choice, futureInstant, useWhen, WhenFieldset } from './Choice';
import { strings } from './strings';
import { FIELD_MAX } from '../../../contract/field-messages';
import { FieldError } from '../ui/Field';

const WHEN_LABELS = {
  when: strings.request.when,
  now: strings.request.now,
  later: strings.request.later,
  at: strings.request.scheduledFor,
};

/** Where, which driveway size (with prices), now or later, notes → a job (or the waitlist). */
export function RequestPage() {
  const s = strings.request;
  const id = useId();
  const form = useResource((signal) => loadRequestForm(signal), 'form');
  const profile = useResource((signal) => getProfile(signal).catch(() => null), 'profile');
  const [locationId, setLocationId] = useState<string>('');
  const [tierId, setTierId] = useState<number | null>(null);
  const when = useWhen({ later: false, at: '' });
  const [instructions, setInstructions] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [waitlisted, setWaitlisted] = useState(false);
  // One id per form: a retried submit after a lost response gets the same job back.
  const [clientEventId] = useState(() => newClientEventId('job'));

  useEffect(() => {
    if (!form.data) return;
    setLocationId(
      (cur) => cur || (form.data!.locations.find((l) => l.is_default) ?? form.data!.locations[0])?.id || '',
    );
    setTierId((cur) => cur ?? form.data!.tiers[0]?.id ?? null);
  }, [form.data]);

  const { quote, quoting } = useEstimate(tierId, locationId);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!locationId || tierId === null) return;
    let scheduled: string | undefined;
    if (when.later) {
      const t = futureInstant(when.at);
      if (!t) {
        setFieldErrors({ scheduled_for: s.pastTime });
        return;
      }
      scheduled = t.toISOString();
    }
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const outcome = await requestPlow({
        location_id: locationId,
        driveway_tier_id: tierId,
        ...(instructions.trim() ? { special_instructions: instructions.trim() } : {}),
        ...(scheduled ? { scheduled_for: scheduled } : {}),
        client_event_id: clientEventId,
      });
      if (outcome.kind === 'job') navigate(`/customer/jobs/${outcome.job.id}`);
      else setWaitlisted(true);
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'email_not_verified'
          ? s.verifyFirst
          : errorMessage(err, strings.errors),
      );
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
      <EmailVerification profile={profile.data ?? null} compact />
      {locations.length === 0 ? (
        <div className="notice notice--warn">
          <p>{s.noLocations}</p>
          <Link className="button button--primary" href="/customer/locations">
            {s.addLocation}
          </Link>
        </div>
      ) : (
        <form onSubmit={submit}>
          <fieldset>
            <legend>{s.location}</legend>
            {locations.map((l) => (
              <Choice
                key={l.id}
                name="location"
                value={l.id}
                checked={locationId === l.id}
                onPick={() => setLocationId(l.id)}
              >
                <span className="choice__main">
                  <strong>{l.label ?? l.address_line1}</strong>
                  <br />
                  <span className="muted">
                    {l.address_line1}, {l.city}
                  </span>
                </span>
              </Choice>
            ))}
            <FieldError message={fieldErrors.location_id} />
          </fieldset>
          <fieldset>
            <legend>{s.tier}</legend>
            <div className="tiers">
              {tiers.map((t) => (
                <Choice
                  key={t.id}
                  className="choice tier"
                  name="tier"
                  value={t.id}
                  checked={tierId === t.id}
                  onPick={() => setTierId(t.id)}
                >
                  <span className="choice__main">{t.tier_label}</span>
                  <span className="tier__price">{formatMoney(t.price_cents)}</span>
                </Choice>
              ))}
            </div>
            <FieldError message={fieldErrors.driveway_tier_id} />
          </fieldset>
          <WhenFieldset id={id} labels={WHEN_LABELS} when={when} error={fieldErrors.scheduled_for} />
          <div className="field">
            <label htmlFor={`${id}-notes`}>{s.instructions}</label>
            <textarea
              id={`${id}-notes`}
              maxLength={FIELD_MAX.instructions}
              value={instructions}
              onChange={(e) => setInstructions(e.target.value)}
              aria-describedby={`${id}-notes-hint`}
            />
            <p id={`${id}-notes-hint`} className="hint">
              {s.instructionsHint}
            </p>
            <FieldError message={fieldErrors.special_instructions} />
          </div>
          <div aria-live="polite">
            {quoting && !quote && <p className="muted">{s.estimating}</p>}
            {quote && quote.in_service_area && (
              <p className="quote">{s.estimate(formatMoney(quote.quoted_price_cents))}</p>
            )}
            {outside && <p className="notice notice--warn">{s.outsideArea(quote.distance_miles.toFixed(1))}</p>}
          </div>
          <FormAlert message={error} />
          <button
            type="submit"
            className="button button--primary button--block"
            disabled={busy || !locationId || tierId === null || !!outside}
          >
            {busy ? s.submitting : when.later ? s.submitScheduled : s.submit}
          </button>
        </form>
      )}
    </section>
  );
}
