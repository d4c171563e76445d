/**
 * `max`: the largest non-missing element (API.md §5.4). An empty fold gives the dtype's lowest finite value with
 * count 0.
 *
 * Number dtypes fold by compare-and-select (`if (x > m) m = x`, four accumulators), measured 2-3x faster
 * than Math.max on Node 20. It never selects NaN, so float kernels also sum `x - x` (NaN for a NaN or an
 * infinity) and, only when that sum is NaN or the result is a zero, fold the run again with Math.max, which
 * propagates NaN exactly as numpy does and makes the sign of a zero result independent of the element order
 * (the WASM kernels, wasm-kernels.ts, give the same). 64-bit dtypes compare the two 32-bit words of each element
 * (high word first), so no element becomes a BigInt except to test membership in a `missing_values` list.
 */
import type { BigIntArray, DTypeInfo, NumericArray } from '../array/dtype.js';
import type { BoundsPlan, NonePlan, SetPlan } from '../array/missing.js';
import { type Acc, finishExtreme, type ReduceSpec, resetExtreme, sameDType } from './op-spec.js';

function maxFloatNone(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  _plan: NonePlan,
): void {
  let m0 = acc.m;
  let m1 = m0;
  let m2 = m0;
  let m3 = m0;
  // `x > m` never selects NaN, so NaN is tracked apart: x - x is 0 for finite x, NaN for NaN or an infinity.
  let z = 0;
  let i = start;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const x0 = a[i]!;
    i += stride;
    const x1 = a[i]!;
    i += stride;
    const x2 = a[i]!;
    i += stride;
    const x3 = a[i]!;
    i += stride;
    if (x0 > m0) m0 = x0;
    if (x1 > m1) m1 = x1;
    if (x2 > m2) m2 = x2;
    if (x3 > m3) m3 = x3;
    z += x0 - x0 + (x1 - x1) + (x2 - x2) + (x3 - x3);
  }
  for (; k < n; k++, i += stride) {
    const x = a[i]!;
    if (x > m0) m0 = x;
    z += x - x;
  }
  m0 = Math.max(m0, m1, m2, m3);
  if (Number.isNaN(z) || m0 === 0) {
    // A NaN or an infinity, or a zero (the compare ignores its sign): fold again with Math.max, which propagates
    // NaN as numpy does and orders -0 below +0, so the result does not depend on the order of the elements.
    m0 = acc.m;
    for (k = 0, i = start; k < n; k++, i += stride) m0 = Math.max(m0, a[i]!);
  }
  acc.m = m0;
  acc.n += n;
}

function maxIntNone(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  _plan: NonePlan,
): void {
  let m0 = acc.m;
  let m1 = m0;
  let m2 = m0;
  let m3 = m0;
  let i = start;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const x0 = a[i]!;
    i += stride;
    const x1 = a[i]!;
    i += stride;
    const x2 = a[i]!;
    i += stride;
    const x3 = a[i]!;
    i += stride;
    if (x0 > m0) m0 = x0;
    if (x1 > m1) m1 = x1;
    if (x2 > m2) m2 = x2;
    if (x3 > m3) m3 = x3;
  }
  for (; k < n; k++, i += stride) {
    const x = a[i]!;
    if (x > m0) m0 = x;
  }
  acc.m = Math.max(m0, m1, m2, m3);
  acc.n += n;
}

/**
 * Missing elements are counted without a branch on them (scattered missing elements mispredict), and only
 * an element that would raise the maximum is tested further.
 */
function maxFloatBounds(
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
  let m0 = acc.m;
  let m1 = m0;
  let c = 0;
  let z = 0;
  let i = start;
  let k = 0;
  if (lo === -Infinity && hi === Infinity) {
    for (; k + 2 <= n; k += 2) {
      const x0 = a[i]!;
      i += stride;
      const x1 = a[i]!;
      i += stride;
      c += (x0 !== eq ? 1 : 0) + (x1 !== eq ? 1 : 0);
      if (x0 > m0 && x0 !== eq) m0 = x0;
      if (x1 > m1 && x1 !== eq) m1 = x1;
      z += x0 - x0 + (x1 - x1);
    }
  } else {
    for (; k + 2 <= n; k += 2) {
      const x0 = a[i]!;
      i += stride;
      const x1 = a[i]!;
      i += stride;
      const miss0 = x0 < lo || x0 > hi || x0 === eq;
      const miss1 = x1 < lo || x1 > hi || x1 === eq;
      c += (miss0 ? 0 : 1) + (miss1 ? 0 : 1);
      if (x0 > m0 && !miss0) m0 = x0;
      if (x1 > m1 && !miss1) m1 = x1;
      z += x0 - x0 + (x1 - x1);
    }
  }
  for (; k < n; k++, i += stride) {
    const x = a[i]!;
    if (x < lo || x > hi || x === eq) continue;
    c++;
    if (x > m0) m0 = x;
    z += x - x;
  }
  m0 = Math.max(m0, m1);
  if (Number.isNaN(z) || m0 === 0) {
    // A NaN or an infinity (maybe a missing one), or a zero: fold again with Math.max (NaN, the sign of zero).
    m0 = acc.m;
    for (k = 0, i = start; k < n; k++, i += stride) {
      const x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) m0 = Math.max(m0, x);
    }
  }
  acc.m = m0;
  acc.n += c;
}

function maxIntBounds(
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
  let m0 = acc.m;
  let m1 = m0;
  let c = 0;
  let i = start;
  let k = 0;
  // The branch-free test compares 32-bit patterns (x ^ eq), so it needs eq to be an integer of the data's range.
  const word =
    Number.isInteger(eq) &&
    (a instanceof Uint32Array ? eq >= 0 && eq <= 4294967295 : eq >= -2147483648 && eq <= 2147483647);
  if (lo === -Infinity && hi === Infinity && word) {
    for (; k + 2 <= n; k += 2) {
      const x0 = a[i]!;
      i += stride;
      const x1 = a[i]!;
      i += stride;
      // d | -d has its sign bit set exactly when d !== 0: a count of x !== eq with no branch.
      const d0 = x0 ^ eq;
      const d1 = x1 ^ eq;
      c += ((d0 | ((~d0 + 1) | 0)) >>> 31) + ((d1 | ((~d1 + 1) | 0)) >>> 31);
      if (x0 > m0 && x0 !== eq) m0 = x0;
      if (x1 > m1 && x1 !== eq) m1 = x1;
    }
  } else {
    for (; k + 2 <= n; k += 2) {
      const x0 = a[i]!;
      i += stride;
      const x1 = a[i]!;
      i += stride;
      const miss0 = x0 < lo || x0 > hi || x0 === eq;
      const miss1 = x1 < lo || x1 > hi || x1 === eq;
      c += (miss0 ? 0 : 1) + (miss1 ? 0 : 1);
      if (x0 > m0 && !miss0) m0 = x0;
      if (x1 > m1 && !miss1) m1 = x1;
    }
  }
  for (; k < n; k++, i += stride) {
    const x = a[i]!;
    if (x < lo || x > hi || x === eq) continue;
    c++;
    if (x > m0) m0 = x;
  }
  acc.m = Math.max(m0, m1);
  acc.n += c;
}

function maxNumberSet(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  plan: SetPlan<number>,
): void {
  const values = plan.values;
  const nv = values.length;
  let m = acc.m;
  let c = 0;
  for (let k = 0, i = start; k < n; k++, i += stride) {
    const x = a[i]!;
    let j = 0;
    while (j < nv && x !== values[j]) j++;
    if (j < nv) continue;
    c++;
    m = Math.max(m, x);
  }
  acc.m = m;
  acc.n += c;
}

function maxWordsNone(
  acc: Acc,
  _a: BigIntArray,
  start: number,
  stride: number,
  n: number,
  _plan: NonePlan,
): void {
  const lo = acc.lo32;
  const hi = acc.hi32;
  const step = 2 * stride;
  let mh = acc.mHi;
  let ml = acc.mLo;
  for (let k = 0, j = 2 * start; k < n; k++, j += step) {
    const h = hi[j]!;
    if (h > mh || (h === mh && lo[j]! > ml)) {
      mh = h;
      ml = lo[j]!;
    }
  }
  acc.mHi = mh;
  acc.mLo = ml;
  acc.n += n;
}

function maxWordsBounds(
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
  let mh = acc.mHi;
  let ml = acc.mLo;
  let c = 0;
  // A single missing value (bounds at the dtype's extremes): count it without a branch, as the number kernels do.
  const full =
    hi instanceof Int32Array
      ? loH === -2147483648 && loL === 0 && hiH === 2147483647 && hiL === 4294967295
      : loH === 0 && loL === 0 && hiH === 4294967295 && hiL === 4294967295;
  if (full) {
    for (let k = 0, j = 2 * start; k < n; k++, j += step) {
      const h = hi[j]!;
      const l = lo[j]!;
      const d = (h ^ eqH) | (l ^ eqL);
      c += (d | ((~d + 1) | 0)) >>> 31;
      if ((h > mh || (h === mh && l > ml)) && d !== 0) {
        mh = h;
        ml = l;
      }
    }
    acc.mHi = mh;
    acc.mLo = ml;
    acc.n += c;
    return;
  }
  for (let k = 0, j = 2 * start; k < n; k++, j += step) {
    const h = hi[j]!;
    const l = lo[j]!;
    if (h < loH || (h === loH && l < loL) || h > hiH || (h === hiH && l > hiL) || (h === eqH && l === eqL))
      continue;
    c++;
    if (h > mh || (h === mh && l > ml)) {
      mh = h;
      ml = l;
    }
  }
  acc.mHi = mh;
  acc.mLo = ml;
  acc.n += c;
}

function maxWordsSet(
  acc: Acc,
  a: BigIntArray,
  start: number,
  stride: number,
  n: number,
  plan: SetPlan<bigint>,
): void {
  const lo = acc.lo32;
  const hi = acc.hi32;
  const values = plan.values;
  const nv = values.length;
  let mh = acc.mHi;
  let ml = acc.mLo;
  let c = 0;
  for (let k = 0, i = start; k < n; k++, i += stride) {
    const x = a[i]!;
    let j = 0;
    while (j < nv && x !== values[j]) j++;
    if (j < nv) continue;
    c++;
    const h = hi[2 * i]!;
    const l = lo[2 * i]!;
    if (h > mh || (h === mh && l > ml)) {
      mh = h;
      ml = l;
    }
  }
  acc.mHi = mh;
  acc.mLo = ml;
  acc.n += c;
}

const MAX_FLOAT = { none: maxFloatNone, bounds: maxFloatBounds, set: maxNumberSet };
const MAX_INT = { none: maxIntNone, bounds: maxIntBounds, set: maxNumberSet };

export const max: ReduceSpec = {
  kind: 'reduce',
  name: 'max',
  resultDType: sameDType,
  fold: {
    float: MAX_FLOAT,
    int: MAX_INT,
    bigint: { none: maxWordsNone, bounds: maxWordsBounds, set: maxWordsSet },
  },
  // Folding starts from -Infinity, not the sentinel, so that max([-inf]) is -inf (numpy), not the lowest finite.
  identity: (acc: Acc, info: DTypeInfo) => resetExtreme(acc, info, info.isBigInt ? info.min : -Infinity),
  finish: (acc, info, out, index) => finishExtreme(acc, info, info.min, out, index),
  elementwise: (values) => values,
};
