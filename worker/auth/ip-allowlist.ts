/** IPv4 dotted quad → 32-bit number, or null when it is not one. */
function ipv4(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    n = n * 256 + Number(p);
  }
  return n;
}

/**
 * Whether `ip` is on the list. Entries are exact addresses (IPv4 or IPv6, compared
 * case-insensitively) or IPv4 CIDR blocks like `203.0.113.0/24` — what a small office
 * with a fixed line needs.
 */
export function ipAllowed(list: readonly string[], ip: string | null): boolean {
  if (!ip) return false;
  const needle = ip.toLowerCase();
  const asV4 = ipv4(ip);
  for (const entry of list) {
    const [base, bits] = entry.toLowerCase().split('/');
    if (bits === undefined) {
      if (base === needle) return true;
      continue;
    }
    const net = ipv4(base ?? '');
    const size = Number(bits);
    if (net === null || asV4 === null || !Number.isInteger(size) || size < 0 || size > 32) continue;
    const mask = size === 0 ? 0 : (~0 << (32 - size)) >>> 0;
    if ((asV4 & mask) >>> 0 === (net & mask) >>> 0) return true;
  }
  return false;
}

/**
 * Why `entry` cannot be an ADMIN_IP_ALLOWLIST entry, or null when it can: an IPv4 or IPv6
 * address, or an IPv4 CIDR block (what `ipAllowed` matches). Checked at start-up
 * (worker/config.ts), because `ipAllowed` skips an entry it cannot read.
 */
export function allowListEntryProblem(entry: string): string | null {
  const [base = '', bits, extra] = entry.split('/');
  const quote = JSON.stringify(entry);
  if (extra !== undefined) return `ADMIN_IP_ALLOWLIST entry ${quote} is not an IP address or IPv4 CIDR block`;
  if (ipv4(base) !== null) {
    if (bits === undefined) return null;
    return /^\d{1,2}$/.test(bits) && Number(bits) <= 32
      ? null
      : `ADMIN_IP_ALLOWLIST entry ${quote} has a prefix length outside 0–32`;
  }
  if (isIpv6(base))
    return bits === undefined
      ? null
      : `ADMIN_IP_ALLOWLIST entry ${quote}: IPv6 ranges are not supported; list the exact addresses`;
  return `ADMIN_IP_ALLOWLIST entry ${quote} is not an IP address or IPv4 CIDR block (e.g. 203.0.113.0/24)`;
}

/** An IPv6 literal (full, `::`-compressed, or with an embedded IPv4 tail), without a zone id. */
function isIpv6(s: string): boolean {
  if (!s.includes(':') || !/^[0-9a-f:.]+$/i.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  let count = groups.length;
  const tail = groups.at(-1);
  if (tail?.includes('.')) {
    if (ipv4(tail) === null) return false;
    groups.pop();
    count += 1; // an IPv4 tail fills two groups
  }
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}
