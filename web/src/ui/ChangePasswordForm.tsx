import { useId, useState, type FormEvent } from 'react';
import type { TokenResponse } from '../../../contract/responses';
import { ApiError, type ApiClient } from '../lib/api';
import { toast } from '../lib/toast';
import { errorMessage } from './ErrorNotice';
import { CardForm } from './CardForm';
import { PasswordField } from './Field';
import type { ErrorStrings, PasswordChangeStrings } from './strings';

/**
 * Changes the signed-in person's password (any of the three apps): the current one, then
 * the new one. The answer is a fresh sign-in for this device (every other one ends), which
 * replaces the stored tokens so this app carries on.
 */
export function ChangePasswordForm({
  api,
  strings: s,
  errors,
}: {
  api: ApiClient;
  strings: PasswordChangeStrings;
  errors: ErrorStrings;
}) {
  const id = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<{ current?: string; next?: string }>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFieldErrors({});
    try {
      const tokens = await api.post<TokenResponse>('/auth/change-password', {
        current_password: current,
        new_password: next,
      });
      api.session.set(tokens);
      setCurrent('');
      setNext('');
      toast.show({ kind: 'ok', message: s.done });
    } catch (err) {
      const message = errorMessage(err, errors);
      const field = err instanceof ApiError && err.code === 'wrong_password' ? 'current' : 'next';
      if (err instanceof ApiError && err.status === 400) setFieldErrors({ [field]: message });
      else toast.show({ kind: 'error', message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <CardForm title={s.title} intro={s.intro} onSubmit={submit}>
      <PasswordField
        id={`${id}-current`}
        label={s.current}
        value={current}
        onValue={setCurrent}
        error={fieldErrors.current}
      />
      <PasswordField isNew id={`${id}-next`} label={s.next} value={next} onValue={setNext} error={fieldErrors.next}>
        <p className="muted">{s.nextHint}</p>
      </PasswordField>
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? s.submitting : s.submit}
      </button>
    </CardForm>
  );
}
