/** What a driver is shown for a customer whose account has no name. */
export const UNNAMED_CUSTOMER = 'Customer';

/** A person's first name as the apps and messages greet them: the first word of their full name ('' for none). */
export function firstName(fullName: string | null | undefined): string {
  return (fullName ?? '').trim().split(/\s+/)[0] ?? '';
}
