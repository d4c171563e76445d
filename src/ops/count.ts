/** `count`: the number of non-missing elements, as int64 (API.md §5.4). */
import type { BigIntArray } from '../array/dtype.js';
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
  for (let k = 0, i = start; k < n; k++, i += stride) {
    const x = a[i]!;
    if (!(x < lo || x > hi || x === eq)) c++;
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
  for (let k = 0, j = 2 * start; k < n; k++, j += step) {
    const h = hi[j]!;
    const l = lo[j]!;
    if (!(h < loH || (h === loH && l < loL) || h > hiH || (h === hiH && l > hiL) || (h === eqH && l === eqL)))
      c++;
  }
  acc.n += c;
}

const COUNT_NUMBER = { none: countNone, bounds: countBounds, set: countSet };

export const count: ReduceSpec = {
  kind: 'reduce',
  name: 'count',
  resultDType: () => 'int64',
  fold: {
    float: COUNT_NUMBER,
    int: COUNT_NUMBER,
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
