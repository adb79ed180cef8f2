import { useState } from 'react';
import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { ErrorNotice, errorMessage } from '../ui/ErrorNotice';
import { listInvoices, openInvoicePdf } from './jobs-api';
import { strings } from './strings';

export function InvoicesPage() {
  const s = strings.invoices;
  const list = useResource((signal) => listInvoices(signal), 'invoices');
  const [opening, setOpening] = useState<string | null>(null);
  const open = async (id: string) => {
    setOpening(id);
    try {
      await openInvoicePdf(id);
    } catch (err) {
      toast.show({ kind: 'error', message: errorMessage(err, strings.errors) });
    } finally {
      setOpening(null);
    }
  };
  return (
    <section aria-labelledby="invoices-title">
      <h1 id="invoices-title">{s.title}</h1>
      <ErrorNotice error={list.error} strings={strings.errors} onRetry={list.reload} />
      {list.data === null && <p className="muted">{s.unavailable}</p>}
      {list.data?.length === 0 && <p className="muted">{s.empty}</p>}
      {list.data && list.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{s.date}</th>
                <th scope="col">{s.job}</th>
                <th scope="col">{s.total}</th>
                <th scope="col">{s.status}</th>
                <th scope="col">{s.pdf}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((inv) => (
                <tr key={inv.id} data-invoice-id={inv.id}>
                  <td>{formatDateTime(inv.issued_at ?? inv.created_at)}</td>
                  <td>{inv.job_address ?? '—'}</td>
                  <td>{formatMoney(inv.total_cents)}</td>
                  <td>{s.statusLabel[inv.status] ?? inv.status}</td>
                  <td>
                    <button
                      type="button"
                      className="button button--secondary"
                      disabled={opening === inv.id}
                      aria-label={s.openPdf(inv.id.slice(0, 8))}
                      onClick={() => void open(inv.id)}
                    >
                      {opening === inv.id ? s.opening : s.pdf}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
