import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { ApiError } from '../lib/api';
import type { CustomerProfile } from '../../../contract/responses';
import { useResource } from '../lib/hooks';
import { toast } from '../lib/toast';
import { ErrorNotice, errorMessage, FormAlert, toastError } from '../ui/ErrorNotice';
import {
  deleteAccount,
  getProfile,
  requestEmailVerification,
  requestPhoneCode,
  updateProfile,
  verifyPhone,
} from './jobs-api';
import { api, session } from './session';
import { strings } from './strings';
import { Checkbox, draftFields, Field, PHONE_INPUT, SIX_DIGIT_CODE } from '../ui/Field';
import { FIELD_MAX } from '../../../contract/field-messages';
import { ChangePasswordForm } from '../ui/ChangePasswordForm';
import { Dialog } from '../ui/Dialog';
import { useAction } from '../ui/form-submit';

/** Name, phone, and the two confirmations (email before the first job, phone for texts). */
export function AccountPage() {
  const s = strings.account;
  const id = useId();
  const profile = useResource((signal) => getProfile(signal), 'profile');
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  useEffect(() => setName(profile.data?.full_name ?? session.get()?.user.full_name ?? ''), [profile.data]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setNameError(undefined);
    try {
      profile.setData(await updateProfile({ full_name: name }));
      toast.show({ kind: 'ok', message: s.saved });
    } catch (err) {
      if (err instanceof ApiError) setNameError(err.fieldErrors().full_name);
      toast.show({
        kind: 'error',
        message: err instanceof ApiError && err.isMissingRoute ? s.unavailable : errorMessage(err, strings.errors),
      });
    }
  };
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{s.title}</h1>
      <ErrorNotice error={profile.error} strings={strings.errors} onRetry={profile.reload} />
      <EmailVerification profile={profile.data ?? null} />
      <PhoneVerification profile={profile.data ?? null} onVerified={profile.reload} />
      <form className="card" onSubmit={save}>
        <Field
          id={`${id}-name`}
          label={s.name}
          value={name}
          autoComplete="name"
          maxLength={FIELD_MAX.name}
          onValue={setName}
          error={nameError}
        />
        <p>
          <span className="muted">{s.email}:</span> {profile.data?.email ?? session.get()?.user.email}
        </p>
        <button type="submit" className="button button--primary">
          {s.save}
        </button>
      </form>
      <SmsConsent profile={profile.data ?? null} onChange={profile.setData} />
      <ChangePasswordForm api={api} strings={strings.password} errors={strings.errors} />
      <DeleteAccount />
    </section>
  );
}

/** The opt-in box with the exact wording (contract/sms-consent.ts): at sign-up and on this page. */
export function SmsConsentCheckbox({
  checked,
  onChange,
  disabled,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  return (
    <Checkbox checked={checked} disabled={disabled} onChecked={onChange}>
      <span className="choice__main">{strings.auth.smsConsent}</span>
    </Checkbox>
  );
}

/** Texts on or off: ticking records the opt-in (time, IP, wording); unticking withdraws it. */
function SmsConsent({
  profile,
  onChange,
}: {
  profile: CustomerProfile | null;
  onChange: (p: CustomerProfile) => void;
}) {
  const s = strings.account;
  const id = useId();
  const [busy, setBusy] = useState(false);
  if (!profile || !('sms_consent_at' in profile)) return null;
  const on = !!profile.sms_consent_at;
  const toggle = async (next: boolean) => {
    setBusy(true);
    try {
      onChange(await updateProfile({ sms_consent: next }));
      toast.show({ kind: 'ok', message: s.smsSaved(next) });
    } catch (err) {
      toastError(err, strings.errors);
    } finally {
      setBusy(false);
    }
  };
  const note = profile.sms_opt_out_at
    ? s.smsStopped
    : !profile.phone_verified_at
      ? s.smsNeedsPhone
      : on
        ? s.smsOn
        : s.smsOff;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{s.smsTitle}</h2>
      <SmsConsentCheckbox checked={on} disabled={busy} onChange={(next) => void toggle(next)} />
      <p className="muted" role="status">
        {note}
      </p>
    </section>
  );
}

/** Delete the account, after a confirmation; a job not yet finished is refused in plain words. */
function DeleteAccount() {
  const s = strings.account;
  const id = useId();
  const [asking, setAsking] = useState(false);
  const { busy, error, run } = useAction(strings.errors);
  const confirm = () =>
    run(async () => {
      await deleteAccount();
      session.clear();
      toast.show({ kind: 'ok', message: s.deleted });
    });
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{s.deleteTitle}</h2>
      <p className="muted">{s.deleteIntro}</p>
      <button type="button" className="button button--danger" onClick={() => setAsking(true)}>
        {s.deleteButton}
      </button>
      {asking && (
        <Dialog title={s.deleteConfirmTitle} closeLabel={s.deleteNo} onClose={() => setAsking(false)}>
          <p>{s.deleteConfirm}</p>
          <FormAlert message={error} />
          <div className="row">
            <button type="button" className="button button--danger" disabled={busy} onClick={() => void confirm()}>
              {busy ? s.deleting : s.deleteYes}
            </button>
            <button type="button" className="button button--secondary" data-autofocus onClick={() => setAsking(false)}>
              {s.deleteNo}
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

/** The "confirm your email" card; shown on the jobs and request pages too while unconfirmed. */
export function EmailVerification({
  profile,
  compact = false,
}: {
  profile: CustomerProfile | null;
  compact?: boolean;
}) {
  const v = strings.verify;
  const [note, setNote] = useState<string | null>(null);
  if (profile && profile.email_verified_at) return compact ? null : <p className="notice notice--ok">✓ {v.verified}</p>;
  if (!profile || !('email_verified_at' in profile)) return null;
  const resend = async () => {
    try {
      await requestEmailVerification(profile.email);
      setNote(v.resent);
    } catch (err) {
      setNote(err instanceof ApiError && err.isMissingRoute ? v.unavailable : errorMessage(err, strings.errors));
    }
  };
  return (
    <div className="card notice--warn verify" role="region" aria-label={v.title}>
      <h2>{v.title}</h2>
      <p>{v.body}</p>
      {note && <p role="status">{note}</p>}
      <button type="button" className="button button--secondary" onClick={() => void resend()}>
        {v.resend}
      </button>
    </div>
  );
}

function PhoneVerification({ profile, onVerified }: { profile: CustomerProfile | null; onVerified: () => void }) {
  const v = strings.verify;
  const id = useId();
  const [draft, setDraft] = useState({ phone: '', code: '' });
  const [sent, setSent] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  useEffect(() => setDraft((d) => ({ ...d, phone: profile?.phone ?? '' })), [profile?.phone]);
  const field = draftFields(id, draft, setDraft, fields);
  if (!profile || !('phone_verified_at' in profile)) return null;
  if (profile.phone_verified_at) return <p className="notice notice--ok">✓ {v.phoneVerified}</p>;
  const fail = (err: unknown) => {
    const perField = err instanceof ApiError ? err.fieldErrors() : {};
    setFields(perField);
    // A refused field is told beside it; the notice is for everything else.
    if (Object.keys(perField).length > 0) return setNote(null);
    setNote({
      ok: false,
      text: err instanceof ApiError && err.isMissingRoute ? v.unavailable : errorMessage(err, strings.errors),
    });
  };
  const attempt = (work: () => Promise<void>) => async (e: FormEvent) => {
    e.preventDefault();
    setFields({});
    try {
      await work();
    } catch (err) {
      fail(err);
    }
  };
  const send = attempt(async () => {
    await requestPhoneCode(draft.phone.trim() || undefined);
    setSent(true);
    setNote({ ok: true, text: v.codeSent });
  });
  const confirm = attempt(async () => {
    await verifyPhone(draft.code.trim());
    setNote({ ok: true, text: v.phoneVerified });
    onVerified();
  });
  /** One of the two one-box forms: the number to text, then the code it got. */
  const step = (onSubmit: (e: FormEvent) => void, input: ReactNode, button: string, kind: 'primary' | 'secondary') => (
    <form onSubmit={onSubmit}>
      {input}
      <button type="submit" className={`button button--${kind}`}>
        {button}
      </button>
    </form>
  );
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{v.phoneTitle}</h2>
      <p className="muted">{v.phoneBody}</p>
      {step(send, field('phone', v.phoneLabel, PHONE_INPUT), v.sendCode, 'secondary')}
      {sent && step(confirm, field('code', v.codeLabel, SIX_DIGIT_CODE), v.confirmCode, 'primary')}
      {note && (
        <p className={`notice ${note.ok ? 'notice--ok' : 'notice--error'}`} role="status">
          {note.text}
        </p>
      )}
    </section>
  );
}
