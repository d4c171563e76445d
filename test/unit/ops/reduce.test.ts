/**
 * What the numpy matrix (at most 60 elements per case) cannot reach: the block boundaries of the exact integer
 * sums (2^20 elements), the pairwise recursion of float sums (above 128 elements) and long strided runs. Expected
 * values here come from plain BigInt loops or from data whose float sums are exact in any order, so the reference
 * is obviously right; plus a few trivial edge values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DType } from '../../../src/array/dtype.js';
import { selectView } from '../../../src/array/selection.js';
import { specialise } from '../../../src/array/specialise.js';
import { buildView, type NdView } from '../../../src/array/view.js';
import { isActiveStorageError } from '../../../src/errors.js';
import { isOpName, OP_NAMES, OPS, type OpName, runOp } from '../../../src/ops/registry.js';
import type { MissingRule, OpResult } from '../../../src/request/chunk-request.js';

function view(values: ArrayBufferView, dtype: DType, shape?: number[], order: 'C' | 'F' = 'C'): NdView {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return buildView(bytes, { dtype, byteOrder: 'little', shape, order });
}

function run(op: OpName, v: NdView, axes?: number[], missing?: MissingRule): OpResult {
  return runOp(op, v, { axes, missing, order: 'C' });
}

const i64 = (r: OpResult) => Array.from(new BigInt64Array(r.bytes.slice().buffer));
const u64 = (r: OpResult) => Array.from(new BigUint64Array(r.bytes.slice().buffer));
const i32 = (r: OpResult) => Array.from(new Int32Array(r.bytes.slice().buffer));
const f64 = (r: OpResult) => Array.from(new Float64Array(r.bytes.slice().buffer));
const f32 = (r: OpResult) => Array.from(new Float32Array(r.bytes.slice().buffer));

describe('exact integer sums across 2^20-element blocks', () => {
  const n = 5 * 2 ** 20 + 5;
  const data = new Int32Array(n);
  // All near 2^31, so the running total passes 2^52 and moves to the bigint part.
  for (let i = 0; i < n; i++) data[i] = i % 3 === 0 ? 2147483647 : 2147483000 - (i % 1000);
  let total = 0n;
  for (let i = 0; i < n; i++) total += BigInt(data[i]!);

  it('int32 sum wraps exactly, int32 mean does not wrap', () => {
    const v = view(data, 'int32');
    assert.deepEqual(i32(run('sum', v)), [Number(BigInt.asIntN(32, total))]);
    assert.deepEqual(f64(run('mean', v)), [Number(total) / n]);
  });

  it('int32 sum with a missing value, along an axis with strided runs', () => {
    const rows = 5;
    const v = view(data.subarray(0, rows * Math.floor(n / rows)), 'int32', [rows, Math.floor(n / rows)]);
    const r = run('sum', v, [1], { kind: 'values', values: [2147483647] });
    const cols = Math.floor(n / rows);
    const want: number[] = [];
    const counts: number[] = [];
    for (let row = 0; row < rows; row++) {
      let s = 0n;
      let c = 0;
      for (let j = 0; j < cols; j++) {
        const x = data[row * cols + j]!;
        if (x !== 2147483647) {
          s += BigInt(x);
          c++;
        }
      }
      want.push(Number(BigInt.asIntN(32, s)));
      counts.push(c);
    }
    assert.deepEqual(i32(r), want);
    assert.deepEqual(r.counts, counts);
    // Column sums walk runs of stride `cols`.
    const byColumn = run(
      'sum',
      selectView(v, [
        { start: 0, stop: rows, step: 1 },
        { start: 0, stop: 4, step: 1 },
      ]),
      [0],
    );
    const colWant = [0, 1, 2, 3].map((j) => {
      let s = 0n;
      for (let row = 0; row < rows; row++) s += BigInt(data[row * cols + j]!);
      return Number(BigInt.asIntN(32, s));
    });
    assert.deepEqual(i32(byColumn), colWant);
  });
});

describe('64-bit sums from 32-bit words', () => {
  const n = 2 ** 21 + 3;
  const signed = new BigInt64Array(n);
  const unsigned = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    signed[i] = i % 2 === 0 ? 2n ** 63n - 1n - BigInt(i) : -(2n ** 62n) - BigInt(i);
    unsigned[i] = 2n ** 64n - 1n - BigInt(i % 7);
  }

  for (const [name, data, dtype, wrap] of [
    ['int64', signed, 'int64', (x: bigint) => BigInt.asIntN(64, x)],
    ['uint64', unsigned, 'uint64', (x: bigint) => BigInt.asUintN(64, x)],
  ] as const) {
    it(`${name}: sum wraps modulo 2^64, mean is the exact total over n, for each missing-rule kind`, () => {
      const v = view(data, dtype);
      const rules: (MissingRule | undefined)[] = [
        undefined,
        { kind: 'values', values: [data[4]!] },
        { kind: 'values', values: [data[4]!, data[5]!] },
        { kind: 'range', min: data[9]!, max: undefined },
      ];
      for (const rule of rules) {
        const isMissing = (x: bigint): boolean =>
          rule === undefined
            ? false
            : rule.kind === 'values'
              ? rule.values.includes(x)
              : x < (rule.min as bigint) || (rule.max !== undefined && x > (rule.max as bigint));
        let total = 0n;
        let count = 0;
        for (const x of data) {
          if (!isMissing(x)) {
            total += x;
            count++;
          }
        }
        const sum = run('sum', v, undefined, rule);
        assert.deepEqual(dtype === 'int64' ? i64(sum) : u64(sum), [wrap(total)], `${rule?.kind}`);
        assert.deepEqual(sum.counts, [count]);
        assert.deepEqual(f64(run('mean', v, undefined, rule)), [Number(total) / count]);
      }
    });
  }
});

describe('float sums above the 128-element pairwise leaf', () => {
  // Multiples of 1/4 below 2^20: every partial sum is exact, so any summation order gives the same answer and a
  // plain loop is the reference. A dropped or repeated element would show.
  const n = 5000;
  const data = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 4001) / 4 - 500);
  const missingValue = data[17]!;
  const reference = (keep: (x: number) => boolean) => {
    let s = 0;
    let c = 0;
    for (const x of data) {
      if (keep(x)) {
        s += x;
        c++;
      }
    }
    return { s, c };
  };

  for (const dtype of ['float64', 'float32'] as const) {
    const stored = dtype === 'float64' ? data : Float32Array.from(data);
    const read = dtype === 'float64' ? f64 : f32;
    it(`${dtype}: whole array and rows, without and with each missing-rule kind`, () => {
      const cases: [MissingRule | undefined, (x: number) => boolean][] = [
        [undefined, () => true],
        [{ kind: 'values', values: [missingValue] }, (x) => x !== missingValue],
        [{ kind: 'values', values: [missingValue, 0] }, (x) => x !== missingValue && x !== 0],
        [{ kind: 'range', min: -100, max: 300 }, (x) => x >= -100 && x <= 300],
      ];
      for (const [rule, keep] of cases) {
        const want = reference(keep);
        const r = run('sum', view(stored, dtype), undefined, rule);
        assert.deepEqual(read(r), [want.s], `${rule?.kind}`);
        assert.deepEqual(r.counts, [want.c]);
        // Column sums of a C-order (2500, 2) array: one run of stride 2 per output.
        const byColumn = run('sum', view(stored, dtype, [2500, 2]), [0], rule);
        const columns = [0, 1].map((j) => {
          let s = 0;
          let c = 0;
          for (let i = j; i < n; i += 2) {
            if (keep(data[i]!)) {
              s += data[i]!;
              c++;
            }
          }
          return { s, c };
        });
        assert.deepEqual(
          read(byColumn),
          columns.map((col) => col.s),
        );
        assert.deepEqual(
          byColumn.counts,
          columns.map((col) => col.c),
        );
      }
    });
  }

  it('NaN far from the start still propagates through min, max and sum', () => {
    const withNaN = Float64Array.from(data);
    withNaN[4321] = Number.NaN;
    for (const op of ['min', 'max', 'sum', 'mean'] as const) {
      assert.ok(Number.isNaN(f64(run(op, view(withNaN, 'float64')))[0]!), op);
    }
  });
});

describe('edge values', () => {
  const v = view(new Int32Array([4, -2, 7, 1, 0]), 'int32', [5]);
  const empty = selectView(v, [{ start: 3, stop: 1, step: 1 }]);

  it('empty selection: count 0, sum 0, min/max sentinels, mean NaN (API.md §13 F)', () => {
    assert.deepEqual(i64(run('count', empty)), [0n]);
    assert.deepEqual(i32(run('sum', empty)), [0]);
    assert.deepEqual(i32(run('min', empty)), [2147483647]);
    assert.deepEqual(i32(run('max', empty)), [-2147483648]);
    assert.ok(Number.isNaN(f64(run('mean', empty))[0]!));
    assert.deepEqual(run('min', empty).counts, [0]);
  });

  it('axis [] keeps each element; a missing one keeps its value with count 0', () => {
    const r = run('sum', v, [], { kind: 'values', values: [7] });
    assert.deepEqual(i32(r), [4, -2, 7, 1, 0]);
    assert.deepEqual(r.counts, [1, 1, 0, 1, 1]);
    assert.deepEqual(i64(run('count', v, [], { kind: 'values', values: [7] })), [1n, 1n, 0n, 1n, 1n]);
  });

  it('an axis beyond the selected dimensions is refused', () => {
    assert.throws(
      () => run('sum', v, [1]),
      (err) => isActiveStorageError(err) && err.code === 'INVALID_REQUEST' && /axis/.test(err.message),
    );
  });
});

describe('specialise', () => {
  function addOne(x: number): number {
    return x + 1;
  }
  it('compiles one copy per tag and reuses it', () => {
    const a = specialise(addOne, 'int8');
    assert.notEqual(a, addOne);
    assert.equal(a, specialise(addOne, 'int8'));
    assert.notEqual(a, specialise(addOne, 'int16'));
    assert.equal(a(41), 42);
  });
});

describe('op table', () => {
  it('has one spec per name, and names are case-sensitive', () => {
    assert.deepEqual(Object.keys(OPS).sort(), [...OP_NAMES]);
    for (const name of OP_NAMES) assert.equal(OPS[name].name, name);
    assert.ok(isOpName('mean'));
    assert.ok(!isOpName('Sum'));
    assert.ok(!isOpName('median'));
  });
});
