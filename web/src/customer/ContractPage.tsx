import { useId, useState } from 'react';
import type { Contract } from '../../../contract/responses';
import { formatDateTime, formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { ErrorNotice, toastError } from '../ui/ErrorNotice';
import { api } from './session';
import { strings } from './strings';

const s = strings.contract;

/** "Your contract": the customer's winter contracts, each with an Accept button until accepted. */
export default function ContractPage() {
  const id = useId();
  const list = useResource(
    (signal) => api.get<{ contracts: Contract[] }>('/customers/me/contracts', { signal }).then((r) => r.contracts),
    'contracts',
  );
  const [busy, setBusy] = useState<string | null>(null);
  const accept = async (contractId: string) => {
    setBusy(contractId);
    try {
      const { contract } = await api.post<{ contract: Contract }>(`/customers/me/contracts/${contractId}/accept`);
      list.setData((prev) => (prev ?? []).map((c) => (c.id === contract.id ? contract : c)));
      toast.show({ kind: 'ok', message: s.acceptedToast });
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(null);
    }
  };
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <ErrorNotice error={list.error} strings={strings.errors} onRetry={list.reload} />
      {list.data?.length === 0 && <p className="muted">{s.empty}</p>}
      {list.data?.map((c) => (
        <article key={c.id} className="card" aria-labelledby={`${id}-${c.id}`}>
          <h2 id={`${id}-${c.id}`}>{c.location_label ? `${c.location_label}: ${c.address}` : c.address}</h2>
          <p>
            {c.kind === 'seasonal'
              ? s.kinds.seasonal(formatMoney(c.seasonal_price_cents), c.installment_count ?? 1)
              : c.kind === 'per_push'
                ? s.kinds.per_push(formatMoney(c.per_push_price_cents))
                : s.kinds.per_inch}
          </p>
          {c.kind === 'per_inch' && (
            <ul>
              {(c.per_inch_bands ?? []).map((b) => (
                <li key={b.from_in}>{s.band(b.from_in, b.to_in, formatMoney(b.price_cents))}</li>
              ))}
            </ul>
          )}
          <p>{s.trigger(c.trigger_depth_in)}</p>
          <p>
            {c.sla_kind === 'open_by'
              ? s.promise.open_by(c.sla_open_by ?? '')
              : s.promise.within_hours(c.sla_within_hours ?? 0)}
          </p>
          <p>{s.season(c.season_start, c.season_end)}</p>
          {c.driver_notes && (
            <p>
              {s.notes}: {c.driver_notes}
            </p>
          )}
          {c.installments.length > 0 && (
            <>
              <h3>{s.schedule}</h3>
              <ul>
                {c.installments.map((i) => (
                  <li key={i.seq}>
                    {i.due_on}: {formatMoney(i.amount_cents)}
                  </li>
                ))}
              </ul>
            </>
          )}
          {c.status === 'paused' && <p className="muted">{s.paused}</p>}
          {c.accepted_at ? (
            <p>{s.accepted(formatDateTime(c.accepted_at))}</p>
          ) : (
            <>
              <p className="muted">{s.acceptHelp}</p>
              <button
                type="button"
                className="button button--primary"
                disabled={busy === c.id}
                onClick={() => void accept(c.id)}
              >
                {s.accept}
              </button>
            </>
          )}
        </article>
      ))}
    </section>
  );
}
