import { type FormEvent, useState } from 'react';
import { ApiError } from '../lib/api';
import { errorMessage } from './ErrorNotice';
import type { ErrorStrings } from './strings';

/**
 * One action at a time, the way every button that calls the API works: busy while `work`
 * runs, the last refusal cleared first, and a failure kept as the sentence to show
 * (`explain` words the failures a caller knows better, else the API's own message) and as
 * the server's word on each field it names (`fields`).
 *
 * @example const del = useAction(strings.errors); <button onClick={() => void del.run(async () => …)}>
 */
export function useAction(errors: ErrorStrings, explain?: (err: unknown) => string | null) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const run = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    setFields({});
    try {
      await work();
    } catch (err) {
      setError(explain?.(err) ?? errorMessage(err, errors));
      if (err instanceof ApiError) setFields(err.fieldErrors());
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, fields, run };
}

/**
 * A form's submit, the way every sign-in and password form works: `useAction`'s, with no
 * page load.
 *
 * @example const form = useFormSubmit(strings.errors); <form onSubmit={form.submit(async () => …)}>
 */
export function useFormSubmit(errors: ErrorStrings, explain?: (err: unknown) => string | null) {
  const { run, ...state } = useAction(errors, explain);
  const submit = (work: () => Promise<unknown>) => async (e: FormEvent) => {
    e.preventDefault();
    await run(work);
  };
  return { ...state, submit };
}
