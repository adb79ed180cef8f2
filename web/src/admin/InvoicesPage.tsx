import { type FormEvent, useId, useState } from 'react';
import { PAYMENT_METHODS } from '../../../contract/enums';
import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { ErrorNotice, toastError, OpenButton } from '../ui/ErrorNotice';
import { useAdmin } from './AdminData';
import {
  getInvoice,
  listInvoices,
  openInvoicePdf,
  recordOfficePayment,
  refundInvoice,
  resendInvoice,
  voidInvoice,
} from './admin-api';
import { strings } from './strings';
import { TableHead } from '../ui/DataTable';

const s = strings.invoices;

/** Dollars typed by a person ("85", "85.50") → cents; null when it is not an amount. */
function toCents(text: string): number | null {
  if (!/^\d+(\.\d{1,2})?$/.test(text.trim())) return null;
  return Math.round(Number(text) * 100);
}

/**
 * Invoices: unpaid balances first (oldest owed at the top), filtered by status, age and
 * customer; one open invoice at a time with its payments and the office's actions.
 */
export default function InvoicesPage() {
  const id = useId();
  const admin = useAdmin();
  const [status, setStatus] = useState('draft,sent');
  const [age, setAge] = useState('');
  const [customer, setCustomer] = useState('');
  const [openId, setOpenId] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const filter = { status, older_than_days: age ? Number(age) : undefined, customer_id: customer || undefined };
  const list = useResource(
    (signal) => listInvoices(filter, signal),
    `inv:${status}:${age}:${customer}:${admin.jobsVersion}:${version}`,
  );
  const customers = [...new Map((list.data ?? []).map((i) => [i.customer_id, i.customer_name])).entries()];
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <div className="row card">
        <label htmlFor={`${id}-status`}>{s.status}</label>
        <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value)}>
          {Object.entries(s.filters).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-age`}>{s.age}</label>
        <select id={`${id}-age`} value={age} onChange={(e) => setAge(e.target.value)}>
          <option value="">{s.anyAge}</option>
          {[7, 30, 60].map((d) => (
            <option key={d} value={d}>
              {s.olderThan(d)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-customer`}>{s.customer}</label>
        <select id={`${id}-customer`} value={customer} onChange={(e) => setCustomer(e.target.value)}>
          <option value="">{s.anyCustomer}</option>
          {customers.map(([cid, name]) => (
            <option key={cid} value={cid}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {list.error ? (
        <ErrorNotice error={list.error} strings={strings.errors} />
      ) : !list.data ? (
        <p className="muted">{strings.loading}</p>
      ) : list.data.length === 0 ? (
        <p className="muted">{s.empty}</p>
      ) : (
        <table className="table" data-testid="invoices">
          <TableHead headers={[s.number, s.customer, s.address, s.issued, s.status, s.total, s.balance]} />
          <tbody>
            {list.data.map((inv) => (
              <tr key={inv.id} data-invoice-id={inv.id}>
                <td>
                  <button type="button" className="link" onClick={() => setOpenId(inv.id)}>
                    {inv.number}
                  </button>
                </td>
                <td>{inv.customer_name}</td>
                <td>{inv.job_address ?? '—'}</td>
                <td>{formatDateTime(inv.issued_at ?? inv.created_at)}</td>
                <td>{s.statusLabel[inv.status]}</td>
                <td>{formatMoney(inv.total_cents)}</td>
                <td>
                  <strong>{formatMoney(inv.balance_due_cents)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {openId && (
        <InvoicePanel
          key={`${openId}:${version}`}
          invoiceId={openId}
          onChanged={() => setVersion((v) => v + 1)}
          onClose={() => setOpenId(null)}
        />
      )}
    </section>
  );
}

function InvoicePanel({
  invoiceId,
  onChanged,
  onClose,
}: {
  invoiceId: string;
  onChanged: () => void;
  onClose: () => void;
}) {
  const id = useId();
  const detail = useResource((signal) => getInvoice(invoiceId, signal), `invoice:${invoiceId}`);
  const [method, setMethod] = useState<string>('card');
  const [amount, setAmount] = useState('');
  const [refund, setRefund] = useState('');
  const run = async (work: () => Promise<unknown>, ok: string) => {
    try {
      await work();
      toast.show({ kind: 'ok', message: ok });
      onChanged();
    } catch (err) {
      toastError(err, strings.errors);
    }
  };
  if (!detail.data) return detail.error ? <ErrorNotice error={detail.error} strings={strings.errors} /> : null;
  const { invoice, payments } = detail.data;
  const open = invoice.status === 'draft' || invoice.status === 'sent';
  const refundable = invoice.status === 'paid' || invoice.status === 'partially_refunded';
  const action = (kind: 'secondary' | 'danger', label: string, call: (id: string) => Promise<unknown>, ok: string) => (
    <button type="button" className={`button button--${kind}`} onClick={() => void run(() => call(invoice.id), ok)}>
      {label}
    </button>
  );
  const pay = (e: FormEvent) => {
    e.preventDefault();
    const cents = amount ? toCents(amount) : undefined;
    if (cents === null) return toast.show({ kind: 'error', message: s.badAmount });
    void run(() => recordOfficePayment(invoice.id, method, cents), s.paid);
  };
  const giveBack = (e: FormEvent) => {
    e.preventDefault();
    const cents = toCents(refund);
    if (!cents) return toast.show({ kind: 'error', message: s.badAmount });
    void run(() => refundInvoice(invoice.id, cents), s.refunded);
  };
  return (
    <aside className="card" aria-labelledby={`${id}-title`} data-testid="invoice-panel">
      <div className="row">
        <h2 id={`${id}-title`}>{invoice.number}</h2>
        <span className="app__spacer" />
        <button type="button" className="button button--secondary" onClick={onClose}>
          {s.close}
        </button>
      </div>
      <dl className="facts">
        <dt>{s.customer}</dt>
        <dd>{invoice.customer_name ?? invoice.customer_id}</dd>
        <dt>{s.status}</dt>
        <dd data-testid="invoice-status">{s.statusLabel[invoice.status]}</dd>
        <dt>{s.total}</dt>
        <dd>{formatMoney(invoice.total_cents)}</dd>
        <dt>{s.paidSoFar}</dt>
        <dd>{formatMoney(invoice.paid_cents)}</dd>
        {(invoice.refund_cents ?? 0) > 0 && (
          <>
            <dt>{s.refundedSoFar}</dt>
            <dd>{formatMoney(invoice.refund_cents)}</dd>
          </>
        )}
        <dt>{s.balance}</dt>
        <dd data-testid="invoice-balance">{formatMoney(invoice.balance_due_cents)}</dd>
        <dt>{s.due}</dt>
        <dd>{formatDateTime(invoice.due_at ?? null)}</dd>
      </dl>
      {payments.length > 0 && (
        <ul className="list">
          {payments.map((p) => (
            <li key={p.id}>
              {formatDateTime(p.recorded_at)} · {p.method} · {formatMoney(p.amount_cents)}
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <OpenButton open={() => openInvoicePdf(invoice.id)} strings={strings.errors}>
          {s.pdf}
        </OpenButton>
        {invoice.status !== 'void' && invoice.job_id && action('secondary', s.resend, resendInvoice, s.resent)}
        {open && action('danger', s.void, voidInvoice, s.voided)}
      </div>
      {open && invoice.job_id && (
        <form className="row" onSubmit={pay} aria-label={s.recordPayment}>
          <label htmlFor={`${id}-method`}>{s.method}</label>
          <select id={`${id}-method`} value={method} onChange={(e) => setMethod(e.target.value)}>
            {PAYMENT_METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-amount`}>{s.amount}</label>
          <input
            id={`${id}-amount`}
            inputMode="decimal"
            placeholder={formatMoney(invoice.balance_due_cents)}
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
          <button type="submit" className="button">
            {s.recordPayment}
          </button>
        </form>
      )}
      {refundable && (
        <form className="row" onSubmit={giveBack} aria-label={s.refund}>
          <label htmlFor={`${id}-refund`}>{s.refundAmount}</label>
          <input id={`${id}-refund`} inputMode="decimal" value={refund} onChange={(e) => setRefund(e.target.value)} />
          <button type="submit" className="button button--secondary">
            {s.refund}
          </button>
        </form>
      )}
    </aside>
  );
}
