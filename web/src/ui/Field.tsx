import type { Dispatch, InputHTMLAttributes, ReactNode, SetStateAction } from 'react';
import { FIELD_MAX } from '../../../contract/field-messages';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange' | 'children'>;

export interface FieldProps extends InputProps {
  id: string;
  label: ReactNode;
  value: string | number;
  /** Called with the input's new text. */
  onValue: (value: string) => void;
  /**
   * The server's word on this field, if any. Passing the prop (even `undefined`) marks the
   * input `aria-invalid` and ties the message to it with `aria-describedby`.
   */
  error?: string | undefined;
  /** Shown under the input (a hint). */
  children?: ReactNode;
}

/**
 * A labelled input in the `.field` layout every form of the three apps uses.
 *
 * @example <Field id={`${id}-email`} label={s.email} type="email" value={draft.email} onValue={set('email')} />
 */
export function Field(props: FieldProps) {
  const { id, label, onValue, error, children, ...input } = props;
  const validated = 'error' in props;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        {...(validated ? { 'aria-invalid': !!error, 'aria-describedby': error ? `${id}-err` : undefined } : {})}
        {...input}
        onChange={(e) => onValue(e.target.value)}
      />
      {children}
      <FieldError id={id} message={error} />
    </div>
  );
}

/**
 * The server's word on one field, under it; `id` (the input's) gives it the `${id}-err` id
 * the input's `aria-describedby` names.
 */
export function FieldError({ id, message }: { id?: string; message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p id={id ? `${id}-err` : undefined} className="field-error">
      {message}
    </p>
  );
}

/**
 * A phone number: the phone keypad, the browser's autofill of the user's own number
 * (`autoComplete="off"` for someone else's) and the API's length limit.
 */
export function PhoneField(props: Omit<FieldProps, 'type' | 'inputMode' | 'maxLength'>) {
  return <Field type="tel" inputMode="tel" autoComplete="tel" maxLength={FIELD_MAX.phone} {...props} />;
}

type TextKeys<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];

/**
 * `onValue` handlers for the text fields of one draft object held in state:
 * `const set = fieldSetter(setDraft)`, then `onValue={set('name')}` writes `draft.name`.
 */
export function fieldSetter<T>(setDraft: Dispatch<SetStateAction<T>>) {
  return (key: TextKeys<T>) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
}

export interface TextAreaFieldProps {
  id: string;
  label: ReactNode;
  value: string;
  onValue: (value: string) => void;
  rows?: number;
  maxLength?: number;
  /** As on `Field`: passing the prop marks the text area `aria-invalid` and ties the message to it. */
  error?: string | undefined;
}

/** A labelled multi-line text box in the same `.field` layout (notes, instructions, reasons). */
export function TextAreaField(props: TextAreaFieldProps) {
  const { id, label, onValue, error, ...area } = props;
  const validated = 'error' in props;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        {...(validated ? { 'aria-invalid': !!error, 'aria-describedby': error ? `${id}-err` : undefined } : {})}
        {...area}
        onChange={(e) => onValue(e.target.value)}
      />
      <FieldError id={id} message={error} />
    </div>
  );
}

/** A form's primary button and its cancel button, in the row every dialog and inline form uses. */
export function FormActions(props: { submit: ReactNode; disabled: boolean; cancel: ReactNode; onCancel: () => void }) {
  return (
    <div className="row">
      <button type="submit" className="button button--primary" disabled={props.disabled}>
        {props.submit}
      </button>
      <button type="button" className="button button--ghost" onClick={props.onCancel}>
        {props.cancel}
      </button>
    </div>
  );
}
