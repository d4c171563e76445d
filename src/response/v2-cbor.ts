/** The v2 response: one definite-length CBOR map with Reductionist's seven keys, in its order (API.md §4). */
import { Encoder } from 'cbor-x';
import type { OpResult } from '../request/chunk-request.js';

// tagUint8Array: false keeps byte strings untagged (no RFC 8746 typed-array tags); variableMapSize: true gives the
// shortest map header (a7), as Reductionist's encoder does.
const encoder = new Encoder({
  useRecords: false,
  variableMapSize: true,
  tagUint8Array: false,
  mapsAsObjects: true,
});

const EMPTY = new Uint8Array(0);

/** cbor-x writes integers >= 2^32 as floats; the contract allows no floats, so those go out as uint64. */
function uints(values: readonly number[]): (number | bigint)[] {
  return values.map((v) => (v >= 2 ** 32 ? BigInt(v) : v));
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

/** The seven-key map as a plain object (batch responses nest these). */
export function v2ResultMap(result: OpResult, opts: V2Options): Record<string, unknown> {
  return {
    bytes: result.bytes,
    dtype: result.dtype,
    shape: opts.shapeAsBytes ? [] : uints(result.shape),
    shape_as_bytes: opts.shapeAsBytes ? packUint64(result.shape, false) : EMPTY,
    count: opts.countAsBytes ? [] : uints(result.counts),
    count_as_bytes: opts.countAsBytes ? packUint64(result.counts, true) : EMPTY,
    byte_order: 'little',
  };
}

export function encodeCbor(value: unknown): Uint8Array {
  return encoder.encode(value);
}

export function encodeV2Response(result: OpResult, opts: V2Options): Uint8Array {
  return encodeCbor(v2ResultMap(result, opts));
}
