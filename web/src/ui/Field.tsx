import type { Dispatch, InputHTMLAttributes, ReactNode, SetStateAction } from 'react';
import { FIELD_MAX } from '../../../contract/field-messages';
import { PHONE_EXAMPLE } from './strings';

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
  return (
    <FieldFrame id={id} label={label} error={error}>
      <input id={id} {...validity(props)} {...input} onChange={(e) => onValue(e.target.value)} />
      {children}
    </FieldFrame>
  );
}

/** The `.field` layout around one control: its label above, the server's word on it below. */
function FieldFrame(props: { id: string; label: ReactNode; error?: string | undefined; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      <FieldError id={props.id} message={props.error} />
    </div>
  );
}

/** The ARIA state of a control whose props carry `error` (even `undefined`): see `FieldProps.error`. */
function validity(props: { id: string; error?: string | undefined }) {
  if (!('error' in props)) return {};
  return { 'aria-invalid': !!props.error, 'aria-describedby': props.error ? `${props.id}-err` : undefined };
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
 * (`autoComplete="off"` for someone else's), an example as placeholder and the API's length limit.
 */
export function PhoneField(props: Omit<FieldProps, 'type' | 'inputMode' | 'maxLength'>) {
  return <Field {...PHONE_INPUT} {...props} />;
}

/** A six-digit code sent by text or shown by an authenticator app, as the phone offers to fill it in. */
export const SIX_DIGIT_CODE = {
  inputMode: 'numeric',
  autoComplete: 'one-time-code',
  pattern: '[0-9]{6}',
  maxLength: 6,
} as const satisfies Partial<FieldProps>;

/** `PhoneField`'s input props, for a phone number among the fields of a draft (`draftFields`). */
export const PHONE_INPUT = {
  type: 'tel',
  inputMode: 'tel',
  autoComplete: 'tel',
  maxLength: FIELD_MAX.phone,
  placeholder: PHONE_EXAMPLE,
} as const satisfies Partial<FieldProps>;

/**
 * A password: the person's current one, or (`isNew`) one they choose now, held to the API's
 * ten-character minimum before it is sent.
 */
export function PasswordField({ isNew = false, ...props }: Omit<FieldProps, 'type'> & { isNew?: boolean }) {
  return isNew ? (
    <Field type="password" autoComplete="new-password" minLength={10} required {...props} />
  ) : (
    <Field type="password" autoComplete="current-password" required {...props} />
  );
}

type TextKeys<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];

/**
 * `onValue` handlers for the text fields of one draft object held in state:
 * `const set = fieldSetter(setDraft)`, then `onValue={set('name')}` writes `draft.name`.
 */
export function fieldSetter<T>(setDraft: Dispatch<SetStateAction<T>>) {
  return (key: TextKeys<T>) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
}

/**
 * A `Field` for each text key of one draft object held in state, its id `${idPrefix}-${key}`:
 * `const field = draftFields(id, draft, setDraft)`, then `{field('name', s.name, { required: true })}`.
 * With `errors` (the server's word per key), each field is validated as `FieldProps.error` says.
 */
export function draftFields<T>(
  idPrefix: string,
  draft: T,
  setDraft: Dispatch<SetStateAction<T>>,
  errors?: Partial<Record<keyof T, string>>,
) {
  const set = fieldSetter(setDraft);
  return (key: TextKeys<T>, label: ReactNode, props: Partial<FieldProps> = {}) => (
    <Field
      id={`${idPrefix}-${String(key)}`}
      label={label}
      value={String(draft[key])}
      onValue={set(key)}
      {...(errors ? { error: errors[key] } : {})}
      {...props}
    />
  );
}

export interface TextAreaFieldProps {
  id: string;
  label: ReactNode;
  value: string;
  onValue: (value: string) => void;
  rows?: number;
  maxLength?: number;
  required?: boolean;
  /** As on `Field`: passing the prop marks the text area `aria-invalid` and ties the message to it. */
  error?: string | undefined;
}

/** A labelled multi-line text box in the same `.field` layout (notes, instructions, reasons). */
export function TextAreaField(props: TextAreaFieldProps) {
  const { id, label, onValue, error, ...area } = props;
  return (
    <FieldFrame id={id} label={label} error={error}>
      <textarea id={id} {...validity(props)} {...area} onChange={(e) => onValue(e.target.value)} />
    </FieldFrame>
  );
}

/** A labelled drop-down in the same `.field` layout; the options are its children. */
export function SelectField(props: {
  id: string;
  label: ReactNode;
  value: string;
  onValue: (value: string) => void;
  children: ReactNode;
}) {
  return (
    <FieldFrame id={props.id} label={props.label}>
      <select id={props.id} value={props.value} onChange={(e) => props.onValue(e.target.value)}>
        {props.children}
      </select>
    </FieldFrame>
  );
}

/** A radio button or checkbox and its words, the whole line (a `.choice` box unless `className` says) clickable. */
export function ChoiceBox({
  className,
  children,
  ...input
}: Omit<InputHTMLAttributes<HTMLInputElement>, 'className' | 'children'> & {
  className?: string;
  children: ReactNode;
}) {
  return (
    <label className={className ?? 'choice'}>
      <input {...input} />
      {children}
    </label>
  );
}

/** A checkbox in a `ChoiceBox`. */
export function Checkbox({
  onChecked,
  ...props
}: {
  checked: boolean;
  onChecked: (checked: boolean) => void;
  disabled?: boolean;
  className?: string;
  children: ReactNode;
}) {
  return <ChoiceBox type="checkbox" onChange={(e) => onChecked(e.target.checked)} {...props} />;
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
