/**
 * `mean` [ext] (API.md §10.3): the sum of the non-missing elements divided by their count, as `numpy.ma.mean`.
 * float32 data gives float32, everything else float64. Integer sums are exact (no wrap) before the one conversion
 * to float64; float sums accumulate in float64. No element → NaN with count 0.
 */
import type { DType } from '../array/dtype.js';
import type { ReduceSpec } from './op-spec.js';
import { exactTotal, floatTotal, resetSum, SUM_FOLD } from './sum.js';

function meanDType(dtype: DType): DType {
  return dtype === 'float32' ? 'float32' : 'float64';
}

export const mean: ReduceSpec = {
  kind: 'reduce',
  name: 'mean',
  resultDType: meanDType,
  fold: SUM_FOLD,
  identity: resetSum,
  finish: (acc, info, out, index) => {
    let total: number;
    if (acc.n === 0) total = Number.NaN;
    else if (info.family === 'float') total = floatTotal(acc);
    else if (!info.isBigInt && acc.big === 0n) total = acc.s;
    else total = Number(exactTotal(acc, info));
    (out as Float64Array)[index] = total / acc.n;
  },
  elementwise: (values, present, info) => {
    const out =
      meanDType(info.name) === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
    const read = values as ArrayLike<number | bigint>;
    for (let i = 0; i < out.length; i++) out[i] = present[i] ? Number(read[i]) : Number.NaN;
    return out;
  },
};
