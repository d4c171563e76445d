/**
 * The docs page's request panel script (docs-try-it.ts), run outside a browser: its CBOR decoder against cbor2 and
 * the server's own encoder, its value formatting against the command-line client's. The browser test covers the DOM.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decode, encode } from 'cbor2';
import { formatNumber } from '../../../src/client/result.js';
import { TRY_IT_SCRIPT } from '../../../src/http/docs-try-it.js';
import { encodeV2Response } from '../../../src/response/v2-cbor.js';

type Rows = [string, string][];
interface PanelFunctions {
  decodeCbor(bytes: Uint8Array): unknown;
  formatNumber(v: number | bigint, dtype: string): string;
  describeV2(bytes: Uint8Array, order: 'C' | 'F'): Rows;
  describeV1(bytes: Uint8Array, header: (name: string) => string | null, order: 'C' | 'F'): Rows;
}

// Evaluated in this realm (not node:vm) so that arrays and objects compare with deepStrictEqual. Without a
// `document` the script only defines its functions.
const S3AS = new Function(`${TRY_IT_SCRIPT}\nreturn S3AS;`)() as PanelFunctions;

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const field = (rows: Rows, name: string) => rows.find(([k]) => k === name)?.[1];

/** Byte strings come back as Uint8Array from the panel and as Uint8Array from cbor2: compare them as Buffers. */
function normalise(x: unknown): unknown {
  if (x instanceof Uint8Array) return Buffer.from(x);
  if (Array.isArray(x)) return x.map(normalise);
  if (typeof x === 'object' && x !== null) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normalise(v)]));
  }
  return x;
}

describe('docs page panel script', () => {
  test('decodes CBOR as cbor2 does', () => {
    const values = [
      { a: 1, b: [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32 + 5], c: 'text ü' },
      [-1, -24, -25, -256, -257, -(2 ** 40)],
      {
        bytes: Buffer.from([1, 2, 3]),
        flags: [true, false, null],
        floats: [1.5, -0.25, 1e300, 3.4028234663852886e38],
      },
      [2n ** 64n - 1n, -(2n ** 63n)],
      [],
      {},
    ];
    for (const value of values) {
      const bytes = encode(value);
      assert.deepEqual(
        normalise(S3AS.decodeCbor(bytes)),
        normalise(decode(bytes)),
        JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
      );
    }
    // Half-precision floats (major type 7, info 25): 1.0, -2.0, 65504, +inf.
    assert.deepEqual(S3AS.decodeCbor(hex('84 f93c00 f9c000 f97bff f97c00')), [
      1,
      -2,
      65504,
      Number.POSITIVE_INFINITY,
    ]);
    // A tag is skipped for its content (the server never sends one, API.md §4).
    assert.deepEqual(normalise(S3AS.decodeCbor(hex('d840 43 010203'))), Buffer.from([1, 2, 3]));
  });

  test('refuses truncated input, trailing bytes and indefinite lengths', () => {
    assert.throws(() => S3AS.decodeCbor(hex('83 01 02')), /data ends early/);
    assert.throws(() => S3AS.decodeCbor(hex('01 02')), /1 bytes after the first item/);
    assert.throws(() => S3AS.decodeCbor(hex('9f 01 ff')), /indefinite/);
  });

  test('shows API.md §13 A exactly: sum 45 of int32 with count [10]', () => {
    const body = hex(
      'a7656279746573442d00000065647479706565696e743332657368617065806e73686170655f61735f62797465734065636f756e74810a6e636f756e745f61735f6279746573406a627974655f6f72646572666c6974746c65',
    );
    const rows = S3AS.describeV2(body, 'C');
    assert.equal(field(rows, 'values'), '45');
    assert.equal(field(rows, 'dtype'), 'int32');
    assert.equal(field(rows, 'shape'), '[]');
    assert.equal(field(rows, 'count'), '[10]');
    assert.equal(field(rows, 'byte_order'), 'little');
    assert.equal(field(rows, 'bytes'), '2d000000');
  });

  test('reads the shape and counts packed as bytes, and lays F-order values out in their shape (§13 B)', () => {
    const fOrder = new Uint8Array(new BigInt64Array([17n, 19n, 9n, 11n, 1n, 3n]).buffer);
    const body = encodeV2Response(
      { dtype: 'int64', shape: [2, 3], bytes: fOrder, counts: [6] },
      { shapeAsBytes: true, countAsBytes: true },
    );
    const rows = S3AS.describeV2(body, 'F');
    assert.equal(field(rows, 'values'), '[[17, 9, 1], [19, 11, 3]]');
    assert.equal(field(rows, 'shape'), '[2,3]');
    assert.equal(field(rows, 'count'), '[6]');
  });

  test('reads a v1 answer from its headers (§13 E)', () => {
    const headers: Record<string, string> = {
      'x-activestorage-dtype': 'int64',
      'x-activestorage-shape': '[3]',
      'x-activestorage-count': '[1,2,1]',
      'x-activestorage-byte-order': 'little',
    };
    const rows = S3AS.describeV1(
      hex('0100000000000000 0200000000000000 0100000000000000'),
      (name) => headers[name] ?? null,
      'C',
    );
    assert.equal(field(rows, 'values'), '[1, 2, 1]');
    assert.equal(field(rows, 'count'), '[1, 2, 1]');
  });

  test('formats numbers exactly as the command-line client does', () => {
    const float32 = new Float32Array(400);
    const float64 = new Float64Array(400);
    let seed = 12345;
    for (let i = 0; i < 400; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const x = (seed / 2 ** 31 - 0.5) * 10 ** ((i % 40) - 20);
      float32[i] = x;
      float64[i] = x;
    }
    const specials = [0, -0, 1, 45, 0.1, 1e16, 1e-5, 123456789012345.6, Number.NaN, Infinity, -Infinity];
    for (const v of [...float32, ...specials.map(Math.fround)]) {
      assert.equal(S3AS.formatNumber(v, 'float32'), formatNumber(v, 'float32'), `float32 ${v}`);
    }
    for (const v of [...float64, ...specials]) {
      assert.equal(S3AS.formatNumber(v, 'float64'), formatNumber(v, 'float64'), `float64 ${v}`);
    }
    assert.equal(S3AS.formatNumber(-9223372036854775806n, 'int64'), '-9223372036854775806');
  });
});
