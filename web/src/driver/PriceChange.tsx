import { useId, useState, type FormEvent } from 'react';
import { isMissingRoute } from '../lib/api';
import type { Job } from '../../../contract/responses';
import { formatMoney } from '../lib/format';
import { toast } from '../lib/toast';
import { errorMessage } from '../ui/ErrorNotice';
import { changePrice } from './driver-api';
import { strings } from './strings';

/** On-site price change (a bigger driveway than booked); logged by the server. */
export function PriceChange({ job, onChanged }: { job: Job; onChanged: (job: Job) => void }) {
  const s = strings.price;
  const id = useId();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const dollars = Number(value.replace(/[$,\s]/g, ''));
    if (!value.trim() || !Number.isFinite(dollars) || dollars < 0 || dollars > 100_000) {
      setError(s.invalid);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await changePrice(job.id, Math.round(dollars * 100));
      onChanged(res.job);
      setValue('');
      toast.show({
        kind: 'ok',
        message: s.saved(formatMoney(res.job.final_price_cents ?? res.job.quoted_price_cents)),
      });
    } catch (err) {
      setError(isMissingRoute(err) ? s.unavailable : errorMessage(err, strings.errors));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="card price-change">
      <summary>{s.title}</summary>
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor={`${id}-price`}>{s.label}</label>
          <input
            id={`${id}-price`}
            inputMode="decimal"
            autoComplete="off"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={!!error}
            aria-describedby={error ? `${id}-err` : undefined}
          />
          {error && (
            <p id={`${id}-err`} className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit" className="button button--secondary button--block" disabled={busy}>
          {s.save}
        </button>
      </form>
    </details>
  );
}
