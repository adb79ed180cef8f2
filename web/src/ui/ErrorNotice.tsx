import type { ReactNode } from 'react';
import { ApiError } from '../lib/api';
import { toast } from '../lib/toast';
import type { ErrorStrings } from './strings';

/**
 * The sentence to show for a failure: the API's own message, or ours for the network; with
 * `unavailable`, that instead where the server does not have the route yet (an older deploy).
 */
export function errorMessage(err: unknown, strings: ErrorStrings, unavailable?: string): string {
  if (unavailable !== undefined && err instanceof ApiError && err.isMissingRoute) return unavailable;
  if (err instanceof ApiError) return err.isNetwork ? strings.network : err.message;
  return strings.generic;
}

/** Tells a failure that has no form to stand beside in a toast, in the user's words. */
export function toastError(err: unknown, strings: ErrorStrings, unavailable?: string): void {
  toast.show({ kind: 'error', message: errorMessage(err, strings, unavailable) });
}

/** A form's one-line refusal, read out as it appears; nothing while there is none. */
export function FormAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="notice notice--error" role="alert">
      {message}
    </p>
  );
}

export function ErrorNotice({
  error,
  strings,
  onRetry,
}: {
  error: unknown;
  strings: ErrorStrings;
  onRetry?: () => void;
}) {
  if (!error) return null;
  return (
    <div className="notice notice--error" role="alert">
      <p>{errorMessage(error, strings)}</p>
      {onRetry && (
        <button type="button" className="button button--secondary" onClick={onRetry}>
          {strings.tryAgain}
        </button>
      )}
    </div>
  );
}

/** A button that opens a document (a PDF in a new tab); a failure is told in a toast. */
export function OpenButton({
  open,
  strings,
  children,
}: {
  open: () => Promise<void>;
  strings: ErrorStrings;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="button button--secondary"
      onClick={() => void open().catch((err: unknown) => toastError(err, strings))}
    >
      {children}
    </button>
  );
}
