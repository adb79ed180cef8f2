import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, isMissingRoute } from '../lib/api';
import { toast } from '../lib/toast';
import { signedFileUrl, uploadPhoto } from '../lib/upload';
import { errorMessage, FormAlert } from '../ui/ErrorNotice';
import { updateMe, type Me } from './driver-api';
import { useDriver } from './DriverData';
import { api } from './session';
import { strings } from './strings';
import { Field, fieldSetter, type FieldProps } from '../ui/Field';
import { ChangePasswordForm } from '../ui/ChangePasswordForm';

const KM_PER_MILE = 1.609344;

/** Onboarding and later edits: vehicle, how far they drive, how customers pay them. */
export function ProfilePage() {
  const d = useDriver();
  const s = strings.profile;
  const id = useId();
  const me = d.me;
  const [form, setForm] = useState(() => fromMe(me));
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [qrPreview, setQrPreview] = useState<string | null>(null);
  const [qrProgress, setQrProgress] = useState<number | null>(null);

  useEffect(() => setForm(fromMe(me)), [me]);
  useEffect(() => {
    if (!form.qr_image_url) return setQrPreview(null);
    const ctrl = new AbortController();
    signedFileUrl(api, form.qr_image_url, ctrl.signal).then(setQrPreview, () => setQrPreview(null));
    return () => ctrl.abort();
  }, [form.qr_image_url]);

  const set = fieldSetter(setForm);

  const uploadQr = async (file: File | undefined) => {
    if (!file) return;
    setQrProgress(0);
    try {
      const url = await uploadPhoto(api, file, { purpose: 'driver_qr', onProgress: (f) => setQrProgress(f) });
      setForm((f) => ({ ...f, qr_image_url: url }));
    } catch (err) {
      toast.show({ kind: 'error', message: isMissingRoute(err) ? s.unavailable : errorMessage(err, strings.errors) });
    } finally {
      setQrProgress(null);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    const text = (v: string) => (v.trim() ? v.trim() : null);
    try {
      const saved = await updateMe({
        vehicle_type: text(form.vehicle_type),
        vehicle_make: text(form.vehicle_make),
        vehicle_model: text(form.vehicle_model),
        vehicle_year: form.vehicle_year ? Number(form.vehicle_year) : null,
        license_plate: text(form.license_plate),
        service_radius_km: Math.round(Number(form.radius_miles) * KM_PER_MILE * 10) / 10,
        paypal_link: text(form.paypal_link),
        venmo_link: text(form.venmo_link),
        qr_image_url: form.qr_image_url || null,
      });
      d.setMe({ ...me!, ...saved });
      toast.show({ kind: 'ok', message: s.saved });
    } catch (err) {
      if (isMissingRoute(err)) setError(s.unavailable);
      else {
        setError(errorMessage(err, strings.errors));
        if (err instanceof ApiError) setErrors(err.fieldErrors());
      }
    } finally {
      setBusy(false);
    }
  };

  const field = (k: keyof typeof form, label: string, props: Partial<FieldProps> = {}) => (
    <Field id={`${id}-${k}`} label={label} value={form[k]} onValue={set(k)} error={errors[k]} {...props} />
  );

  return (
    <section className="driver profile" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <p className="muted">{s.intro}</p>
      <form onSubmit={submit} className="card">
        <fieldset>
          <legend>{s.vehicle}</legend>
          {field('vehicle_type', s.vehicleType, { autoComplete: 'off' })}
          <div className="grid-2">
            {field('vehicle_make', s.make)}
            {field('vehicle_model', s.model)}
          </div>
          <div className="grid-2">
            {field('vehicle_year', s.year, { inputMode: 'numeric', pattern: '[0-9]{4}' })}
            {field('license_plate', s.plate)}
          </div>
        </fieldset>
        <Field
          id={`${id}-radius`}
          label={s.radius}
          type="range"
          min={1}
          max={50}
          step={1}
          value={form.radius_miles}
          onValue={set('radius_miles')}
          aria-valuetext={s.radiusValue(Number(form.radius_miles))}
        >
          <output htmlFor={`${id}-radius`}>{s.radiusValue(Number(form.radius_miles))}</output>
        </Field>
        <fieldset>
          <legend>{s.payment}</legend>
          {field('paypal_link', s.paypal, { type: 'url', inputMode: 'url', placeholder: 'https://paypal.me/yourname' })}
          {field('venmo_link', s.venmo, { type: 'url', inputMode: 'url', placeholder: 'https://venmo.com/yourname' })}
          <div className="field">
            <span className="label">{s.qr}</span>
            {qrPreview && <img className="profile__qr" src={qrPreview} alt={s.qrCurrent} />}
            {qrProgress !== null && <progress max={1} value={qrProgress} aria-label={s.qrUpload} />}
            <label className="button button--secondary" htmlFor={`${id}-qr`}>
              {s.qrUpload}
            </label>
            <input
              id={`${id}-qr`}
              className="visually-hidden"
              type="file"
              accept="image/png,image/jpeg,image/webp"
              onChange={(e) => void uploadQr(e.target.files?.[0])}
            />
          </div>
        </fieldset>
        <FormAlert message={error} />
        <button type="submit" className="button button--primary button--huge" disabled={busy || !me}>
          {busy ? s.saving : s.save}
        </button>
      </form>
      <ChangePasswordForm api={api} strings={strings.password} errors={strings.errors} />
    </section>
  );
}

function fromMe(me: Me | null) {
  return {
    vehicle_type: me?.vehicle_type ?? '',
    vehicle_make: me?.vehicle_make ?? '',
    vehicle_model: me?.vehicle_model ?? '',
    vehicle_year: me?.vehicle_year ? String(me.vehicle_year) : '',
    license_plate: me?.license_plate ?? '',
    radius_miles: String(Math.max(1, Math.min(50, Math.round((me?.service_radius_km ?? 40) / KM_PER_MILE)))),
    paypal_link: me?.paypal_link ?? '',
    venmo_link: me?.venmo_link ?? '',
    qr_image_url: me?.qr_image_url ?? '',
  };
}
