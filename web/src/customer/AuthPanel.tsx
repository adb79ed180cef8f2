import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../lib/api';
import { errorMessage, FormAlert } from '../ui/ErrorNotice';
import { SignInForm } from '../ui/SignInForm';
import { register, requestMagicLink } from './jobs-api';
import { SmsConsentCheckbox } from './AccountPage';
import { session } from './session';
import { strings } from './strings';
import { Field, fieldSetter, PHONE_INPUT, type FieldProps } from '../ui/Field';
import { useFormSubmit } from '../ui/form-submit';
import { FIELD_MAX } from '../../../contract/field-messages';

type Tab = 'signin' | 'register' | 'magic';

/** Signed out: sign in with a password, create an account, or get a magic link. */
export function AuthPanel() {
  const [tab, setTab] = useState<Tab>(() =>
    new URLSearchParams(window.location.search).get('signup') ? 'register' : 'signin',
  );
  const a = strings.auth;
  const tabs: [Tab, string][] = [
    ['signin', a.signInTab],
    ['register', a.registerTab],
    ['magic', a.magicTab],
  ];
  return (
    <div className="auth">
      <div className="segmented auth__tabs" role="group" aria-label={a.tabsLabel}>
        {tabs.map(([t, label]) => (
          <button key={t} type="button" className="segmented__item" aria-pressed={tab === t} onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'signin' ? (
        <SignInForm session={session} strings={strings.signIn} errors={strings.errors} />
      ) : tab === 'register' ? (
        <RegisterForm />
      ) : (
        <MagicLinkForm />
      )}
    </div>
  );
}

function RegisterForm() {
  const a = strings.auth;
  const id = useId();
  const [form, setForm] = useState({ full_name: '', email: '', password: '', phone: '' });
  const [smsConsent, setSmsConsent] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, fields, submit: onSubmit } = useFormSubmit(strings.errors);
  const set = fieldSetter(setForm);
  const submit = onSubmit(async () => {
    await register({
      full_name: form.full_name,
      email: form.email,
      password: form.password,
      ...(form.phone.trim() ? { phone: form.phone.trim() } : {}),
      ...(smsConsent ? { sms_consent: true } : {}),
    });
    setSentTo(form.email);
  });
  const input = (k: keyof typeof form, label: string, props: Partial<FieldProps>) => (
    <Field id={`${id}-${k}`} label={label} value={form[k]} onValue={set(k)} error={fields[k]} {...props} />
  );
  if (sentTo) {
    return (
      <section className="card signin" aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>{a.checkEmailTitle}</h1>
        <p className="notice notice--ok" role="status">
          {a.checkEmail(sentTo)}
        </p>
        <p className="muted">{a.checkEmailHint}</p>
      </section>
    );
  }
  return (
    <section className="card signin" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{a.register}</h1>
      <form onSubmit={submit}>
        {input('full_name', a.fullName, { autoComplete: 'name', required: true, maxLength: FIELD_MAX.name })}
        {input('email', strings.signIn.email, {
          type: 'email',
          autoComplete: 'email',
          required: true,
          maxLength: FIELD_MAX.email,
        })}
        {input('password', a.newPassword, {
          type: 'password',
          autoComplete: 'new-password',
          minLength: 10,
          maxLength: FIELD_MAX.password,
          required: true,
        })}
        {input('phone', a.phone, PHONE_INPUT)}
        <p className="hint">{a.phoneHint}</p>
        <SmsConsentCheckbox checked={smsConsent} onChange={setSmsConsent} />
        <FormAlert message={error} />
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? a.registering : a.registerSubmit}
        </button>
      </form>
    </section>
  );
}

function MagicLinkForm() {
  const a = strings.auth;
  const id = useId();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setNote(null);
    try {
      await requestMagicLink(email);
      setNote({ ok: true, text: a.magicSent });
    } catch (err) {
      setNote({
        ok: false,
        text: err instanceof ApiError && err.isMissingRoute ? a.magicUnavailable : errorMessage(err, strings.errors),
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card signin" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{a.magicTitle}</h1>
      <p className="muted">{a.magicIntro}</p>
      <form onSubmit={submit}>
        <Field
          id={`${id}-email`}
          label={strings.signIn.email}
          type="email"
          autoComplete="email"
          required
          value={email}
          onValue={setEmail}
        />
        {note && (
          <p className={`notice ${note.ok ? 'notice--ok' : 'notice--error'}`} role={note.ok ? 'status' : 'alert'}>
            {note.text}
          </p>
        )}
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {a.magicSubmit}
        </button>
      </form>
    </section>
  );
}
