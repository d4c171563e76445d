/** Result bytes -> values in their logical shape, printed for a person (numpy-like) or as JSON. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodePacked,
  decodeValues,
  formatHuman,
  formatJson,
  formatNumber,
  nest,
} from '../../../src/client/result.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('client result decoding', () => {
  test('little-endian elements of every dtype; 64-bit integers exact', () => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(-9223372036854775806n);
    assert.deepEqual(decodeValues(buf, 'int64'), [-9223372036854775806n]);
    buf.writeBigUInt64LE(18446744073709551614n);
    assert.deepEqual(decodeValues(buf, 'uint64'), [18446744073709551614n]);
    assert.deepEqual(decodeValues(hex('ff 7f 0080'), 'int16'), [32767, -32768]);
    assert.deepEqual(decodeValues(hex('ff 80'), 'int8'), [-1, -128]);
    assert.deepEqual(decodeValues(hex('ff 80'), 'uint8'), [255, 128]);
    assert.deepEqual(decodeValues(hex('ffff'), 'uint16'), [65535]);
    assert.deepEqual(decodeValues(hex('ffffffff'), 'uint32'), [4294967295]);
    assert.deepEqual(decodeValues(hex('ffffffff'), 'int32'), [-1]);
    assert.deepEqual(decodeValues(hex('00003442'), 'float32'), [45]);
    assert.deepEqual(decodeValues(hex('0000000000c02840'), 'float64'), [12.375]); // API.md §13 D
    assert.throws(
      () => decodeValues(hex('000000'), 'int32'),
      /3 result bytes are not a whole number of int32/,
    );
  });

  test('packed shape (u64) and counts (i64) of API.md §4', () => {
    assert.deepEqual(decodePacked(hex('0200000000000000 0300000000000000'), false), [2, 3]);
    assert.deepEqual(decodePacked(hex('ffffffffffffffff'), true), [-1]);
    assert.deepEqual(decodePacked(hex('ffffffffffffffff'), false), [18446744073709551615n]);
  });

  test('values are nested in the logical shape from their C or F layout', () => {
    // API.md §13 B: the selected [[17, 9, 1], [19, 11, 3]] travels in F order as 17, 19, 9, 11, 1, 3.
    assert.deepEqual(nest([17, 19, 9, 11, 1, 3], [2, 3], 'F'), [
      [17, 9, 1],
      [19, 11, 3],
    ]);
    assert.deepEqual(nest([17, 9, 1, 19, 11, 3], [2, 3], 'C'), [
      [17, 9, 1],
      [19, 11, 3],
    ]);
    assert.deepEqual(nest([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2], 'F'), [
      [
        [0, 4],
        [2, 6],
      ],
      [
        [1, 5],
        [3, 7],
      ],
    ]);
    assert.equal(nest([45], [], 'C'), 45);
    assert.deepEqual(nest([], [2, 0], 'C'), [[], []]);
    assert.throws(() => nest([1, 2], [3], 'C'), /shape \[3\] needs 3 elements, got 2/);
  });

  test('numbers print as numpy prints them (str of numpy scalars)', () => {
    assert.equal(formatNumber(45, 'float32'), '45.0');
    assert.equal(formatNumber(Math.fround(0.1), 'float32'), '0.1');
    assert.equal(formatNumber(0.1, 'float64'), '0.1');
    assert.equal(formatNumber(Math.fround(-3.4028234663852886e38), 'float32'), '-3.4028235e+38');
    assert.equal(formatNumber(1e20, 'float64'), '1e+20');
    assert.equal(formatNumber(0.00001, 'float64'), '1e-05');
    assert.equal(formatNumber(Math.fround(1e16), 'float32'), '1e+16');
    assert.equal(formatNumber(123456789012345.6, 'float64'), '123456789012345.6');
    assert.equal(formatNumber(12.375, 'float64'), '12.375');
    assert.equal(formatNumber(Number.NaN, 'float64'), 'nan');
    assert.equal(formatNumber(Number.NEGATIVE_INFINITY, 'float32'), '-inf');
    assert.equal(formatNumber(7, 'int32'), '7');
    assert.equal(formatNumber(18446744073709551614n, 'uint64'), '18446744073709551614');
  });

  test('the human form lists values, dtype, shape and count', () => {
    const text = formatHuman(
      { dtype: 'int64', shape: [3], count: [1, 2, 1], bytes: hex('01'.padEnd(16, '0').repeat(3)) },
      'C',
    );
    assert.equal(text, 'values  [1, 1, 1]\ndtype   int64\nshape   [3]\ncount   [1, 2, 1]\n');
  });

  test('the JSON form is one object; big integers exact, NaN and infinities as strings', () => {
    const big = Buffer.alloc(8);
    big.writeBigUInt64LE(2n ** 53n + 1n);
    const json = formatJson(
      { dtype: 'uint64', shape: [], count: [5], bytes: big },
      { api: 'v2', op: 'max' },
      'C',
    );
    assert.equal(
      json,
      '{"api":"v2","op":"max","dtype":"uint64","shape":[],"count":[5],"values":9007199254740993}\n',
    );
    const floats = new Uint8Array(new Float32Array([Number.NaN, Number.POSITIVE_INFINITY, 0.1]).buffer);
    const parsed = JSON.parse(
      formatJson(
        { dtype: 'float32', shape: [3], count: [3], bytes: floats },
        { api: 'v1', op: 'select' },
        'C',
      ),
    ) as { values: unknown[] };
    assert.deepEqual(parsed.values, ['NaN', 'Infinity', 0.1]);
  });
});
