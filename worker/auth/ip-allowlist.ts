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
    if (((asV4 & mask) >>> 0) === ((net & mask) >>> 0)) return true;
  }
  return false;
}
