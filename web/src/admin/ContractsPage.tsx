import { type FormEvent, useId, useState } from 'react';
import type { InchBand } from '../../../contract/storm-rules';
import { FIELD_MAX } from '../../../contract/field-messages';
import { ApiError } from '../lib/api';
import { formatMoney } from '../lib/format';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { DataTable } from '../ui/DataTable';
import { ErrorNotice, errorMessage, toastError } from '../ui/ErrorNotice';
import { Checkbox, Field, type FieldProps } from '../ui/Field';
import { PHONE_EXAMPLE } from '../ui/strings';
import { MapView } from '../map/MapView';
import type { LatLng } from '../lib/geo';
import { listCustomers } from './admin-api';
import { useAdmin } from './AdminData';
import { api } from './session';
import {
  type Contract,
  type ContractTermsInput,
  createContract,
  createPhoneInCustomer,
  listContracts,
  updateContract,
} from './storm-api';
import { strings } from './strings';

const s = strings.contracts;

/** "2-4 45" / "8+ 95" per line ↔ bands (inches, dollars). Null when a line does not read. */
export function parseBands(text: string): InchBand[] | null {
  const bands: InchBand[] = [];
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const m = /^(\d+(?:\.5)?)\s*(?:-\s*(\d+(?:\.5)?)|\+)\s+\$?(\d+(?:\.\d{1,2})?)$/.exec(line);
    if (!m) return null;
    bands.push({
      from_in: Number(m[1]),
      to_in: m[2] === undefined ? null : Number(m[2]),
      price_cents: Math.round(Number(m[3]) * 100),
    });
  }
  return bands;
}
const bandsText = (bands: InchBand[] | null) =>
  (bands ?? [])
    .map((b) => `${b.from_in}${b.to_in === null ? '+' : `-${b.to_in}`} ${(b.price_cents / 100).toFixed(2)}`)
    .join('\n');

function priceOf(c: Contract): string {
  if (c.kind === 'per_push') return formatMoney(c.per_push_price_cents);
  if (c.kind === 'seasonal') return `${formatMoney(c.seasonal_price_cents)} / ${c.installment_count}`;
  return (c.per_inch_bands ?? []).map((b) => formatMoney(b.price_cents)).join(' · ');
}

/** Service contracts: the list, the editor, and entering a customer who phoned in. */
export default function ContractsPage() {
  const id = useId();
  const list = useResource((signal) => listContracts(signal), 'contracts');
  const [editing, setEditing] = useState<Partial<Contract> | null>(null);
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <div className="row">
        <button type="button" className="button button--primary" onClick={() => setEditing({})}>
          {s.add}
        </button>
      </div>
      <PhoneInForm onAdded={(customer_id, location_id) => setEditing({ customer_id, location_id })} />
      {editing && (
        <ContractEditor
          key={editing.id ?? `${editing.customer_id}:${editing.location_id}`}
          initial={editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved) list.reload();
          }}
        />
      )}
      <ErrorNotice error={list.error} strings={strings.errors} onRetry={list.reload} />
      <DataTable
        rows={list.data}
        rowKey={(c) => c.id}
        empty={s.empty}
        columns={[
          { header: s.customer, cell: (c) => c.customer_name },
          { header: s.property, cell: (c) => c.address },
          { header: s.kind, cell: (c) => s.kinds[c.kind] },
          { header: s.trigger, cell: (c) => s.inches(c.trigger_depth_in) },
          { header: s.price, cell: (c) => priceOf(c) },
          {
            header: s.promise,
            cell: (c) =>
              c.sla_kind === 'open_by' ? s.openByAt(c.sla_open_by ?? '') : s.within(c.sla_within_hours ?? 0),
          },
          {
            header: s.season,
            cell: (c) => (
              <>
                {c.season_start} – {c.season_end}
              </>
            ),
          },
          {
            header: s.status,
            cell: (c) => (
              <>
                {s.statuses[c.status]} · {c.accepted_at ? s.accepted : s.waiting}
              </>
            ),
          },
          {
            header: s.edit,
            hiddenHeader: true,
            cell: (c) => (
              <button type="button" className="button button--ghost" onClick={() => setEditing(c)}>
                {s.edit}
              </button>
            ),
          },
        ]}
      />
    </section>
  );
}

function ContractEditor({ initial, onDone }: { initial: Partial<Contract>; onDone: (saved: boolean) => void }) {
  const id = useId();
  const isNew = !initial.id;
  const winter = new Date().getMonth() >= 6 ? new Date().getFullYear() : new Date().getFullYear() - 1;
  const [f, setF] = useState({
    customer_id: initial.customer_id ?? '',
    location_id: initial.location_id ?? '',
    kind: initial.kind ?? 'per_push',
    status: initial.status ?? 'active',
    service_type: initial.service_type ?? 'residential',
    trigger: String(initial.trigger_depth_in ?? 2),
    per_push: initial.per_push_price_cents ? String(initial.per_push_price_cents / 100) : '',
    bands: bandsText(initial.per_inch_bands ?? null),
    seasonal: initial.seasonal_price_cents ? String(initial.seasonal_price_cents / 100) : '',
    installments: String(initial.installment_count ?? 4),
    sla_kind: initial.sla_kind ?? 'within_hours',
    open_by: initial.sla_open_by ?? '06:00',
    within: String(initial.sla_within_hours ?? 6),
    season_start: initial.season_start ?? `${winter}-11-01`,
    season_end: initial.season_end ?? `${winter + 1}-04-30`,
    notes: initial.driver_notes ?? '',
    by_phone: false,
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const customers = useResource((signal) => listCustomers('', signal), isNew ? 'contract-customers' : null);
  const locations = useResource(
    (signal) =>
      api
        .get<{ locations: { id: string; label: string | null; address_line1: string }[] }>(
          `/admin/customers/${f.customer_id}/locations`,
          { signal },
        )
        .then((r) => r.locations),
    isNew && f.customer_id ? `locations:${f.customer_id}` : null,
  );
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const bands = f.kind === 'per_inch' ? parseBands(f.bands) : null;
    if (f.kind === 'per_inch' && !bands) return setProblem(s.badBands);
    const cents = (dollars: string) => Math.round(Number(dollars) * 100);
    const terms: ContractTermsInput = {
      kind: f.kind,
      status: f.status,
      service_type: f.service_type,
      trigger_depth_in: Number(f.trigger),
      per_push_price_cents: f.kind === 'per_push' ? cents(f.per_push) : null,
      per_inch_bands: bands,
      seasonal_price_cents: f.kind === 'seasonal' ? cents(f.seasonal) : null,
      installment_count: f.kind === 'seasonal' ? Number(f.installments) : null,
      sla_kind: f.sla_kind,
      sla_open_by: f.sla_kind === 'open_by' ? f.open_by : null,
      sla_within_hours: f.sla_kind === 'within_hours' ? Number(f.within) : null,
      season_start: f.season_start,
      season_end: f.season_end,
      driver_notes: f.notes.trim() || null,
      ...(f.by_phone ? { accepted_by_phone: true } : {}),
    };
    setBusy(true);
    setProblem(null);
    try {
      if (isNew) await createContract({ ...terms, customer_id: f.customer_id, location_id: f.location_id });
      else await updateContract(initial.id!, terms);
      toast.show({ kind: 'ok', message: s.saved });
      onDone(true);
    } catch (err) {
      const details =
        err instanceof ApiError && Array.isArray(err.details)
          ? (err.details as { field: string; message: string }[]).map((d) => `${d.field}: ${d.message}`).join('; ')
          : '';
      setProblem(`${errorMessage(err, strings.errors)}${details ? ` ${details}` : ''}`);
    } finally {
      setBusy(false);
    }
  };

  const field = (key: keyof typeof f, label: string, input: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input id={`${id}-${key}`} value={String(f[key])} onChange={set(key)} {...input} />
    </div>
  );
  const select = (key: keyof typeof f, label: string, options: Record<string, string>) => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <select id={`${id}-${key}`} value={String(f[key])} onChange={set(key)}>
        {Object.entries(options).map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <form className="card" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{isNew ? s.addTitle : s.editTitle}</h2>
      {isNew && (
        <>
          {select('customer_id', s.customerId, {
            '': s.pickCustomer,
            ...Object.fromEntries((customers.data ?? []).map((c) => [c.id, c.full_name])),
            ...(f.customer_id && !customers.data?.some((c) => c.id === f.customer_id)
              ? { [f.customer_id]: f.customer_id }
              : {}),
          })}
          {select('location_id', s.locationId, {
            '': '—',
            ...Object.fromEntries((locations.data ?? []).map((l) => [l.id, l.label ?? l.address_line1])),
          })}
        </>
      )}
      {select('kind', s.kind, s.kinds)}
      {select('service_type', s.serviceType, s.serviceTypes)}
      {field('trigger', s.triggerDepth, { type: 'number', min: 0, step: 0.5, required: true })}
      {f.kind === 'per_push' && field('per_push', s.perPush, { type: 'number', min: 0, step: 0.01, required: true })}
      {f.kind === 'per_inch' && (
        <div className="field">
          <label htmlFor={`${id}-bands`}>{s.bands}</label>
          <textarea id={`${id}-bands`} rows={3} value={f.bands} onChange={set('bands')} required />
        </div>
      )}
      {f.kind === 'seasonal' && field('seasonal', s.seasonal, { type: 'number', min: 0, step: 0.01, required: true })}
      {f.kind === 'seasonal' && field('installments', s.installments, { type: 'number', min: 1, max: 12 })}
      {select('sla_kind', s.slaKind, s.slaKinds)}
      {f.sla_kind === 'open_by'
        ? field('open_by', s.openBy, { type: 'time', required: true })
        : field('within', s.withinHours, { type: 'number', min: 1, max: 72, required: true })}
      {field('season_start', s.seasonStart, { type: 'date', required: true })}
      {field('season_end', s.seasonEnd, { type: 'date', required: true })}
      {!isNew && select('status', s.status, s.statuses)}
      <div className="field">
        <label htmlFor={`${id}-notes`}>{s.notes}</label>
        <textarea id={`${id}-notes`} rows={2} maxLength={1000} value={f.notes} onChange={set('notes')} />
      </div>
      <Checkbox className="row" checked={f.by_phone} onChecked={(on) => setF((x) => ({ ...x, by_phone: on }))}>
        {s.byPhone}
      </Checkbox>
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <div className="row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {s.save}
        </button>
        <button type="button" className="button button--ghost" onClick={() => onDone(false)}>
          {s.cancel}
        </button>
      </div>
    </form>
  );
}

function PhoneInForm({ onAdded }: { onAdded: (customerId: string, locationId: string) => void }) {
  const id = useId();
  const admin = useAdmin();
  const empty = { full_name: '', phone: '', email: '', address: '', city: 'Concord', state: 'NH', zip: '' };
  const [f, setF] = useState(empty);
  // The driveway as the caller describes it, pinned on the map; without a pin the address is looked up.
  const [pin, setPin] = useState<LatLng | null>(null);
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  const area = admin.serviceArea;
  const center = pin ?? (area ? { lat: area.lat, lng: area.lng } : { lat: 43.2081, lng: -71.5376 });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFields({});
    try {
      const res = await createPhoneInCustomer({
        full_name: f.full_name,
        phone: f.phone,
        ...(f.email ? { email: f.email } : {}),
        location: {
          address_line1: f.address,
          city: f.city,
          state_province: f.state,
          postal_code: f.zip,
          ...(pin ? { lat: pin.lat, lng: pin.lng } : {}),
        },
      });
      toast.show({ kind: 'ok', message: s.customerAdded(res.customer.full_name) });
      setF(empty);
      setPin(null);
      onAdded(res.customer.id, res.location.id);
    } catch (err) {
      if (err instanceof ApiError) setFields(err.fieldErrors());
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };
  /** `apiField`: where the API's per-field message for this input comes from. */
  const input = (key: keyof typeof f, label: string, apiField: string, extra: Partial<FieldProps> = {}) => (
    <Field
      id={`${id}-${key}`}
      label={label}
      value={f[key]}
      onValue={(value) => set(key)({ target: { value } })}
      error={fields[apiField]}
      {...extra}
    />
  );
  return (
    <details className="card">
      <summary>{s.phoneInTitle}</summary>
      <form onSubmit={submit}>
        {input('full_name', s.fullName, 'full_name', { required: true, maxLength: FIELD_MAX.name })}
        {input('phone', s.phone, 'phone', {
          required: true,
          type: 'tel',
          placeholder: PHONE_EXAMPLE,
          maxLength: FIELD_MAX.phone,
        })}
        {input('email', s.email, 'email', { type: 'email', maxLength: FIELD_MAX.email })}
        {input('address', s.address, 'location.address_line1', { required: true, maxLength: FIELD_MAX.addressLine })}
        {input('city', s.city, 'location.city', { required: true, maxLength: FIELD_MAX.city })}
        {input('state', s.state, 'location.state_province', { required: true, maxLength: FIELD_MAX.stateProvince })}
        {input('zip', s.zip, 'location.postal_code', { required: true, maxLength: FIELD_MAX.postalCode })}
        <div className="field">
          <p>{s.pin}</p>
          <MapView
            className="phone-in__map"
            label={s.pin}
            center={center}
            markers={pin ? [{ id: 'pin', kind: 'pin', ...pin, label: f.address || s.pin }] : []}
            circle={
              area ? { center: { lat: area.lat, lng: area.lng }, radiusMeters: area.radius_miles * 1609.344 } : null
            }
            distanceLabel={strings.distance}
            onPick={setPin}
          />
          <p className="hint" aria-live="polite">
            {pin ? s.pinSet(pin.lat, pin.lng) : s.pinUnset}{' '}
            {pin && (
              <button type="button" className="button button--ghost" onClick={() => setPin(null)}>
                {s.clearPin}
              </button>
            )}
          </p>
        </div>
        <button type="submit" className="button button--primary" disabled={busy}>
          {s.addCustomer}
        </button>
      </form>
    </details>
  );
}
