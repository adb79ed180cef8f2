/**
 * One-time secrets (sign-in links, codes) inside a stored notification body. They must
 * reach the provider but not stay readable in the admin outbox, and a queued message is
 * sent from its stored row. So the row keeps each secret between two INVISIBLE SEPARATOR
 * characters (U+2063): stripped for sending, replaced by `[redacted]` once a real
 * provider has the message.
 */
const MARK = '\u2063';
const MARKED = new RegExp(`${MARK}[^${MARK}]*${MARK}`, 'g');

/** Wraps every occurrence of each secret in markers (one pass, longest secret first, so overlaps stay whole). */
export function markSecrets(body: string, secrets: string[] = []): string {
  const unique = [...new Set(secrets.filter((x) => x && !x.includes(MARK)))].sort((a, b) => b.length - a.length);
  if (unique.length === 0) return body;
  const pattern = new RegExp(unique.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return body.replace(pattern, (m) => `${MARK}${m}${MARK}`);
}

/** The text to send: markers removed, secrets intact. */
export function unmarkSecrets(body: string): string {
  return body.replaceAll(MARK, '');
}

/** The text to keep after a real provider delivered it. */
export function redactSecrets(body: string): string {
  return body.replace(MARKED, '[redacted]').replaceAll(MARK, '');
}

export const hasSecrets = (body: string) => body.includes(MARK);
