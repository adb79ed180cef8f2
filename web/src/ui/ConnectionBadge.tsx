import type { ConnectionState } from '../lib/realtime';
import type { ConnectionStrings } from './strings';

/** A small live/offline indicator for the app's socket. */
export function ConnectionBadge({ state, strings }: { state: ConnectionState; strings: ConnectionStrings }) {
  return (
    <span className={`badge badge--conn badge--${state}`} role="status" data-state={state}>
      <span className="badge__dot" aria-hidden="true" />
      {strings[state]}
    </span>
  );
}
