import { useEffect, useState } from 'react';
import { PAYMENT_METHODS, type PaymentMethod } from '../../../contract/enums';
import { PAYMENT_UNDO_MINUTES } from '../../../contract/money';
import { isMissingRoute } from '../lib/api';
import type { Job } from '../../../contract/responses';
import { formatMoney } from '../lib/format';
import { toast } from '../lib/toast';
import { signedFileUrl } from '../lib/upload';
import { errorMessage, toastError } from '../ui/ErrorNotice';
import { type PaymentReceipt, useDriver } from './DriverData';
import { api } from './session';
import { strings } from './strings';

/** A payment just recorded: what to say, and what undo needs. */
interface Recorded {
  message: string;
  receipt: PaymentReceipt;
  cents: number;
}

/**
 * After the job: the amount, the driver's QR / PayPal / Venmo, and how it was paid. A tap
 * on the wrong method can be taken back for a few minutes; after that it is the office's
 * to refund.
 */
export function PaymentPanel({ job }: { job: Job }) {
  const d = useDriver();
  const s = strings.payment;
  const amount = job.final_price_cents ?? job.quoted_price_cents ?? 0;
  const [qr, setQr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Recorded | null>(null);
  const [undoable, setUndoable] = useState(false);
  const me = d.me;

  useEffect(() => {
    if (!done) return;
    setUndoable(true);
    const timer = setTimeout(() => setUndoable(false), PAYMENT_UNDO_MINUTES * 60_000 - 15_000);
    return () => clearTimeout(timer);
  }, [done]);

  useEffect(() => {
    if (!me?.qr_image_url) return;
    const ctrl = new AbortController();
    signedFileUrl(api, me.qr_image_url, ctrl.signal).then(setQr, () => setQr(null));
    return () => ctrl.abort();
  }, [me?.qr_image_url]);

  const record = async (method: PaymentMethod) => {
    setBusy(true);
    try {
      const receipt = await d.pay(job, method, amount);
      const message =
        receipt.how === 'sent'
          ? s.recorded(strings.paymentMethod[method], formatMoney(amount))
          : s.queued(strings.paymentMethod[method]);
      setDone({ message, receipt, cents: amount });
      toast.show({ kind: 'ok', message });
    } catch (err) {
      toast.show({ kind: 'error', message: isMissingRoute(err) ? s.unavailable : errorMessage(err, strings.errors) });
    } finally {
      setBusy(false);
    }
  };

  const undo = async () => {
    if (!done) return;
    setBusy(true);
    try {
      await d.undoPay(done.receipt);
      setDone(null);
      toast.show({ kind: 'info', message: s.undone });
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };

  const hasLinks = !!(me?.paypal_link || me?.venmo_link || me?.qr_image_url);
  return (
    <section className="card payment" aria-labelledby="pay-title">
      <h2 id="pay-title">{s.title}</h2>
      <p className="payment__amount">
        <span className="muted">{s.amount}</span>{' '}
        <strong data-testid="amount-due">{formatMoney(done ? Math.max(0, amount - done.cents) : amount)}</strong>
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
        <div className="notice notice--ok payment__done" role="status">
          <p>✓ {done.message}</p>
          {undoable && (
            <button type="button" className="button button--secondary" disabled={busy} onClick={() => void undo()}>
              {s.undo}
            </button>
          )}
        </div>
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
