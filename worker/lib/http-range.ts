/** One byte range of a resource: `length` bytes from `offset`. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Reads a `Range` header against a resource of `size` bytes (RFC 9110 §14.1.2): `null` when
 * there is none (send it all), the range when it is one satisfiable `bytes=` range, and
 * `'unsatisfiable'` otherwise. Several ranges, other units and malformed values count as
 * unsatisfiable too: map clients ask for one range at a time, and a clear 416 beats
 * guessing what a garbled header meant.
 *
 * @example
 * parseRange('bytes=0-16383', 1_000_000) // { offset: 0, length: 16384 }
 * parseRange('bytes=-100', 1_000)         // { offset: 900, length: 100 }
 */
export function parseRange(header: string | null | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header == null) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'unsatisfiable';
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (!Number.isSafeInteger(suffix) || suffix === 0 || size === 0) return 'unsatisfiable';
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(first) || first >= size || (m[2] !== '' && Number(m[2]) < first)) return 'unsatisfiable';
  return { offset: first, length: last - first + 1 };
}
