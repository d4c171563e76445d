/**
 * `max`: the largest non-missing element (API.md §5.4). An empty fold gives the dtype's lowest finite value with
 * count 0.
 *
 * Number dtypes fold with Math.max, which propagates NaN exactly as numpy does and runs as one machine
 * instruction; four accumulators hide its latency. 64-bit dtypes compare the two 32-bit words of each element
 * (high word first), so no element becomes a BigInt except to test membership in a `missing_values` list.
 */
import type { BigIntArray, DTypeInfo, NumericArray } from '../array/dtype.js';
import type { BoundsPlan, NonePlan, SetPlan } from '../array/missing.js';
import { type Acc, finishExtreme, type ReduceSpec, resetExtreme, sameDType } from './op-spec.js';

function maxNumberNone(
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
    m0 = Math.max(m0, a[i]!);
    i += stride;
    m1 = Math.max(m1, a[i]!);
    i += stride;
    m2 = Math.max(m2, a[i]!);
    i += stride;
    m3 = Math.max(m3, a[i]!);
    i += stride;
  }
  for (; k < n; k++, i += stride) m0 = Math.max(m0, a[i]!);
  acc.m = Math.max(m0, m1, m2, m3);
  acc.n += n;
}

function maxNumberBounds(
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
  let m = acc.m;
  let c = 0;
  for (let k = 0, i = start; k < n; k++, i += stride) {
    const x = a[i]!;
    if (x < lo || x > hi || x === eq) continue;
    c++;
    m = Math.max(m, x);
  }
  acc.m = m;
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

const MAX_NUMBER = { none: maxNumberNone, bounds: maxNumberBounds, set: maxNumberSet };

export const max: ReduceSpec = {
  kind: 'reduce',
  name: 'max',
  resultDType: sameDType,
  fold: {
    float: MAX_NUMBER,
    int: MAX_NUMBER,
    bigint: { none: maxWordsNone, bounds: maxWordsBounds, set: maxWordsSet },
  },
  // Folding starts from -Infinity, not the sentinel, so that max([-inf]) is -inf (numpy), not the lowest finite.
  identity: (acc: Acc, info: DTypeInfo) => resetExtreme(acc, info, info.isBigInt ? info.min : -Infinity),
  finish: (acc, info, out, index) => finishExtreme(acc, info, info.min, out, index),
  elementwise: (values) => values,
};
