/**
 * The hand-written v2 encoder against cbor2 (a general, conformant encoder): the same bytes for every shape of
 * result, every integer width, both *_as_bytes options, and the contract's worked example A.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from 'cbor2';
import type { DType } from '../../../src/array/dtype.js';
import type { OpResult } from '../../../src/request/chunk-request.js';
import { encodeV2Response, type V2Options } from '../../../src/response/v2-cbor.js';

function reference(r: OpResult, o: V2Options): Uint8Array {
  const pack = (values: number[], signed: boolean) => {
    const out = signed ? new BigInt64Array(values.map(BigInt)) : new BigUint64Array(values.map(BigInt));
    return new Uint8Array(out.buffer);
  };
  return encode({
    bytes: new Uint8Array(r.bytes),
    dtype: r.dtype,
    shape: o.shapeAsBytes ? [] : r.shape,
    shape_as_bytes: o.shapeAsBytes ? pack(r.shape, false) : new Uint8Array(0),
    count: o.countAsBytes ? [] : r.counts,
    count_as_bytes: o.countAsBytes ? pack(r.counts, true) : new Uint8Array(0),
    byte_order: 'little',
  });
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('v2 CBOR encoder', () => {
  it('writes the contract’s example A exactly', () => {
    const r: OpResult = { dtype: 'int32', shape: [], bytes: Uint8Array.from([0x2d, 0, 0, 0]), counts: [10] };
    assert.equal(
      hex(encodeV2Response(r, { shapeAsBytes: false, countAsBytes: false })),
      'a7656279746573442d00000065647479706565696e743332657368617065806e73686170655f61735f62797465734065636f756e74810a6e636f756e745f61735f6279746573406a627974655f6f72646572666c6974746c65',
    );
  });

  it('equals cbor2 for every integer width, length and option', () => {
    // Boundaries of each head length, for array lengths, byte-string lengths and values.
    const widths = [0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
    const dtypes: DType[] = ['int8', 'uint16', 'float32', 'float64', 'int64'];
    let cases = 0;
    for (const [i, n] of [0, 1, 23, 24, 255, 256, 70000].entries()) {
      const counts = Array.from(
        { length: Math.min(n, 300) },
        (_, k) => widths[(k + i) % widths.length] as number,
      );
      const shape = counts.length === 0 ? [] : [counts.length];
      const bytes = Uint8Array.from({ length: n }, (_, k) => (k * 31 + i) & 0xff);
      for (const shapeAsBytes of [false, true]) {
        for (const countAsBytes of [false, true]) {
          const r: OpResult = { dtype: dtypes[i % dtypes.length] as DType, shape, bytes, counts };
          const o = { shapeAsBytes, countAsBytes };
          assert.equal(hex(encodeV2Response(r, o)), hex(reference(r, o)), `n=${n} ${JSON.stringify(o)}`);
          cases++;
        }
      }
    }
    assert.equal(cases, 28);
  });

  it('decodes to the seven keys in order', () => {
    const r: OpResult = {
      dtype: 'uint64',
      shape: [2, 3],
      bytes: new Uint8Array(48),
      counts: [1, 2, 3, 4, 5, 6],
    };
    const m = decode(encodeV2Response(r, { shapeAsBytes: false, countAsBytes: false })) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(m), [
      'bytes',
      'dtype',
      'shape',
      'shape_as_bytes',
      'count',
      'count_as_bytes',
      'byte_order',
    ]);
    assert.deepEqual(m.shape, [2, 3]);
  });
});
