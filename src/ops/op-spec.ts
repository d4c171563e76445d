/**
 * The shape of an op (STYLE.md §3): a name, a result dtype rule and a kernel as identity / fold / finish. A fold
 * kernel folds one strided run of elements (`data[start]`, `data[start + stride]`, ... `n` of them) into an
 * accumulator, skipping missing elements; reduce.ts decides which runs make up each output element. There is one
 * kernel per missing-plan kind so the per-element missing test is inlined, and every kernel is specialised per
 * dtype (array/specialise.ts), so kernels follow that file's rules: self-contained, no nested functions.
 */
import { HOST_IS_LITTLE_ENDIAN } from '../array/byte-order.js';
import type { AnyTypedArray, BigIntArray, DType, DTypeInfo, NumericArray } from '../array/dtype.js';
import { type BoundsPlan, type NonePlan, type SetPlan, splitWords } from '../array/missing.js';
import type { OpName } from './registry.js';

const NO_WORDS = new Uint32Array(0);

/** Running state of one output element. Fields are shared by the ops; each op documents what it uses. */
export class Acc {
  /** Non-missing elements folded so far (every op). */
  n = 0;
  /** Sum so far: float sums (with `c` as Neumaier compensation), exact small-int sums, 64-bit low-word sums. */
  s = 0;
  /** Float sums: compensation. 64-bit sums: sum of the high words. */
  c = 0;
  /** Integer sums: the exact part moved out of `s`/`c` before they could lose precision. */
  big = 0n;
  /** min/max of number dtypes: extreme so far (NaN once a NaN was folded: Math.min/max propagate it, as numpy). */
  m = 0;
  /** min/max of 64-bit dtypes: extreme so far as high word (signed for int64) and low word. */
  mHi = 0;
  mLo = 0;
  /** 64-bit dtypes: the data's low and high 32-bit words; element i's are `lo32[2i]` and `hi32[2i]`. */
  lo32: Uint32Array = NO_WORDS;
  hi32: Int32Array | Uint32Array = NO_WORDS;
}

/** The kernel families: JS number with NaN, JS number integers (8-32 bits), bigint (64 bits). */
export type Family = 'float' | 'int' | 'bigint';

export function familyOf(info: DTypeInfo): Family {
  if (info.family === 'float') return 'float';
  return info.isBigInt ? 'bigint' : 'int';
}

export type Fold<A, P> = (acc: Acc, data: A, start: number, stride: number, n: number, plan: P) => void;

export interface FoldSet<A, T extends number | bigint> {
  readonly none: Fold<A, NonePlan>;
  readonly bounds: Fold<A, BoundsPlan<T>>;
  readonly set: Fold<A, SetPlan<T>>;
}

export interface ReduceSpec {
  readonly kind: 'reduce';
  readonly name: Exclude<OpName, 'select'>;
  readonly resultDType: (dtype: DType) => DType;
  readonly fold: {
    readonly float: FoldSet<NumericArray, number>;
    readonly int: FoldSet<NumericArray, number>;
    readonly bigint: FoldSet<BigIntArray, bigint>;
  };
  /** Resets `acc` for a new output element. */
  readonly identity: (acc: Acc, info: DTypeInfo) => void;
  /** Writes output element `index` (of the result dtype) from `acc`. */
  readonly finish: (acc: Acc, info: DTypeInfo, out: AnyTypedArray, index: number) => void;
  /**
   * `axis: []` (API.md §5.3): each element is its own output. `values` are the selected elements in C order,
   * `present[i]` is 1 when element i is not missing; returns the result elements.
   */
  readonly elementwise: (values: AnyTypedArray, present: Uint8Array, info: DTypeInfo) => AnyTypedArray;
}

/** `select` returns the selected elements instead of folding them (API.md §5.4). */
export interface SelectSpec {
  readonly kind: 'select';
  readonly name: 'select';
  readonly resultDType: (dtype: DType) => DType;
}

export type OpSpec = ReduceSpec | SelectSpec;

export const sameDType = (dtype: DType): DType => dtype;

/** min/max: start a fold from `start` (an infinity for number dtypes, so that an all-infinite fold keeps it). */
export function resetExtreme(acc: Acc, info: DTypeInfo, start: number | bigint): void {
  acc.n = 0;
  if (typeof start === 'bigint') [acc.mHi, acc.mLo] = splitWords(start, info.family === 'int');
  else acc.m = start;
}

/** min/max: the extreme (NaN when one was folded), or `sentinel` when nothing was (API.md §5.4). */
export function finishExtreme(
  acc: Acc,
  info: DTypeInfo,
  sentinel: number | bigint,
  out: AnyTypedArray,
  index: number,
): void {
  if (info.isBigInt) {
    (out as BigInt64Array)[index] =
      acc.n === 0 ? (sentinel as bigint) : (BigInt(acc.mHi) << 32n) + BigInt(acc.mLo);
  } else {
    (out as Float64Array)[index] = acc.n === 0 ? (sentinel as number) : acc.m;
  }
}

/** 64-bit sums read each element as two 32-bit words; word views shifted by 4 bytes make that endian-agnostic. */
export function attachWords(acc: Acc, data: AnyTypedArray, info: DTypeInfo): void {
  if (data.length === 0) {
    // No element to read; a view 4 bytes into an empty buffer would not even exist.
    acc.lo32 = new Uint32Array(0);
    acc.hi32 = info.family === 'int' ? new Int32Array(0) : new Uint32Array(0);
    return;
  }
  const words = Math.max(0, 2 * data.length - 1);
  const loAt = data.byteOffset + (HOST_IS_LITTLE_ENDIAN ? 0 : 4);
  const hiAt = data.byteOffset + (HOST_IS_LITTLE_ENDIAN ? 4 : 0);
  acc.lo32 = new Uint32Array(data.buffer, loAt, words);
  acc.hi32 =
    info.family === 'int'
      ? new Int32Array(data.buffer, hiAt, words)
      : new Uint32Array(data.buffer, hiAt, words);
}
