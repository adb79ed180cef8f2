import { type FormEvent, type ReactNode, useId } from 'react';

/** A form on its own card, named by its heading, with a line on what it is for under it. */
export function CardForm(props: {
  title: ReactNode;
  intro?: ReactNode;
  onSubmit: (e: FormEvent) => void;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <form className="card" aria-labelledby={`${id}-title`} onSubmit={props.onSubmit}>
      <h2 id={`${id}-title`}>{props.title}</h2>
      {props.intro && <p className="muted">{props.intro}</p>}
      {props.children}
    </form>
  );
}
