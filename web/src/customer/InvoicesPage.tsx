import { useState } from 'react';
import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { DataTable } from '../ui/DataTable';
import { ErrorNotice, toastError } from '../ui/ErrorNotice';
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
      toastError(err, strings.errors);
    } finally {
      setOpening(null);
    }
  };
  return (
    <section aria-labelledby="invoices-title">
      <h1 id="invoices-title">{s.title}</h1>
      <ErrorNotice error={list.error} strings={strings.errors} onRetry={list.reload} />
      {list.data === null && <p className="muted">{s.unavailable}</p>}
      <DataTable
        card={false}
        rows={list.data}
        rowKey={(inv) => inv.id}
        rowData={(inv) => ({ 'data-invoice-id': inv.id })}
        empty={s.empty}
        columns={[
          { header: s.date, cell: (inv) => formatDateTime(inv.issued_at ?? inv.created_at) },
          { header: s.job, cell: (inv) => inv.job_address ?? '—' },
          { header: s.total, cell: (inv) => formatMoney(inv.total_cents) },
          { header: s.status, cell: (inv) => s.statusLabel[inv.status] ?? inv.status },
          {
            header: s.pdf,
            cell: (inv) => (
              <button
                type="button"
                className="button button--secondary"
                disabled={opening === inv.id}
                aria-label={s.openPdf(inv.id.slice(0, 8))}
                onClick={() => void open(inv.id)}
              >
                {opening === inv.id ? s.opening : s.pdf}
              </button>
            ),
          },
        ]}
      />
    </section>
  );
}
