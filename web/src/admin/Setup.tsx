import { SettingSwitch } from './SettingSwitch';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError } from '../lib/api';
import type { AdminTier, ServiceArea } from '../../../contract/responses';
import type { LatLng } from '../lib/geo';
import { useResource } from '../lib/hooks';
import { Link } from '../lib/router';
import { toast } from '../lib/toast';
import { MapView } from '../map/MapView';
import { errorMessage } from '../ui/ErrorNotice';
import { getTiers, patchSettings, putServiceArea, putTiers } from './admin-api';
import { FieldError, PhoneField } from '../ui/Field';
import { CardForm } from '../ui/CardForm';
import { useFormSubmit } from '../ui/form-submit';
import { useAdmin } from './AdminData';
import { strings } from './strings';

/**
 * The operator's setup: the service area (home base + radius slider drawn on the map) and
 * the six driveway tiers, pre-filled with the 2026 New England rates (ApexPlow §3.9; the
 * same table as contract/pricing-defaults.ts on the server side).
 */

export const NE_2026_TIERS: AdminTier[] = [
  { tier_label: '1-Car Driveway', price_cents: 6500, sort_order: 1, is_active: true },
  { tier_label: '2-Car Driveway', price_cents: 8500, sort_order: 2, is_active: true },
  { tier_label: '3-Car Driveway', price_cents: 10500, sort_order: 3, is_active: true },
  { tier_label: '4-Car Driveway', price_cents: 12500, sort_order: 4, is_active: true },
  { tier_label: '5-Car Driveway', price_cents: 14500, sort_order: 5, is_active: true },
  { tier_label: '6-Car Driveway', price_cents: 16500, sort_order: 6, is_active: true },
];

const METERS_PER_MILE = 1609.344;
const DEFAULT_BASE: LatLng = { lat: 43.2081, lng: -71.5376 };
const failMessage = (err: unknown, what: string) => errorMessage(err, strings.errors, strings.unavailable(what));

export function ServiceAreaEditor({
  initial,
  onSaved,
  submitLabel,
}: {
  initial: ServiceArea | null | undefined;
  onSaved: (a: ServiceArea) => void;
  submitLabel: string;
}) {
  const s = strings.area;
  const id = useId();
  const [address, setAddress] = useState(initial?.home_base_address ?? '');
  const [radius, setRadius] = useState(initial?.radius_miles ?? 15);
  const [pin, setPin] = useState<LatLng | null>(initial ? { lat: initial.lat, lng: initial.lng } : null);
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!initial) return;
    setAddress(initial.home_base_address);
    setRadius(initial.radius_miles);
    setPin({ lat: initial.lat, lng: initial.lng });
  }, [initial]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFields({});
    try {
      onSaved(
        await putServiceArea({
          home_base_address: address,
          radius_miles: radius,
          ...(pin ? { lat: pin.lat, lng: pin.lng } : {}),
        }),
      );
      toast.show({ kind: 'ok', message: s.saved });
    } catch (err) {
      toast.show({ kind: 'error', message: failMessage(err, s.title) });
      if (err instanceof ApiError) setFields(err.fieldErrors());
    } finally {
      setBusy(false);
    }
  };
  const center = pin ?? DEFAULT_BASE;
  return (
    <form onSubmit={submit} className="area-editor">
      <div className="field">
        <label htmlFor={`${id}-addr`}>{s.address}</label>
        <input
          id={`${id}-addr`}
          required
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          autoComplete="street-address"
          aria-invalid={!!fields.home_base_address}
        />
        <FieldError message={fields.home_base_address} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-radius`}>
          {s.radius}: <output htmlFor={`${id}-radius`}>{s.radiusValue(radius)}</output>
        </label>
        <input
          id={`${id}-radius`}
          type="range"
          min={1}
          max={50}
          step={1}
          value={radius}
          onChange={(e) => setRadius(Number(e.target.value))}
          aria-valuetext={s.radiusValue(radius)}
        />
      </div>
      <MapView
        className="area-editor__map"
        label={s.mapLabel(radius)}
        center={center}
        markers={pin ? [{ id: 'base', kind: 'base', ...pin, label: strings.map.base }] : []}
        circle={{ center, radiusMeters: radius * METERS_PER_MILE }}
        distanceLabel={strings.distance}
        onPick={setPin}
      />
      <p className="hint" aria-live="polite">
        {pin ? s.pinAt(pin.lat, pin.lng) : s.pinHint}
      </p>
      <button type="submit" className="button button--primary" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}

export function TierEditor({
  initial,
  onSaved,
  submitLabel,
}: {
  initial: AdminTier[];
  onSaved: (t: AdminTier[]) => void;
  submitLabel: string;
}) {
  const s = strings.pricing;
  const id = useId();
  const [rows, setRows] = useState(() => initial.map((t) => ({ ...t, dollars: (t.price_cents / 100).toFixed(2) })));
  const [busy, setBusy] = useState(false);
  useEffect(() => setRows(initial.map((t) => ({ ...t, dollars: (t.price_cents / 100).toFixed(2) }))), [initial]);
  const update = (i: number, patch: Partial<(typeof rows)[number]>) =>
    setRows((r) => r.map((x, k) => (k === i ? { ...x, ...patch } : x)));
  const addRow = () =>
    setRows((r) => [...r, { tier_label: '', price_cents: 0, sort_order: r.length + 1, is_active: true, dollars: '' }]);
  const resetDefaults = () =>
    setRows(NE_2026_TIERS.map((t, i) => ({ ...t, id: rows[i]?.id, dollars: (t.price_cents / 100).toFixed(2) })));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const tiers = rows.map((r, i) => ({
        ...(r.id ? { id: r.id } : {}),
        tier_label: r.tier_label,
        price_cents: Math.round(Number(r.dollars) * 100),
        sort_order: i + 1,
        is_active: r.is_active,
      }));
      onSaved(await putTiers(tiers));
      toast.show({ kind: 'ok', message: s.saved });
    } catch (err) {
      toast.show({ kind: 'error', message: failMessage(err, s.title) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit}>
      <table className="table tiers-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{s.label}</th>
            <th scope="col">{s.price}</th>
            <th scope="col">{s.active}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the rows are the six fixed tier slots, edited in place.
            <tr key={i} data-tier-row={i + 1}>
              <td>{i + 1}</td>
              <td>
                <label className="visually-hidden" htmlFor={`${id}-l${i}`}>{`${s.row(i + 1)}: ${s.label}`}</label>
                <input
                  id={`${id}-l${i}`}
                  required
                  value={r.tier_label}
                  onChange={(e) => update(i, { tier_label: e.target.value })}
                />
              </td>
              <td>
                <label className="visually-hidden" htmlFor={`${id}-p${i}`}>{`${s.row(i + 1)}: ${s.price}`}</label>
                <input
                  id={`${id}-p${i}`}
                  required
                  inputMode="decimal"
                  pattern="[0-9]+(\.[0-9]{1,2})?"
                  value={r.dollars}
                  onChange={(e) => update(i, { dollars: e.target.value })}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${s.row(i + 1)}: ${s.active}`}
                  checked={r.is_active}
                  onChange={(e) => update(i, { is_active: e.target.checked })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        {rows.length < 6 && (
          <button type="button" className="button button--ghost" onClick={addRow}>
            {s.add}
          </button>
        )}
        <button type="button" className="button button--ghost" onClick={resetDefaults}>
          {s.resetDefaults}
        </button>
        <span className="app__spacer" />
        <button type="submit" className="button button--primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

function useTiers() {
  const res = useResource((signal) => getTiers(signal), 'tiers');
  const tiers = res.data
    ? res.data.tiers.length
      ? res.data.tiers
      : NE_2026_TIERS
    : res.data === null
      ? null
      : undefined;
  return { tiers, reload: res.reload };
}

export function PricingPage() {
  const s = strings.pricing;
  const { tiers } = useTiers();
  return (
    <section aria-labelledby="pricing-title">
      <h1 id="pricing-title">{s.title}</h1>
      <p className="muted">{s.intro}</p>
      {tiers === null && <p className="muted">{strings.unavailable(s.title)}</p>}
      {tiers === undefined && <p role="status">{strings.loading}</p>}
      {tiers && (
        <div className="card">
          <TierEditor initial={tiers} onSaved={() => undefined} submitLabel={s.save} />
        </div>
      )}
    </section>
  );
}

export function ServiceAreaPage() {
  const s = strings.area;
  const admin = useAdmin();
  return (
    <section aria-labelledby="area-title">
      <h1 id="area-title">{s.title}</h1>
      <p className="muted">{s.intro}</p>
      <div className="card">
        <ServiceAreaEditor initial={admin.serviceArea} onSaved={() => admin.reloadServiceArea()} submitLabel={s.save} />
      </div>
      <OfficePhone />
    </section>
  );
}

/** The number customers call or text about a live job (operator_settings.public_phone). */
function OfficePhone() {
  const s = strings.officePhone;
  const id = useId();
  const admin = useAdmin();
  const saved = admin.settings?.public_phone ?? '';
  const [phone, setPhone] = useState(saved);
  const { busy, error, submit } = useFormSubmit(strings.errors);
  useEffect(() => setPhone(saved), [saved]);
  const save = submit(async () => {
    const value = phone.trim() || null;
    admin.setSettings(await patchSettings({ public_phone: value }));
    toast.show({ kind: 'ok', message: value ? s.saved : s.cleared });
  });
  return (
    <CardForm title={s.title} intro={s.intro} onSubmit={save}>
      <PhoneField id={`${id}-phone`} label={s.label} value={phone} onValue={setPhone} error={error ?? undefined} />
      <button type="submit" className="button button--primary" disabled={busy}>
        {s.save}
      </button>
      <p className="muted">{s.driversIntro}</p>
      <SettingSwitch
        setting="drivers_call_customers"
        label={s.driversCall}
        on={s.driversCallOn}
        off={s.driversCallOff}
      />
    </CardForm>
  );
}

/** First run: home base and radius → prices (pre-filled) → done. */
export function SetupWizard() {
  const w = strings.setup;
  const admin = useAdmin();
  const [step, setStep] = useState(0);
  const { tiers } = useTiers();
  const heading = w.step(step + 1, w.steps.length, w.steps[step]!);
  return (
    <section aria-labelledby="setup-title" className="setup">
      <h1 id="setup-title">{w.title}</h1>
      <ol className="steps" aria-label={w.title}>
        {w.steps.map((name, i) => (
          <li
            key={name}
            aria-current={i === step ? 'step' : undefined}
            className={i < step ? 'is-done' : i === step ? 'is-current' : undefined}
          >
            <span aria-hidden="true">{i < step ? '✓' : i + 1}</span> {name}
          </li>
        ))}
      </ol>
      <div className="card">
        <h2 tabIndex={-1} key={step}>
          {heading}
        </h2>
        {step === 0 && (
          <ServiceAreaEditor
            initial={admin.serviceArea}
            submitLabel={w.next}
            onSaved={() => {
              admin.reloadServiceArea();
              setStep(1);
            }}
          />
        )}
        {step === 1 &&
          (tiers ? (
            <>
              <TierEditor
                initial={tiers.some((t) => t.id) ? tiers : NE_2026_TIERS}
                submitLabel={w.next}
                onSaved={() => setStep(2)}
              />
              <button type="button" className="button button--ghost" onClick={() => setStep(0)}>
                {w.back}
              </button>
            </>
          ) : (
            <p className="muted">{tiers === null ? strings.unavailable(strings.pricing.title) : strings.loading}</p>
          ))}
        {step === 2 && (
          <>
            <p className="notice notice--ok">✓ {w.done}</p>
            <Link className="button button--primary" href="/admin">
              {w.toBoard}
            </Link>
          </>
        )}
      </div>
    </section>
  );
}
