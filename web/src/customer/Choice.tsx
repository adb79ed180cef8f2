import { type ReactNode, useState } from 'react';
import { ChoiceBox, Field } from '../ui/Field';

/** One radio choice, its whole box clickable. */
export function Choice(props: {
  name: string;
  value?: string | number;
  checked: boolean;
  onPick: () => void;
  className?: string;
  children: ReactNode;
}) {
  const { onPick, ...box } = props;
  return <ChoiceBox type="radio" onChange={() => onPick()} {...box} />;
}

/** The state behind a `WhenFieldset`: whether the job waits, and for when (a `datetime-local` value). */
export function useWhen(initial: { later: boolean; at: string }) {
  const [later, setLater] = useState(initial.later);
  const [at, setAt] = useState(initial.at);
  return { later, setLater, at, setAt };
}

/** The picked time as an instant, or null when it is empty, not a time, or already past. */
export function futureInstant(at: string): Date | null {
  const t = new Date(at);
  return !at || Number.isNaN(t.getTime()) || t.getTime() < Date.now() ? null : t;
}

/** When a job should be done: as soon as possible, or at a date and time the customer picks. */
export function WhenFieldset(props: {
  id: string;
  labels: { when: string; now: string; later: string; at: string };
  when: ReturnType<typeof useWhen>;
  error: string | undefined;
}) {
  const { id, labels, when } = props;
  return (
    <fieldset>
      <legend>{labels.when}</legend>
      <Choice name={`${id}-when`} checked={!when.later} onPick={() => when.setLater(false)}>
        <span className="choice__main">{labels.now}</span>
      </Choice>
      <Choice name={`${id}-when`} checked={when.later} onPick={() => when.setLater(true)}>
        <span className="choice__main">{labels.later}</span>
      </Choice>
      {when.later && (
        <Field
          id={`${id}-at`}
          label={labels.at}
          type="datetime-local"
          value={when.at}
          onValue={when.setAt}
          error={props.error}
          required
        />
      )}
    </fieldset>
  );
}
