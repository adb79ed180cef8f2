import { type FormEvent, useState } from 'react';
import { errorMessage } from './ErrorNotice';
import type { ErrorStrings } from './strings';

/**
 * A form's submit, the way every sign-in and password form works: no page load, busy while
 * `work` runs, the last refusal cleared first, and a failure kept as the sentence to show
 * (`explain` words the failures a form knows better, else the API's own message).
 *
 * @example const form = useFormSubmit(strings.errors); <form onSubmit={form.submit(async () => …)}>
 */
export function useFormSubmit(errors: ErrorStrings, explain?: (err: unknown) => string | null) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = (work: () => Promise<unknown>) => async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(explain?.(err) ?? errorMessage(err, errors));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
