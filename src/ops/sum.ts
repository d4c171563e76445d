/**
 * `sum` (API.md §5.4): the sum of the non-missing elements in the data's dtype.
 *
 * - Floats: each run is summed in float64 by numpy's pairwise scheme (8 accumulators over blocks of up to 128
 *   elements, halves above that; the missing-aware kernels keep the same 16 elements per accumulator), so float64
 *   data is at least as accurate as `numpy.sum`; runs are combined with Neumaier compensation and the result is
 *   rounded to the dtype once, when it is written.
 * - 8-32-bit integers: exact. Blocks of at most 2^20 elements sum exactly in float64 (|x| <= 2^32), the running
 *   total moves to a bigint only past 2^52, and the typed-array store wraps it modulo 2^bits as
 *   `numpy.sum(a, dtype=a.dtype)` does. No BigInt per element.
 * - 64-bit integers: exact, by summing the low and high 32-bit words of each element separately (same blocks), then
 *   combining as bigint; the BigInt64Array store wraps modulo 2^64. Missing bounds are tested on the words too.
 *
 * mean.ts folds with the same kernels; only its finish differs.
 */
import type { BigIntArray, DTypeInfo, NumericArray } from '../array/dtype.js';
import type { BoundsPlan, NonePlan, SetPlan } from '../array/missing.js';
import { type Acc, type FoldSet, type ReduceSpec, sameDType } from './op-spec.js';

function sumFloatNone(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  plan: NonePlan,
  nested?: boolean,
): number {
  let s = 0;
  if (n < 8) {
    for (let k = 0, i = start; k < n; k++, i += stride) s += a[i]!;
  } else if (n <= 128) {
    let i = start;
    let r0 = a[i]!;
    i += stride;
    let r1 = a[i]!;
    i += stride;
    let r2 = a[i]!;
    i += stride;
    let r3 = a[i]!;
    i += stride;
    let r4 = a[i]!;
    i += stride;
    let r5 = a[i]!;
    i += stride;
    let r6 = a[i]!;
    i += stride;
    let r7 = a[i]!;
    i += stride;
    let k = 8;
    for (; k + 8 <= n; k += 8) {
      r0 += a[i]!;
      i += stride;
      r1 += a[i]!;
      i += stride;
      r2 += a[i]!;
      i += stride;
      r3 += a[i]!;
      i += stride;
      r4 += a[i]!;
      i += stride;
      r5 += a[i]!;
      i += stride;
      r6 += a[i]!;
      i += stride;
      r7 += a[i]!;
      i += stride;
    }
    s = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; k < n; k++, i += stride) s += a[i]!;
  } else {
    let half = n >> 1;
    half -= half % 8;
    s =
      sumFloatNone(acc, a, start, stride, half, plan, true) +
      sumFloatNone(acc, a, start + half * stride, stride, n - half, plan, true);
  }
  if (nested) return s;
  acc.n += n;
  const t = acc.s + s;
  acc.c += Math.abs(acc.s) >= Math.abs(s) ? acc.s - t + s : s - t + acc.s;
  acc.s = t;
  return 0;
}

function sumFloatBounds(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  plan: BoundsPlan<number>,
  nested?: boolean,
): number {
  const lo = plan.lo;
  const hi = plan.hi;
  const eq = plan.eq;
  let s = 0;
  if (n <= 64) {
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let c = 0;
    let i = start;
    let k = 0;
    let x = 0;
    for (; k + 4 <= n; k += 4) {
      x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) {
        r0 += x;
        c++;
      }
      i += stride;
      x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) {
        r1 += x;
        c++;
      }
      i += stride;
      x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) {
        r2 += x;
        c++;
      }
      i += stride;
      x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) {
        r3 += x;
        c++;
      }
      i += stride;
    }
    for (; k < n; k++, i += stride) {
      x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) {
        r0 += x;
        c++;
      }
    }
    s = r0 + r1 + (r2 + r3);
    acc.n += c;
  } else {
    let half = n >> 1;
    half -= half % 8;
    s =
      sumFloatBounds(acc, a, start, stride, half, plan, true) +
      sumFloatBounds(acc, a, start + half * stride, stride, n - half, plan, true);
  }
  if (nested) return s;
  const t = acc.s + s;
  acc.c += Math.abs(acc.s) >= Math.abs(s) ? acc.s - t + s : s - t + acc.s;
  acc.s = t;
  return 0;
}

function sumFloatSet(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  plan: SetPlan<number>,
  nested?: boolean,
): number {
  const values = plan.values;
  const nv = values.length;
  let s = 0;
  // Sequential leaves of at most 16 keep the error bound of numpy's 8-lane, 128-element leaves.
  if (n <= 16) {
    let c = 0;
    for (let k = 0, i = start; k < n; k++, i += stride) {
      const x = a[i]!;
      let j = 0;
      while (j < nv && x !== values[j]) j++;
      if (j === nv) {
        s += x;
        c++;
      }
    }
    acc.n += c;
  } else {
    const half = n >> 1;
    s =
      sumFloatSet(acc, a, start, stride, half, plan, true) +
      sumFloatSet(acc, a, start + half * stride, stride, n - half, plan, true);
  }
  if (nested) return s;
  const t = acc.s + s;
  acc.c += Math.abs(acc.s) >= Math.abs(s) ? acc.s - t + s : s - t + acc.s;
  acc.s = t;
  return 0;
}

function sumIntNone(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  _plan: NonePlan,
): void {
  let i = start;
  for (let k = 0; k < n; ) {
    const end = Math.min(n, k + 1048576);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (; k + 4 <= end; k += 4) {
      s0 += a[i]!;
      i += stride;
      s1 += a[i]!;
      i += stride;
      s2 += a[i]!;
      i += stride;
      s3 += a[i]!;
      i += stride;
    }
    for (; k < end; k++, i += stride) s0 += a[i]!;
    let s = acc.s + (s0 + s1 + (s2 + s3));
    if (s > 4503599627370496 || s < -4503599627370496) {
      acc.big += BigInt(s);
      s = 0;
    }
    acc.s = s;
  }
  acc.n += n;
}

function sumIntBounds(
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
  let c = 0;
  let i = start;
  // The branch-free test compares 32-bit patterns (x ^ eq), so it needs eq to be an integer of the data's range.
  const word =
    Number.isInteger(eq) &&
    (a instanceof Uint32Array ? eq >= 0 && eq <= 4294967295 : eq >= -2147483648 && eq <= 2147483647);
  if (lo === -Infinity && hi === Infinity && word) {
    // One missing value: sum every element and take the missing ones back out (still exact: a block's sum and
    // eq times its count both stay below 2^53), so no branch depends on the data. eq is an integer of the dtype.
    for (let k = 0; k < n; ) {
      const end = Math.min(n, k + 1048576);
      let s0 = 0;
      let s1 = 0;
      let e = 0;
      for (; k + 2 <= end; k += 2) {
        const x0 = a[i]!;
        i += stride;
        const x1 = a[i]!;
        i += stride;
        s0 += x0;
        s1 += x1;
        // d | -d has its sign bit set exactly when d !== 0: a count of x === eq with no branch.
        const d0 = x0 ^ eq;
        const d1 = x1 ^ eq;
        e += 2 - ((d0 | ((~d0 + 1) | 0)) >>> 31) - ((d1 | ((~d1 + 1) | 0)) >>> 31);
      }
      for (; k < end; k++, i += stride) {
        const x = a[i]!;
        s0 += x;
        e += x === eq ? 1 : 0;
      }
      let s = acc.s + (s0 + s1 - e * eq);
      if (s > 4503599627370496 || s < -4503599627370496) {
        acc.big += BigInt(s);
        s = 0;
      }
      acc.s = s;
      c -= e;
    }
    acc.n += n + c;
    return;
  }
  for (let k = 0; k < n; ) {
    const end = Math.min(n, k + 1048576);
    let s0 = 0;
    let s1 = 0;
    let x = 0;
    for (; k + 2 <= end; k += 2) {
      x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) {
        s0 += x;
        c++;
      }
      i += stride;
      x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) {
        s1 += x;
        c++;
      }
      i += stride;
    }
    for (; k < end; k++, i += stride) {
      x = a[i]!;
      if (!(x < lo || x > hi || x === eq)) {
        s0 += x;
        c++;
      }
    }
    let s = acc.s + (s0 + s1);
    if (s > 4503599627370496 || s < -4503599627370496) {
      acc.big += BigInt(s);
      s = 0;
    }
    acc.s = s;
  }
  acc.n += c;
}

function sumIntSet(
  acc: Acc,
  a: NumericArray,
  start: number,
  stride: number,
  n: number,
  plan: SetPlan<number>,
): void {
  const values = plan.values;
  const nv = values.length;
  let c = 0;
  let i = start;
  for (let k = 0; k < n; ) {
    const end = Math.min(n, k + 1048576);
    let s0 = 0;
    for (; k < end; k++, i += stride) {
      const x = a[i]!;
      let j = 0;
      while (j < nv && x !== values[j]) j++;
      if (j === nv) {
        s0 += x;
        c++;
      }
    }
    let s = acc.s + s0;
    if (s > 4503599627370496 || s < -4503599627370496) {
      acc.big += BigInt(s);
      s = 0;
    }
    acc.s = s;
  }
  acc.n += c;
}

// 64-bit kernels read `acc.lo32[2i]` and `acc.hi32[2i]` for element i (reduce.ts sets up the word views).

function sumBigNone(
  acc: Acc,
  _a: BigIntArray,
  start: number,
  stride: number,
  n: number,
  _plan: NonePlan,
): void {
  const lo = acc.lo32;
  const hi = acc.hi32;
  const step = stride * 2;
  let j = start * 2;
  for (let k = 0; k < n; ) {
    const end = Math.min(n, k + 1048576);
    let l0 = 0;
    let l1 = 0;
    let h0 = 0;
    let h1 = 0;
    for (; k + 2 <= end; k += 2) {
      l0 += lo[j]!;
      h0 += hi[j]!;
      j += step;
      l1 += lo[j]!;
      h1 += hi[j]!;
      j += step;
    }
    for (; k < end; k++, j += step) {
      l0 += lo[j]!;
      h0 += hi[j]!;
    }
    let s = acc.s + (l0 + l1);
    let c = acc.c + (h0 + h1);
    if (s > 4503599627370496 || c > 4503599627370496 || c < -4503599627370496) {
      acc.big += BigInt(s) + (BigInt(c) << 32n);
      s = 0;
      c = 0;
    }
    acc.s = s;
    acc.c = c;
  }
  acc.n += n;
}

function sumBigBounds(
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
  let count = 0;
  let j = 2 * start;
  for (let k = 0; k < n; ) {
    const end = Math.min(n, k + 1048576);
    let l0 = 0;
    let h0 = 0;
    for (; k < end; k++, j += step) {
      const h = hi[j]!;
      const l = lo[j]!;
      if (h < loH || (h === loH && l < loL) || h > hiH || (h === hiH && l > hiL) || (h === eqH && l === eqL))
        continue;
      l0 += l;
      h0 += h;
      count++;
    }
    let s = acc.s + l0;
    let c = acc.c + h0;
    if (s > 4503599627370496 || c > 4503599627370496 || c < -4503599627370496) {
      acc.big += BigInt(s) + (BigInt(c) << 32n);
      s = 0;
      c = 0;
    }
    acc.s = s;
    acc.c = c;
  }
  acc.n += count;
}

function sumBigSet(
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
  let count = 0;
  let i = start;
  for (let k = 0; k < n; ) {
    const end = Math.min(n, k + 1048576);
    let l0 = 0;
    let h0 = 0;
    for (; k < end; k++, i += stride) {
      const x = a[i]!;
      let j = 0;
      while (j < nv && x !== values[j]) j++;
      if (j === nv) {
        l0 += lo[2 * i]!;
        h0 += hi[2 * i]!;
        count++;
      }
    }
    let s = acc.s + l0;
    let c = acc.c + h0;
    if (s > 4503599627370496 || c > 4503599627370496 || c < -4503599627370496) {
      acc.big += BigInt(s) + (BigInt(c) << 32n);
      s = 0;
      c = 0;
    }
    acc.s = s;
    acc.c = c;
  }
  acc.n += count;
}

export const SUM_FOLD: ReduceSpec['fold'] = {
  float: { none: sumFloatNone, bounds: sumFloatBounds, set: sumFloatSet } satisfies FoldSet<
    NumericArray,
    number
  >,
  int: { none: sumIntNone, bounds: sumIntBounds, set: sumIntSet },
  bigint: { none: sumBigNone, bounds: sumBigBounds, set: sumBigSet },
};

export function resetSum(acc: Acc): void {
  acc.n = 0;
  acc.s = 0;
  acc.c = 0;
  acc.big = 0n;
}

/** A float fold's total: compensated, unless it overflowed or met inf/NaN, where the plain sum is numpy's answer. */
export function floatTotal(acc: Acc): number {
  return Number.isFinite(acc.s) ? acc.s + acc.c : acc.s;
}

/** An integer fold's exact total. */
export function exactTotal(acc: Acc, info: DTypeInfo): bigint {
  const low = acc.big + BigInt(acc.s);
  return info.isBigInt ? low + (BigInt(acc.c) << 32n) : low;
}

export const sum: ReduceSpec = {
  kind: 'reduce',
  name: 'sum',
  resultDType: sameDType,
  fold: SUM_FOLD,
  identity: resetSum,
  finish: (acc, info, out, index) => {
    if (info.family === 'float') (out as Float64Array)[index] = floatTotal(acc);
    else if (info.isBigInt) (out as BigInt64Array)[index] = exactTotal(acc, info);
    // Stores into Int8Array ... Uint32Array wrap modulo 2^bits; exact while the total is below 2^53.
    else if (acc.big === 0n) (out as Int32Array)[index] = acc.s;
    else (out as Int32Array)[index] = Number(BigInt.asUintN(info.bits, exactTotal(acc, info)));
  },
  elementwise: (values) => values,
};
