/**
 * Money as people read it, the same in the apps, the emails and the invoice PDF. Amounts
 * are integer cents everywhere else; this is the one place they become text.
 */

/**
 * How long a driver can take back a payment they recorded by mistake; the customer's
 * receipt waits as long, so a payment taken back never thanked anyone.
 */
export const PAYMENT_UNDO_MINUTES = 10;

const SHORT = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 0,
  maximumFractionDigits: 2,
});
const EXACT = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });

/**
 * Integer cents → "$85" / "$85.50" on screens, or "$85.00" with `exact` (documents and
 * messages, where columns of amounts line up). Null or missing → "—".
 *
 * @example formatMoney(8550) // "$85.50"; formatMoney(8500, { exact: true }) // "$85.00"
 */
export function formatMoney(cents: number | null | undefined, opts: { exact?: boolean } = {}): string {
  if (cents === null || cents === undefined) return '—';
  return (opts.exact ? EXACT : SHORT).format(cents / 100);
}
