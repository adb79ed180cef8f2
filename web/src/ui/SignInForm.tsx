import { useId, useState } from 'react';
import { ApiError } from '../lib/api';
import { signIn, type SessionStore } from '../lib/session';
import { FormAlert } from './ErrorNotice';
import type { ErrorStrings, SignInStrings } from './strings';
import { Field, PasswordField } from './Field';
import { useFormSubmit } from './form-submit';

/** The authenticator's six digits (a space allowed in the middle), or one of the recovery codes. */
const AUTHENTICATOR_CODE = {
  type: 'text',
  inputMode: 'numeric',
  autoComplete: 'one-time-code',
  pattern: '[0-9 ]{6,7}|[A-Za-z0-9\\-]{8,20}',
} as const;

/**
 * Email + password (+ a TOTP code for the admin portal). On success the session store
 * changes and the app re-renders signed in; nothing to navigate.
 */
export function SignInForm({
  session,
  strings,
  errors,
  withTotp = false,
}: {
  session: SessionStore;
  strings: SignInStrings;
  errors: ErrorStrings;
  withTotp?: boolean;
}) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const {
    busy,
    error,
    submit: onSubmit,
  } = useFormSubmit(errors, (err) => {
    if (err instanceof ApiError && err.code === 'wrong_app')
      return strings.wrongApp(String((err.details as { role?: string } | undefined)?.role ?? ''));
    if (err instanceof ApiError && err.code === 'totp_required' && withTotp) return strings.totpRequired;
    return null;
  });
  const submit = onSubmit(() =>
    signIn(session, { email, password, ...(withTotp && totp ? { totp_code: totp.replace(/\s+/g, '') } : {}) }),
  );

  return (
    <section className="card signin" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{strings.title}</h1>
      {strings.intro && <p className="muted">{strings.intro}</p>}
      <form onSubmit={submit} noValidate={false}>
        <Field
          id={`${id}-email`}
          label={strings.email}
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          value={email}
          onValue={setEmail}
        />
        <PasswordField id={`${id}-password`} label={strings.password} value={password} onValue={setPassword} />
        {withTotp && (
          <Field
            id={`${id}-totp`}
            label={strings.totp}
            {...AUTHENTICATOR_CODE}
            required
            value={totp}
            onValue={setTotp}
            aria-describedby={strings.totpHint ? `${id}-totp-hint` : undefined}
          >
            {strings.totpHint && (
              <p id={`${id}-totp-hint`} className="hint">
                {strings.totpHint}
              </p>
            )}
          </Field>
        )}
        <FormAlert message={error} />
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? strings.submitting : strings.submit}
        </button>
      </form>
      <p className="signin__alt">
        <a href={`/auth/forgot-password${email ? `#email=${encodeURIComponent(email)}` : ''}`}>
          {strings.forgotPassword}
        </a>
      </p>
    </section>
  );
}
