/** The `Range` header of a GetObject, resolved the way S3 resolves it (RFC 9110 §14, one range only). */

export type ResolvedRange =
  | { kind: 'whole' }
  | { kind: 'part'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * `bytes=a-b`, `bytes=a-` and `bytes=-n`. A header that does not parse, asks for several ranges, or has `b < a`
 * is ignored and the whole object is sent — S3 does that, and RFC 9110 allows it. A first byte at or past the end
 * of the object (or a zero-length suffix) cannot be satisfied: 416 InvalidRange. A last byte past the end is
 * clamped.
 */
export function resolveRange(header: string | undefined, size: number): ResolvedRange {
  if (header === undefined) return { kind: 'whole' };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'part', start, end };
}
