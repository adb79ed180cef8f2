import { useSyncExternalStore } from 'react';
import { toast } from '../lib/toast';

/** Renders the toasts in a polite live region (errors in an assertive one). */
export function Toaster({ dismissLabel }: { dismissLabel: string }) {
  const toasts = useSyncExternalStore(toast.subscribe, toast.get);
  const polite = toasts.filter((t) => t.kind !== 'error');
  const urgent = toasts.filter((t) => t.kind === 'error');
  const render = (list: typeof toasts) =>
    list.map((t) => (
      <div key={t.id} className={`toast toast--${t.kind}`} data-toast-kind={t.kind}>
        <span className="toast__icon" aria-hidden="true">
          {t.kind === 'error' ? '⚠' : t.kind === 'warn' ? '!' : t.kind === 'ok' ? '✓' : 'i'}
        </span>
        <p className="toast__message">{t.message}</p>
        {t.action && (
          <button
            type="button"
            className="button button--secondary"
            onClick={() => (t.action!.run(), toast.dismiss(t.id))}
          >
            {t.action.label}
          </button>
        )}
        <button
          type="button"
          className="button button--ghost toast__close"
          aria-label={dismissLabel}
          onClick={() => toast.dismiss(t.id)}
        >
          ×
        </button>
      </div>
    ));
  return (
    <div className="toaster">
      <div role="status" aria-live="polite" className="toaster__list">
        {render(polite)}
      </div>
      <div role="alert" aria-live="assertive" className="toaster__list">
        {render(urgent)}
      </div>
    </div>
  );
}
