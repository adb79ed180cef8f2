import { useEffect, useState } from 'react';
import { PAYMENT_METHODS, type PaymentMethod } from '../../../contract/enums';
import { isMissingRoute } from '../lib/api';
import type { Job } from '../../../contract/responses';
import { formatMoney } from '../lib/format';
import { toast } from '../lib/toast';
import { signedFileUrl } from '../lib/upload';
import { errorMessage } from '../ui/ErrorNotice';
import { useDriver } from './DriverData';
import { api } from './session';
import { strings } from './strings';

/** After the job: the amount, the driver's QR / PayPal / Venmo, and how it was paid. */
export function PaymentPanel({ job }: { job: Job }) {
  const d = useDriver();
  const s = strings.payment;
  const amount = job.final_price_cents ?? job.quoted_price_cents ?? 0;
  const [qr, setQr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const me = d.me;

  useEffect(() => {
    if (!me?.qr_image_url) return;
    const ctrl = new AbortController();
    signedFileUrl(api, me.qr_image_url, ctrl.signal).then(setQr, () => setQr(null));
    return () => ctrl.abort();
  }, [me?.qr_image_url]);

  const record = async (method: PaymentMethod) => {
    setBusy(true);
    try {
      const how = await d.pay(job, method, amount);
      const msg =
        how === 'sent'
          ? s.recorded(strings.paymentMethod[method], formatMoney(amount))
          : s.queued(strings.paymentMethod[method]);
      setDone(msg);
      toast.show({ kind: 'ok', message: msg });
    } catch (err) {
      toast.show({ kind: 'error', message: isMissingRoute(err) ? s.unavailable : errorMessage(err, strings.errors) });
    } finally {
      setBusy(false);
    }
  };

  const hasLinks = !!(me?.paypal_link || me?.venmo_link || me?.qr_image_url);
  return (
    <section className="card payment" aria-labelledby="pay-title">
      <h2 id="pay-title">{s.title}</h2>
      <p className="payment__amount">
        <span className="muted">{s.amount}</span> <strong data-testid="amount-due">{formatMoney(amount)}</strong>
      </p>
      {qr && (
        <figure className="payment__qr">
          <img src={qr} alt={s.qrAlt} />
          <figcaption>{s.scan}</figcaption>
        </figure>
      )}
      <div className="stack">
        {me?.paypal_link && (
          <a className="button button--secondary button--block" href={me.paypal_link} target="_blank" rel="noreferrer">
            {s.paypal}
          </a>
        )}
        {me?.venmo_link && (
          <a className="button button--secondary button--block" href={me.venmo_link} target="_blank" rel="noreferrer">
            {s.venmo}
          </a>
        )}
        {!hasLinks && <p className="muted">{s.noLinks}</p>}
      </div>
      {done ? (
        <p className="notice notice--ok" role="status">
          ✓ {done}
        </p>
      ) : (
        <fieldset className="payment__methods">
          <legend>{s.how}</legend>
          <div className="payment__grid">
            {PAYMENT_METHODS.map((m) => (
              <button
                key={m}
                type="button"
                className="button button--primary payment__method"
                disabled={busy}
                onClick={() => void record(m)}
              >
                {strings.paymentMethod[m]}
              </button>
            ))}
          </div>
        </fieldset>
      )}
    </section>
  );
}
