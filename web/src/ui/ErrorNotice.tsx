import { ApiError } from '../lib/api';
import type { ErrorStrings } from './strings';

/** The sentence to show for a failure: the API's own message, or ours for the network. */
export function errorMessage(err: unknown, strings: ErrorStrings): string {
  if (err instanceof ApiError) return err.isNetwork ? strings.network : err.message;
  return strings.generic;
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
