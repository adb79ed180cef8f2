import { useEffect, useId, useState } from 'react';
import { ApiError, apiUrl, send } from '../lib/api';
import type { TokenResponse } from '../../../contract/responses';
import { usePathname, navigate } from '../lib/router';
import { SessionStore } from '../lib/session';
import { errorMessage, FormAlert } from '../ui/ErrorNotice';
import { NotFound } from '../ui/NotFound';
import { strings } from './strings';
import '../customer/customer.css';
import { Field, PasswordField } from '../ui/Field';
import { useFormSubmit } from '../ui/form-submit';

/**
 * Where emailed links land (`/auth/verify-email#token=…` and friends; the token rides in
 * the fragment so it never reaches a server log). Each page posts the token to the API and
 * sends the person on to their app, signed in when the link signs them in.
 */

const APP_HOME = { customer: '/customer', driver: '/driver/', admin: '/admin' } as const;

function tokenFromUrl(): string {
  return (
    new URLSearchParams(window.location.hash.slice(1)).get('token') ??
    new URLSearchParams(window.location.search).get('token') ??
    ''
  );
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await send(apiUrl(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await ApiError.fromResponse(res);
  return (await res.json()) as T;
}

function startSession(tokens: TokenResponse): void {
  new SessionStore(tokens.user.role).set(tokens);
  navigate(APP_HOME[tokens.user.role], { replace: true });
}

export default function AuthApp() {
  const path = usePathname().replace(/\/+$/, '');
  const page =
    path === '/auth/verify-email' ? (
      <VerifyEmail />
    ) : path === '/auth/magic-link' ? (
      <MagicLink />
    ) : path === '/auth/forgot-password' ? (
      <ForgotPassword />
    ) : path === '/auth/reset-password' ? (
      <SetPassword kind="reset" />
    ) : path === '/auth/accept-invite' ? (
      <SetPassword kind="invite" />
    ) : (
      <NotFound strings={strings.notFound} home="/" />
    );
  return (
    <div className="app app--customer">
      <header className="app__header">
        <span className="app__brand">{strings.appName}</span>
      </header>
      <main id="main" className="app__main">
        {page}
      </main>
    </div>
  );
}

function useTokenAction<T>(run: (token: string) => Promise<T>) {
  const [state, setState] = useState<{ done: boolean; error: string | null; result: T | null }>({
    done: false,
    error: null,
    result: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, on mount.
  useEffect(() => {
    const token = tokenFromUrl();
    if (!token) return setState({ done: true, error: strings.noToken, result: null });
    // The token is single-use: take it out of the address bar at once.
    history.replaceState(null, '', window.location.pathname);
    run(token).then(
      (result) => setState({ done: true, error: null, result }),
      (err: unknown) =>
        setState({
          done: true,
          error:
            err instanceof ApiError && err.isMissingRoute ? strings.unavailable : errorMessage(err, strings.errors),
          result: null,
        }),
    );
  }, []);
  return state;
}

function VerifyEmail() {
  const state = useTokenAction((token) => post('/auth/verify-email', { token }));
  return (
    <section className="card signin" aria-live="polite">
      <h1>{strings.verifyTitle}</h1>
      {!state.done ? (
        <p role="status">{strings.working}</p>
      ) : state.error ? (
        <p className="notice notice--error">{state.error}</p>
      ) : (
        <p className="notice notice--ok">✓ {strings.verified}</p>
      )}
      <a className="button button--primary" href="/customer">
        {strings.continue}
      </a>
    </section>
  );
}

function MagicLink() {
  const state = useTokenAction(async (token) => startSession(await post<TokenResponse>('/auth/magic-link', { token })));
  return (
    <section className="card signin" aria-live="polite">
      <h1>{strings.magicTitle}</h1>
      {!state.done ? (
        <p role="status">{strings.working}</p>
      ) : (
        state.error && <p className="notice notice--error">{state.error}</p>
      )}
      {state.error && (
        <a className="button button--primary" href="/customer">
          {strings.continue}
        </a>
      )}
    </section>
  );
}

/**
 * Asks for a reset link. The answer is the same whether or not the address has an account,
 * as the API's is: nobody learns from this page who our customers are.
 */
function ForgotPassword() {
  const id = useId();
  const [email, setEmail] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('email') ?? '');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, submit: onSubmit } = useFormSubmit(strings.errors);
  const submit = onSubmit(async () => {
    await post('/auth/request-password-reset', { email: email.trim() });
    setSentTo(email.trim());
  });
  return (
    <section className="card signin" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{strings.forgotTitle}</h1>
      {sentTo ? (
        <p className="notice notice--ok" role="status">
          {strings.forgotSent(sentTo)}
        </p>
      ) : (
        <form onSubmit={submit}>
          <p>{strings.forgotIntro}</p>
          <Field
            id={`${id}-email`}
            label={strings.email}
            type="email"
            autoComplete="email"
            maxLength={254}
            required
            value={email}
            onValue={setEmail}
          />
          <FormAlert message={error} />
          <button type="submit" className="button button--primary button--block" disabled={busy}>
            {strings.forgotSubmit}
          </button>
        </form>
      )}
    </section>
  );
}

/** Reset a forgotten password, or accept an invitation (drivers and admins) by choosing one. */
function SetPassword({ kind }: { kind: 'reset' | 'invite' }) {
  const id = useId();
  const [token] = useState(tokenFromUrl);
  const [password, setPassword] = useState('');
  const [enrol, setEnrol] = useState<string | null>(null);
  useEffect(() => {
    if (token) history.replaceState(null, '', window.location.pathname);
  }, [token]);
  const {
    busy,
    error,
    submit: onSubmit,
  } = useFormSubmit(strings.errors, (err) =>
    err instanceof ApiError && err.isMissingRoute ? strings.unavailable : null,
  );
  const submit = onSubmit(async () => {
    if (kind === 'reset') {
      await post('/auth/reset-password', { token, password });
      navigate('/customer', { replace: true });
      return;
    }
    const res = await post<TokenResponse & { totp_enrolment_token?: string }>('/auth/accept-invite', {
      token,
      password,
    });
    if (res.totp_enrolment_token) setEnrol(res.totp_enrolment_token);
    else startSession(res);
  });
  if (enrol) {
    return (
      <section className="card signin">
        <h1>{strings.enrolTitle}</h1>
        <p>{strings.enrolBody}</p>
        <a className="button button--primary" href={`/admin/security#enrol=${encodeURIComponent(enrol)}`}>
          {strings.enrolContinue}
        </a>
      </section>
    );
  }
  return (
    <section className="card signin" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>{kind === 'reset' ? strings.resetTitle : strings.inviteTitle}</h1>
      {!token && <p className="notice notice--error">{strings.noToken}</p>}
      <form onSubmit={submit}>
        <PasswordField isNew id={`${id}-pw`} label={strings.newPassword} value={password} onValue={setPassword} />
        <FormAlert message={error} />
        <button type="submit" className="button button--primary button--block" disabled={busy || !token}>
          {strings.savePassword}
        </button>
      </form>
    </section>
  );
}
