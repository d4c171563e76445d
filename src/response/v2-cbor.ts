/** The v2 response: one definite-length CBOR map with Reductionist's seven keys, in its order (API.md §4). */
import { encode } from 'cbor2';
import type { OpResult } from '../request/chunk-request.js';

const EMPTY = new Uint8Array(0);

/**
 * A plain Uint8Array view (no copy): cbor2 writes a Uint8Array as an untagged byte string, but a Buffer subclass
 * through its toJSON form.
 */
function byteString(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function packUint64(values: readonly number[], signed: boolean): Uint8Array {
  const out = signed ? new BigInt64Array(values.length) : new BigUint64Array(values.length);
  values.forEach((v, i) => {
    out[i] = BigInt(v);
  });
  return new Uint8Array(out.buffer);
}

export interface V2Options {
  shapeAsBytes: boolean;
  countAsBytes: boolean;
}

/** The seven-key map as a plain object (insertion order is the wire order). */
function v2ResultMap(result: OpResult, opts: V2Options): Record<string, unknown> {
  return {
    bytes: byteString(result.bytes),
    dtype: result.dtype,
    shape: opts.shapeAsBytes ? [] : result.shape,
    shape_as_bytes: opts.shapeAsBytes ? packUint64(result.shape, false) : EMPTY,
    count: opts.countAsBytes ? [] : result.counts,
    count_as_bytes: opts.countAsBytes ? packUint64(result.counts, true) : EMPTY,
    byte_order: 'little',
  };
}

/** Integers are written in their shortest form (uint64 above 2^32, never a float); no tags, no indefinite lengths. */
export function encodeV2Response(result: OpResult, opts: V2Options): Uint8Array {
  return encode(v2ResultMap(result, opts));
}
