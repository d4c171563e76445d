/** buildView's layout rules (API.md §5.1) and the alignment/byte-order traps of STYLE.md §9. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { swapBytesInPlace } from '../../../src/array/byte-order.js';
import { DTYPE_NAMES, dtypeInfo } from '../../../src/array/dtype.js';
import { selectView } from '../../../src/array/selection.js';
import {
  buildView,
  contiguousRange,
  gatherView,
  reverseAxes,
  storedElements,
} from '../../../src/array/view.js';
import { isActiveStorageError } from '../../../src/errors.js';
import { OP_NAMES, runOp } from '../../../src/ops/registry.js';
import type { MissingRule, OpResult, Slice } from '../../../src/request/chunk-request.js';

describe('buildView', () => {
  it('uses C strides by default and F strides for order F', () => {
    const bytes = new Uint8Array(24 * 2);
    assert.deepEqual(
      buildView(bytes, { dtype: 'int16', byteOrder: 'little', shape: [2, 3, 4], order: 'C' }).strides,
      [12, 4, 1],
    );
    assert.deepEqual(
      buildView(bytes, { dtype: 'int16', byteOrder: 'little', shape: [2, 3, 4], order: 'F' }).strides,
      [1, 2, 6],
    );
  });

  it('is 1-D over every element without a shape', () => {
    const view = buildView(new Uint8Array(40), {
      dtype: 'float64',
      byteOrder: 'little',
      shape: undefined,
      order: 'C',
    });
    assert.deepEqual(view.shape, [5]);
  });

  it('copies bytes whose offset is not a multiple of the item size, once, leaving the input alone', () => {
    const backing = new Uint8Array(9);
    const input = backing.subarray(1);
    input.set([1, 0, 0, 0, 2, 0, 0, 0]);
    const view = buildView(input, { dtype: 'uint32', byteOrder: 'little', shape: [2], order: 'C' });
    assert.deepEqual(Array.from(view.data as Uint32Array), [1, 2]);
    assert.notEqual(view.data.buffer, backing.buffer);
  });

  it('wraps aligned bytes without copying', () => {
    const input = new Uint8Array([1, 0, 2, 0]);
    const view = buildView(input, { dtype: 'uint16', byteOrder: 'little', shape: [2], order: 'C' });
    assert.equal(view.data.buffer, input.buffer);
  });

  it('swaps big-endian elements in place', () => {
    const input = new Uint8Array([0, 0, 0, 0, 0, 0, 1, 2, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    const view = buildView(input, { dtype: 'int64', byteOrder: 'big', shape: [2], order: 'C' });
    assert.deepEqual(Array.from(view.data as BigInt64Array), [0x102n, -(2n ** 63n)]);
  });

  it('refuses bytes that do not match the shape', () => {
    assert.throws(
      () => buildView(new Uint8Array(12), { dtype: 'int32', byteOrder: 'little', shape: [4], order: 'C' }),
      (err) => isActiveStorageError(err) && err.code === 'INTERNAL',
    );
  });
});

describe('swapBytesInPlace', () => {
  it('reverses each element for every item size, aligned or not', () => {
    for (const size of [2, 4, 8] as const) {
      for (const shift of [0, 1, 2]) {
        const n = 7 * size;
        const bytes = new Uint8Array(n + shift).subarray(shift);
        for (let i = 0; i < n; i++) bytes[i] = i;
        swapBytesInPlace(bytes, size);
        const want = Array.from({ length: n }, (_, i) => i - (i % size) + (size - 1 - (i % size)));
        assert.deepEqual(Array.from(bytes), want, `itemsize ${size}, offset ${shift}`);
      }
    }
  });
});

describe('contiguousRange', () => {
  const view = buildView(new Uint8Array(4 * 24), {
    dtype: 'float32',
    byteOrder: 'little',
    shape: [2, 3, 4],
    order: 'C',
  });

  it('finds the whole array, also reversed or with the axes reversed', () => {
    assert.deepEqual(contiguousRange(view), { start: 0, length: 24 });
    assert.deepEqual(contiguousRange(reverseAxes(view)), { start: 0, length: 24 });
    const reversed = selectView(view, [
      { start: -1, stop: -3, step: -1 },
      { start: 0, stop: 3, step: 1 },
      { start: 3, stop: -5, step: -1 },
    ]);
    assert.deepEqual(contiguousRange(reversed), { start: 0, length: 24 });
  });

  it('finds a leading block, and refuses a strided or partial-row selection', () => {
    const block = selectView(view, [
      { start: 1, stop: 2, step: 1 },
      { start: 0, stop: 2, step: 1 },
      { start: 0, stop: 4, step: 1 },
    ]);
    assert.deepEqual(contiguousRange(block), { start: 12, length: 8 });
    const strided = selectView(view, [
      { start: 0, stop: 2, step: 1 },
      { start: 0, stop: 3, step: 1 },
      { start: 0, stop: 4, step: 2 },
    ]);
    assert.equal(contiguousRange(strided), undefined);
    const partial = selectView(view, [
      { start: 0, stop: 2, step: 1 },
      { start: 0, stop: 3, step: 1 },
      { start: 0, stop: 3, step: 1 },
    ]);
    assert.equal(contiguousRange(partial), undefined);
  });
});

describe('gatherView', () => {
  it('copies long contiguous rows and short strided rows alike', () => {
    const n = 200;
    const values = Float64Array.from({ length: 2 * n }, (_, i) => i);
    const view = buildView(new Uint8Array(values.buffer), {
      dtype: 'float64',
      byteOrder: 'little',
      shape: [2, n],
      order: 'C',
    });
    assert.deepEqual(Array.from(gatherView(view) as Float64Array), Array.from(values));
    const transposed = Array.from(gatherView(reverseAxes(view)) as Float64Array);
    assert.deepEqual(transposed.slice(0, 4), [0, n, 1, n + 1]);
  });
});

describe('big-endian views (swapped in place only when read as numbers)', () => {
  it('keep the stored bytes until data is read, then swap them once for every view that shares them', () => {
    const input = new Uint8Array([0, 1, 0, 2, 0, 3, 0, 4]);
    const view = buildView(input, { dtype: 'uint16', byteOrder: 'big', shape: [2, 2], order: 'C' });
    const sel = selectView(view, [
      { start: 1, stop: 2, step: 1 },
      { start: 1, stop: -3, step: -1 },
    ]);
    assert.deepEqual(storedElements(sel), { data: storedElements(view).data, swapped: true });
    assert.deepEqual(Array.from(input), [0, 1, 0, 2, 0, 3, 0, 4]);
    assert.deepEqual(Array.from(gatherView(sel) as Uint16Array), [4, 3]);
    assert.equal(storedElements(view).swapped, false);
    assert.deepEqual(Array.from(view.data as Uint16Array), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(gatherView(reverseAxes(view)) as Uint16Array), [1, 3, 2, 4]);
  });

  // The little-endian answers are checked against numpy by test/unit/ops/matrix.test.ts.
  it('give the little-endian answer for every op, dtype, axis, selection and missing rule', () => {
    const rows = 3;
    const problems: string[] = [];
    for (const dtype of DTYPE_NAMES) {
      const info = dtypeInfo(dtype);
      for (const cols of [5, 300]) {
        const n = rows * cols;
        const little = new Uint8Array(n * info.itemsize);
        for (let i = 0; i < little.length; i++) little[i] = (i * 37 + (i >> 3)) & 0xff;
        const values = new info.arrayType(little.buffer);
        for (let i = 0; i < n; i += 7) values[i] = info.isBigInt ? 9n : 9;
        const big = Uint8Array.from(little);
        swapBytesInPlace(big, info.itemsize);
        const missing: (MissingRule | undefined)[] = [
          undefined,
          { kind: 'values', values: [info.isBigInt ? 9n : 9] },
          { kind: 'values', values: [info.isBigInt ? 9n : 9, info.isBigInt ? 11n : 11] },
        ];
        const selections: (Slice[] | undefined)[] = [
          undefined,
          [
            { start: 0, stop: rows, step: 1 },
            { start: cols - 1, stop: -cols - 1, step: -2 },
          ],
        ];
        for (const op of OP_NAMES) {
          for (const axes of [undefined, [0], [1], []]) {
            for (const rule of missing) {
              for (const selection of selections) {
                for (const order of ['C', 'F'] as const) {
                  const run = (bytes: Uint8Array, byteOrder: 'big' | 'little'): OpResult => {
                    const view = buildView(Uint8Array.from(bytes), {
                      dtype,
                      byteOrder,
                      shape: [rows, cols],
                      order,
                    });
                    return runOp(op, selectView(view, selection), { axes, missing: rule, order });
                  };
                  const want = run(little, 'little');
                  const got = run(big, 'big');
                  const key = (r: OpResult) =>
                    `${Buffer.from(r.bytes).toString('hex')} ${r.shape} ${r.counts}`;
                  if (key(got) !== key(want)) {
                    problems.push(
                      `${dtype} ${cols} ${op} axes=${axes} ${rule?.kind} ${selection ? 'sel' : ''} ${order}`,
                    );
                  }
                }
              }
            }
          }
        }
      }
    }
    assert.deepEqual(problems.slice(0, 10), []);
  });
});
