/** `count`: the number of non-missing elements, as int64 (API.md §5.4). */
import type { BigIntArray, NumericArray } from '../array/dtype.js';
import type { BoundsPlan, NonePlan, SetPlan } from '../array/missing.js';
import type { Acc, ReduceSpec } from './op-spec.js';

function countNone(
  acc: Acc,
  _data: unknown,
  _start: number,
  _stride: number,
  n: number,
  _plan: NonePlan,
): void {
  acc.n += n;
}

function countBounds<T extends number | bigint>(
  acc: Acc,
  a: ArrayLike<T>,
  start: number,
  stride: number,
  n: number,
  plan: BoundsPlan<T>,
): void {
  const lo = plan.lo;
  const hi = plan.hi;
  const eq = plan.eq;
  let c = 0;
  // Counted without a branch on the test, which mispredicts when missing elements are scattered.
  if ((lo as number) === -Number.POSITIVE_INFINITY && (hi as number) === Number.POSITIVE_INFINITY) {
    for (let k = 0, i = start; k < n; k++, i += stride) c += a[i]! !== eq ? 1 : 0;
  } else {
    for (let k = 0, i = start; k < n; k++, i += stride) {
      const x = a[i]!;
      c += x < lo || x > hi || x === eq ? 0 : 1;
    }
  }
  acc.n += c;
}

function countSet<T extends number | bigint>(
  acc: Acc,
  a: ArrayLike<T>,
  start: number,
  stride: number,
  n: number,
  plan: SetPlan<T>,
): void {
  const values = plan.values;
  const nv = values.length;
  let c = 0;
  for (let k = 0, i = start; k < n; k++, i += stride) {
    const x = a[i]!;
    let j = 0;
    while (j < nv && x !== values[j]) j++;
    if (j === nv) c++;
  }
  acc.n += c;
}

/** 8-32-bit integers: as countBounds, with a branch-free test for a single missing value (an integer here). */
function countIntBounds(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  plan: BoundsPlan<number>,
): void {
  const lo = plan.lo;
  const hi = plan.hi;
  const eq = plan.eq;
  // The branch-free test compares 32-bit patterns (x ^ eq), so it needs eq to be an integer of the data's range.
  const word =
    Number.isInteger(eq) &&
    (a instanceof Uint32Array ? eq >= 0 && eq <= 4294967295 : eq >= -2147483648 && eq <= 2147483647);
  if (!(lo === -Infinity && hi === Infinity && word)) {
    let c = 0;
    for (let k = 0, i = start; k < n; k++, i += stride) {
      const x = a[i]!;
      c += x < lo || x > hi || x === eq ? 0 : 1;
    }
    acc.n += c;
    return;
  }
  let c0 = 0;
  let c1 = 0;
  let i = start;
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    // d | -d has its sign bit set exactly when d !== 0.
    const d0 = a[i]! ^ eq;
    i += stride;
    const d1 = a[i]! ^ eq;
    i += stride;
    c0 += (d0 | ((~d0 + 1) | 0)) >>> 31;
    c1 += (d1 | ((~d1 + 1) | 0)) >>> 31;
  }
  for (; k < n; k++, i += stride) c0 += a[i]! !== eq ? 1 : 0;
  acc.n += c0 + c1;
}

/** 64-bit data: the bounds test on the two 32-bit words of each element (see min.ts), no BigInt per element. */
function countWordsBounds(
  acc: Acc,
  _a: BigIntArray,
  start: number,
  stride: number,
  n: number,
  plan: BoundsPlan<bigint>,
): void {
  const lo = acc.lo32;
  const hi = acc.hi32;
  const w = plan.words;
  const loH = w.loHi;
  const loL = w.loLo;
  const hiH = w.hiHi;
  const hiL = w.hiLo;
  const eqH = w.eqHi;
  const eqL = w.eqLo;
  const step = 2 * stride;
  let c = 0;
  // A single missing value (bounds at the dtype's extremes): counted without a branch, as in countIntBounds.
  const full =
    hi instanceof Int32Array
      ? loH === -2147483648 && loL === 0 && hiH === 2147483647 && hiL === 4294967295
      : loH === 0 && loL === 0 && hiH === 4294967295 && hiL === 4294967295;
  if (full) {
    for (let k = 0, j = 2 * start; k < n; k++, j += step) {
      const d = (hi[j]! ^ eqH) | (lo[j]! ^ eqL);
      c += (d | ((~d + 1) | 0)) >>> 31;
    }
    acc.n += c;
    return;
  }
  for (let k = 0, j = 2 * start; k < n; k++, j += step) {
    const h = hi[j]!;
    const l = lo[j]!;
    if (!(h < loH || (h === loH && l < loL) || h > hiH || (h === hiH && l > hiL) || (h === eqH && l === eqL)))
      c++;
  }
  acc.n += c;
}

export const count: ReduceSpec = {
  kind: 'reduce',
  name: 'count',
  resultDType: () => 'int64',
  fold: {
    float: { none: countNone, bounds: countBounds, set: countSet },
    int: { none: countNone, bounds: countIntBounds, set: countSet },
    bigint: { none: countNone, bounds: countWordsBounds, set: countSet },
  },
  identity: (acc) => {
    acc.n = 0;
  },
  finish: (acc, _info, out, index) => {
    (out as BigInt64Array)[index] = BigInt(acc.n);
  },
  elementwise: (_values, present) => BigInt64Array.from(present, (p) => BigInt(p)),
};
