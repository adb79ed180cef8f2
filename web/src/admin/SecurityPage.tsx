import { useId, useState, type FormEvent } from 'react';
import { useSession } from '../lib/hooks';
import { toastError } from '../ui/ErrorNotice';
import { totpConfirm, totpEnrol } from './admin-api';
import { api, session } from './session';
import { ChangePasswordForm } from '../ui/ChangePasswordForm';
import { strings } from './strings';
import { Field, SIX_DIGIT_CODE } from '../ui/Field';

/** The input of a code from the authenticator app. */
/**
 * TOTP enrolment: a signed-in admin replacing their authenticator (needs a current code),
 * or a newly invited admin holding the enrol token from their invitation (`#enrol=`).
 */
export function SecurityPage() {
  const s = strings.security;
  const id = useId();
  const signedIn = useSession(session);
  const [enrolToken] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('enrol') ?? undefined);
  const [current, setCurrent] = useState('');
  const [secret, setSecret] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const fail = (err: unknown) => toastError(err, strings.errors, strings.unavailable(s.title));

  const start = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      setSecret(
        await totpEnrol({
          ...(enrolToken ? { enrol_token: enrolToken } : {}),
          ...(current.trim() ? { current_code: current.trim() } : {}),
        }),
      );
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      setCodes(
        (await totpConfirm({ code: code.trim(), ...(enrolToken ? { enrol_token: enrolToken } : {}) })).recovery_codes,
      );
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${id}-title`} className="security">
      <h1 id={`${id}-title`}>{s.title}</h1>
      <p className="muted">{s.intro}</p>
      {codes ? (
        <div className="card">
          <p className="notice notice--ok">✓ {s.enabled}</p>
          <ul className="recovery-codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          {!signedIn && (
            <a className="button button--primary" href="/admin">
              {s.signInNow}
            </a>
          )}
        </div>
      ) : secret ? (
        <form className="card" onSubmit={confirm}>
          <p>
            <a href={secret.otpauth_uri}>{s.openApp}</a>
          </p>
          <p>
            {s.secret}:{' '}
            <code className="secret" data-testid="totp-secret">
              {secret.secret}
            </code>
          </p>
          <Field id={`${id}-code`} label={s.code} {...SIX_DIGIT_CODE} required value={code} onValue={setCode} />
          <button type="submit" className="button button--primary" disabled={busy}>
            {s.confirm}
          </button>
        </form>
      ) : (
        <form className="card" onSubmit={start}>
          {signedIn && (
            <Field id={`${id}-current`} label={s.current} {...SIX_DIGIT_CODE} value={current} onValue={setCurrent} />
          )}
          <button type="submit" className="button button--primary" disabled={busy}>
            {s.start}
          </button>
        </form>
      )}
      {signedIn && <ChangePasswordForm api={api} strings={strings.password} errors={strings.errors} />}
    </section>
  );
}
