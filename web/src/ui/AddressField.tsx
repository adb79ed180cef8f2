import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { AddressSuggestion, AddressSuggestions } from '../../../contract/responses';
import { Field, type FieldProps } from './Field';
import { ADDRESS_SUGGESTIONS as s } from './strings';

/** Suggestions are asked for once typing pauses this long, from three characters on. */
const PAUSE_MS = 250;
const MIN_CHARS = 3;

export interface AddressFieldProps extends Omit<FieldProps, 'children' | 'role'> {
  /** Asks the API for addresses matching the text (`GET /api/v1/addresses/suggest`). */
  suggest: (q: string) => Promise<AddressSuggestions>;
  /** A suggestion was picked: fill the form's address fields from it. */
  onChoose: (s: AddressSuggestion) => void;
}

/**
 * A street-address input that offers addresses as the person types (an ARIA 1.2 combobox:
 * arrow keys move through the list, Enter picks, Escape closes). Where the operator has no
 * geocoder that suggests, it stays a plain input and stops asking.
 */
export function AddressField({ suggest, onChoose, onValue, value, id, ...field }: AddressFieldProps) {
  const [options, setOptions] = useState<AddressSuggestion[]>([]);
  const [provider, setProvider] = useState<AddressSuggestions['provider']>(null);
  const [active, setActive] = useState(-1);
  const typed = useRef(false);
  const focused = useRef(false);
  const unavailable = useRef(false);
  const listId = `${id}-suggestions`;
  const text = String(value).trim();

  useEffect(() => {
    if (!typed.current || unavailable.current || text.length < MIN_CHARS) {
      setOptions([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      suggest(text)
        .then((r) => {
          if (!current) return;
          if (r.provider === null) unavailable.current = true;
          // An answer that comes after the person moved on opens nothing.
          if (!focused.current) return;
          setProvider(r.provider);
          setOptions(r.suggestions);
          setActive(-1);
        })
        .catch(() => current && setOptions([]));
    }, PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, suggest]);

  const choose = (option: AddressSuggestion) => {
    typed.current = false;
    setOptions([]);
    onChoose(option);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (options.length === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (i + step + options.length) % options.length);
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      choose(options[active]!);
    } else if (e.key === 'Escape') {
      setOptions([]);
    }
  };

  const open = options.length > 0;
  return (
    <div className="address-field">
      <Field
        {...field}
        id={id}
        value={value}
        onValue={(v) => {
          typed.current = true;
          onValue(v);
        }}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
        onKeyDown={onKeyDown}
        onFocus={() => {
          focused.current = true;
        }}
        onBlur={() => {
          focused.current = false;
          setOptions([]);
        }}
      />
      <p className="visually-hidden" aria-live="polite">
        {open ? s.count(options.length) : ''}
      </p>
      <div className="address-field__popup" hidden={!open}>
        <div id={listId} role="listbox" aria-label={s.list} className="address-field__list">
          {options.map((o, i) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the input keeps the keyboard (arrows, Enter) and points at the option with aria-activedescendant.
            <div
              key={o.description}
              id={`${listId}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className="address-field__option"
              // Before the input's blur closes the list.
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => choose(o)}
            >
              {o.description}
            </div>
          ))}
        </div>
        {provider === 'google' && <p className="address-field__credit">{s.poweredByGoogle}</p>}
      </div>
    </div>
  );
}
