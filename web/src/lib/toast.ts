/**
 * App-wide toasts: short messages that say what happened and what to do next, announced
 * to screen readers through the Toaster's live region. One store per page is enough.
 *
 *   toast.show({ kind: 'error', message: 'Could not move the job. It is back in Pending.' });
 */

export type ToastKind = 'info' | 'ok' | 'warn' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  action?: { label: string; run: () => void };
}

const DEFAULT_MS: Record<ToastKind, number> = { info: 5_000, ok: 5_000, warn: 8_000, error: 10_000 };
const MAX_TOASTS = 4;

class ToastStore {
  #toasts: readonly Toast[] = [];
  #listeners = new Set<() => void>();
  #next = 1;

  get = (): readonly Toast[] => this.#toasts;

  subscribe = (l: () => void): (() => void) => {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  };

  show(t: Omit<Toast, 'id'> & { durationMs?: number }): number {
    const id = this.#next++;
    const { durationMs, ...rest } = t;
    this.#toasts = [...this.#toasts, { ...rest, id }].slice(-MAX_TOASTS);
    this.#emit();
    const ms = durationMs ?? DEFAULT_MS[t.kind];
    if (ms > 0 && typeof window !== 'undefined') window.setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number): void {
    const next = this.#toasts.filter((t) => t.id !== id);
    if (next.length === this.#toasts.length) return;
    this.#toasts = next;
    this.#emit();
  }

  #emit(): void {
    for (const l of this.#listeners) l();
  }
}

export const toast = new ToastStore();
