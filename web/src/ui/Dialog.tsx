import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog (or a side drawer with `variant="drawer"`): traps focus while open,
 * closes on Escape or a click on the backdrop, and gives focus back to whatever had it
 * before (the card's button), as the WAI-ARIA dialog pattern asks.
 */
export function Dialog({
  title,
  onClose,
  children,
  variant = 'modal',
  closeLabel,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  variant?: 'modal' | 'drawer';
  closeLabel: string;
}) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = box.current;
    const first = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>('h2');
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        close.current();
        return;
      }
      if (e.key !== 'Tab' || !el) return;
      const focusable = [
        ...el.querySelectorAll<HTMLElement>(
          'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])',
        ),
      ].filter((n) => n.offsetParent !== null);
      if (focusable.length === 0) return;
      const firstEl = focusable[0]!;
      const lastEl = focusable.at(-1)!;
      if (!el.contains(document.activeElement)) {
        e.preventDefault();
        (e.shiftKey ? lastEl : firstEl).focus();
      } else if (e.shiftKey && document.activeElement === firstEl) {
        e.preventDefault();
        lastEl.focus();
      } else if (!e.shiftKey && document.activeElement === lastEl) {
        e.preventDefault();
        firstEl.focus();
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes; keyboard users close with Escape.
    <div
      className={`dialog-backdrop dialog-backdrop--${variant}`}
      onMouseDown={(e) => e.target === e.currentTarget && close.current()}
    >
      <div
        ref={box}
        className={`dialog dialog--${variant}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
      >
        <div className="dialog__head">
          <h2 id={`${id}-title`} tabIndex={-1}>
            {title}
          </h2>
          <button
            type="button"
            className="button button--ghost"
            onClick={() => close.current()}
            aria-label={closeLabel}
          >
            ✕
          </button>
        </div>
        <div className="dialog__body">{children}</div>
      </div>
    </div>
  );
}
