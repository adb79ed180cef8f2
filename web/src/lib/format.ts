/** Locale formatting (numbers and money only; words live in each app's strings.ts). */

/** Money has one formatter, shared with the Worker's invoices and messages. */
export { formatMoney } from '../../../contract/money';

const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

export function formatTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : time.format(d);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : dateTime.format(d);
}

/** Whole seconds from `iso` to `now`, never negative (device clocks disagree a little). */
export function secondsSince(iso: string | number | null | undefined, now: number): number | null {
  if (iso === null || iso === undefined) return null;
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  return Number.isNaN(t) ? null : Math.max(0, Math.round((now - t) / 1000));
}
