import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../lib/api';
import { FIELD_MAX } from '../../../contract/field-messages';
import type { ServiceLocation } from '../../../contract/responses';
import type { LatLng } from '../lib/geo';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { MapView } from '../map/MapView';
import { ErrorNotice, errorMessage, FormAlert } from '../ui/ErrorNotice';
import {
  addLocation,
  listLocations,
  removeLocation,
  suggestAddresses,
  updateLocation,
  type LocationInput,
} from './jobs-api';
import { strings } from './strings';
import { AddressField } from '../ui/AddressField';
import { Checkbox, Field, fieldSetter, type FieldProps } from '../ui/Field';

/** Saved places: address + a pin on the driveway (from the address, the phone's GPS, or a tap). */
export function LocationsPage() {
  const s = strings.locations;
  const list = useResource((signal) => listLocations(signal), 'locations');
  const [adding, setAdding] = useState(false);
  return (
    <section aria-labelledby="locations-title">
      <div className="row page-head">
        <h1 id="locations-title">{s.title}</h1>
        <span className="app__spacer" />
        {!adding && (
          <button type="button" className="button button--primary" onClick={() => setAdding(true)}>
            {s.add}
          </button>
        )}
      </div>
      <ErrorNotice error={list.error} strings={strings.errors} onRetry={list.reload} />
      {adding && (
        <LocationForm
          onSaved={(loc) => {
            list.setData((l) => [...(l ?? []).map((x) => (loc.is_default ? { ...x, is_default: false } : x)), loc]);
            setAdding(false);
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      {list.data?.length === 0 && !adding && <p className="muted">{s.empty}</p>}
      <ul className="list">
        {list.data?.map((loc) => (
          <li key={loc.id}>
            <LocationCard
              loc={loc}
              onChanged={(next) =>
                list.setData((l) =>
                  (l ?? []).map((x) => (x.id === next.id ? next : next.is_default ? { ...x, is_default: false } : x)),
                )
              }
              onRemoved={() => list.setData((l) => (l ?? []).filter((x) => x.id !== loc.id))}
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

function LocationCard({
  loc,
  onChanged,
  onRemoved,
}: {
  loc: ServiceLocation;
  onChanged: (l: ServiceLocation) => void;
  onRemoved: () => void;
}) {
  const s = strings.locations;
  const [pin, setPin] = useState<LatLng | null>(null);
  const [editing, setEditing] = useState(false);
  const fail = (err: unknown) =>
    toast.show({
      kind: 'error',
      message: err instanceof ApiError && err.isMissingRoute ? s.unavailable : errorMessage(err, strings.errors),
    });
  const savePin = async () => {
    if (!pin) return;
    try {
      onChanged(await updateLocation(loc.id, pin));
      setEditing(false);
      setPin(null);
      toast.show({ kind: 'ok', message: s.pinSaved });
    } catch (err) {
      fail(err);
    }
  };
  const shown = pin ?? loc;
  return (
    <article className="card location" data-location-id={loc.id} aria-label={loc.label ?? loc.address_line1}>
      <div className="row">
        <strong>{loc.label ?? loc.address_line1}</strong>
        {loc.is_default && <span className="status-pill">★ {s.defaultTag}</span>}
      </div>
      <p className="muted">
        {loc.address_line1}
        {loc.address_line2 ? `, ${loc.address_line2}` : ''}, {loc.city}, {loc.state_province} {loc.postal_code}
      </p>
      <MapView
        className="location__map"
        label={s.mapLabel}
        center={loc}
        markers={[{ id: 'pin', kind: 'pin', lat: shown.lat, lng: shown.lng, label: loc.label ?? loc.address_line1 }]}
        distanceLabel={strings.distance}
        onPick={editing ? setPin : undefined}
      />
      <p className="hint">{editing ? s.pinHint : s.pinSet(shown.lat, shown.lng)}</p>
      <div className="row">
        {editing ? (
          <>
            <button type="button" className="button button--primary" disabled={!pin} onClick={() => void savePin()}>
              {s.save}
            </button>
            <button type="button" className="button button--ghost" onClick={() => (setEditing(false), setPin(null))}>
              {s.cancel}
            </button>
          </>
        ) : (
          <button type="button" className="button button--secondary" onClick={() => setEditing(true)}>
            {s.setPin}
          </button>
        )}
        {!loc.is_default && (
          <button
            type="button"
            className="button button--ghost"
            onClick={() => void updateLocation(loc.id, { is_default: true }).then(onChanged, fail)}
          >
            {s.makeDefault}
          </button>
        )}
        <button
          type="button"
          className="button button--ghost"
          onClick={() =>
            void removeLocation(loc.id).then(() => {
              onRemoved();
              toast.show({ kind: 'info', message: s.removed });
            }, fail)
          }
        >
          {s.remove}
        </button>
      </div>
    </article>
  );
}

const DEFAULT_CENTER: LatLng = { lat: 43.2081, lng: -71.5376 };

function LocationForm({ onSaved, onCancel }: { onSaved: (l: ServiceLocation) => void; onCancel: () => void }) {
  const s = strings.locations;
  const id = useId();
  const [form, setForm] = useState({
    label: '',
    address_line1: '',
    address_line2: '',
    city: '',
    state_province: '',
    postal_code: '',
    is_default: true,
  });
  const [pin, setPin] = useState<LatLng | null>(null);
  const [showMap, setShowMap] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const set = fieldSetter(setForm);

  const locateWithGps = () => {
    navigator.geolocation?.getCurrentPosition(
      (p) => {
        setPin({ lat: p.coords.latitude, lng: p.coords.longitude });
        setShowMap(true);
      },
      () => setShowMap(true),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFields({});
    const body: LocationInput = {
      address_line1: form.address_line1,
      city: form.city,
      state_province: form.state_province,
      postal_code: form.postal_code,
      is_default: form.is_default,
      ...(form.label.trim() ? { label: form.label.trim() } : {}),
      ...(form.address_line2.trim() ? { address_line2: form.address_line2.trim() } : {}),
      ...(pin ? { lat: pin.lat, lng: pin.lng } : {}),
    };
    try {
      const loc = await addLocation(body);
      toast.show({ kind: 'ok', message: s.saved(loc.label ?? loc.address_line1) });
      onSaved(loc);
    } catch (err) {
      setError(errorMessage(err, strings.errors));
      if (err instanceof ApiError) setFields(err.fieldErrors());
      // The address was not found: the map to drop the pin on opens with the message.
      if (err instanceof ApiError && err.code === 'geocoding_failed') setShowMap(true);
    } finally {
      setBusy(false);
    }
  };

  const input = (k: Exclude<keyof typeof form, 'is_default'>, label: string, props: Partial<FieldProps> = {}) => (
    <Field id={`${id}-${k}`} label={label} value={form[k]} onValue={set(k)} error={fields[k]} {...props} />
  );

  return (
    <form className="card" onSubmit={submit} aria-label={s.add}>
      {input('label', s.label, { autoComplete: 'off', maxLength: FIELD_MAX.locationLabel })}
      <AddressField
        id={`${id}-address_line1`}
        label={s.line1}
        value={form.address_line1}
        onValue={set('address_line1')}
        error={fields.address_line1}
        autoComplete="address-line1"
        required
        maxLength={FIELD_MAX.addressLine}
        suggest={suggestAddresses}
        onChoose={(a) =>
          setForm((f) => ({
            ...f,
            address_line1: a.address_line1,
            city: a.city ?? f.city,
            state_province: a.state_province ?? f.state_province,
            postal_code: a.postal_code ?? f.postal_code,
          }))
        }
      />
      {input('address_line2', s.line2, { autoComplete: 'address-line2', maxLength: FIELD_MAX.addressLine })}
      <div className="grid-3">
        {input('city', s.city, { autoComplete: 'address-level2', required: true, maxLength: FIELD_MAX.city })}
        {input('state_province', s.state, {
          autoComplete: 'address-level1',
          required: true,
          maxLength: FIELD_MAX.stateProvince,
        })}
        {input('postal_code', s.postal, {
          autoComplete: 'postal-code',
          required: true,
          inputMode: 'numeric',
          maxLength: FIELD_MAX.postalCode,
        })}
      </div>
      <div className="row">
        <button type="button" className="button button--secondary" onClick={locateWithGps}>
          {s.useGps}
        </button>
        {!showMap && (
          <button type="button" className="button button--secondary" onClick={() => setShowMap(true)}>
            {s.openMap}
          </button>
        )}
      </div>
      {showMap && (
        <MapView
          className="location__map"
          label={s.mapLabel}
          center={pin ?? DEFAULT_CENTER}
          markers={pin ? [{ id: 'pin', kind: 'pin', ...pin, label: s.mapLabel }] : []}
          distanceLabel={strings.distance}
          onPick={setPin}
        />
      )}
      <p className="hint" aria-live="polite">
        {pin ? s.pinSet(pin.lat, pin.lng) : showMap ? s.pinOnMap : s.pinUnset}
      </p>
      <Checkbox checked={form.is_default} onChecked={(on) => setForm((f) => ({ ...f, is_default: on }))}>
        <span className="choice__main">{s.isDefault}</span>
      </Checkbox>
      <FormAlert message={error} />
      <div className="row">
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? s.saving : s.save}
        </button>
        <button type="button" className="button button--ghost" onClick={onCancel}>
          {s.cancel}
        </button>
      </div>
    </form>
  );
}
