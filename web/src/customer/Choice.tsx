import type { ReactNode } from 'react';
import { Field } from '../ui/Field';

/** One radio choice, its whole box clickable. */
export function Choice(props: {
  name: string;
  value?: string | number;
  checked: boolean;
  onPick: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <label className={props.className ?? 'choice'}>
      <input
        type="radio"
        name={props.name}
        value={props.value}
        checked={props.checked}
        onChange={() => props.onPick()}
      />
      {props.children}
    </label>
  );
}

/** When a job should be done: as soon as possible, or at a date and time the customer picks. */
export function WhenFieldset(props: {
  id: string;
  labels: { when: string; now: string; later: string; at: string };
  later: boolean;
  onLater: (later: boolean) => void;
  at: string;
  onAt: (value: string) => void;
  error: string | undefined;
}) {
  const { id, labels, later, onLater } = props;
  return (
    <fieldset>
      <legend>{labels.when}</legend>
      <Choice name={`${id}-when`} checked={!later} onPick={() => onLater(false)}>
        <span className="choice__main">{labels.now}</span>
      </Choice>
      <Choice name={`${id}-when`} checked={later} onPick={() => onLater(true)}>
        <span className="choice__main">{labels.later}</span>
      </Choice>
      {later && (
        <Field
          id={`${id}-at`}
          label={labels.at}
          type="datetime-local"
          value={props.at}
          onValue={props.onAt}
          error={props.error}
          required
        />
      )}
    </fieldset>
  );
}
