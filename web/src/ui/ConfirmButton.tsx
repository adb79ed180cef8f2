import { useState } from 'react';

/**
 * A destructive action behind one more tap: the button asks the question, with the action
 * again and a way to keep things as they are. The question closes once `onConfirm` settles.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  keep: string;
  onConfirm: () => Promise<unknown>;
  /** While the action runs: its button is disabled and reads `busyLabel`. */
  busy?: boolean;
  busyLabel?: string;
}) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
        {props.label}
      </button>
    );
  }
  return (
    <div className="row" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        type="button"
        className="button button--danger"
        onClick={() => void props.onConfirm().finally(() => setConfirming(false))}
        disabled={props.busy}
      >
        {props.busy && props.busyLabel ? props.busyLabel : props.label}
      </button>
      <button type="button" className="button button--ghost" onClick={() => setConfirming(false)}>
        {props.keep}
      </button>
    </div>
  );
}
