/**
 * The one reduction driver (STYLE.md §3): walks the selected view, picks the fold kernel for the dtype and the
 * missing rule, folds each output element's runs, and records per-output counts (API.md §5.3-5.4).
 *
 * Reduced axes are walked as strided runs: they are ordered by decreasing |stride| and merged where one steps
 * exactly over the next, so the innermost run is as long and as dense as the layout allows. A reduction over
 * every axis of a view whose elements are one contiguous range (the whole array, in C or F order, or a selection
 * that keeps a contiguous block) is a single run: one kernel call for the whole chunk.
 */
import { type AnyTypedArray, type DTypeInfo, dtypeInfo } from '../array/dtype.js';
import { type BoundsPlan, type MissingPlan, planMissing, type SetPlan } from '../array/missing.js';
import { specialise } from '../array/specialise.js';
import { coalesce, gatherView, type NdView, productOf, storedElements } from '../array/view.js';
import { ActiveStorageError } from '../errors.js';
import type { MissingRule } from '../request/chunk-request.js';
import { Acc, attachWords, familyOf, type ReduceSpec } from './op-spec.js';
import { FullReduction, fullRunLength } from './stream-reduce.js';
import { wasmFold } from './wasm-kernels.js';

export interface Reduction {
  /** Result elements in C order over `shape`, of the op's result dtype. */
  values: AnyTypedArray;
  shape: number[];
  /** Non-missing elements behind each result element, C order. */
  counts: number[];
}

export type AnyPlan = MissingPlan<number> | MissingPlan<bigint>;
export type AnyFold = (
  acc: Acc,
  data: AnyTypedArray,
  start: number,
  stride: number,
  n: number,
  plan: AnyPlan,
) => void;

/** The fold kernel for (op, dtype, missing plan): the WASM SIMD one when there is one (wasm-kernels.ts). */
export function pickFold(spec: ReduceSpec, info: DTypeInfo, plan: AnyPlan): AnyFold {
  const ts = pickTsFold(spec, info, plan);
  return wasmFold(spec, info, plan, ts) ?? ts;
}

/**
 * The fold for elements stored byte-reversed (view.ts `storedElements`), or undefined when there is none and the
 * data must be swapped first. A count without a missing rule reads no element, so it folds them as they are.
 */
export function pickSwappedFold(spec: ReduceSpec, info: DTypeInfo, plan: AnyPlan): AnyFold | undefined {
  const ts = pickTsFold(spec, info, plan);
  if (spec.name === 'count' && plan.kind === 'none') return ts;
  return wasmFold(spec, info, plan, ts, true);
}

/**
 * Partial reductions over shorter runs swap the data first: per run, a swapping fold would call the kernel (or
 * copy the run out) for fewer elements than make that worthwhile.
 */
const MIN_SWAPPED_RUN = 256;

/** The TypeScript fold kernel, whatever S3AS_KERNELS says: the reference the WASM kernels must agree with. */
export function pickTsFold(spec: ReduceSpec, info: DTypeInfo, plan: AnyPlan): AnyFold {
  const kernels = spec.fold[familyOf(info)] as unknown as Record<AnyPlan['kind'], AnyFold>;
  return specialise(kernels[plan.kind], info.name);
}

export function reduceView(
  spec: ReduceSpec,
  view: NdView,
  axes: readonly number[] | undefined,
  missing: MissingRule | undefined,
): Reduction {
  const info = dtypeInfo(view.dtype);
  const plan = planMissing(missing, info);
  if (axes !== undefined && axes.length === 0) return reduceNoAxes(spec, view, plan, info);

  const ndim = view.shape.length;
  const isReduced = new Array<boolean>(ndim).fill(axes === undefined);
  for (const axis of axes ?? []) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= ndim) {
      const message = `axis ${axis} is out of range for a selection of ${ndim} dimension(s); allowed 0 to ${ndim - 1}`;
      throw new ActiveStorageError('INVALID_REQUEST', message, { field: 'axis' });
    }
    isReduced[axis] = true;
  }
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const reduced: { len: number; stride: number }[] = [];
  for (let d = 0; d < ndim; d++) {
    const len = view.shape[d]!;
    const stride = view.strides[d]!;
    if (isReduced[d]) reduced.push({ len, stride });
    else {
      keptShape.push(len);
      keptStrides.push(stride);
    }
  }

  const outInfo = dtypeInfo(spec.resultDType(view.dtype));
  const outSize = productOf(keptShape);
  const out = new outInfo.arrayType(new ArrayBuffer(outSize * outInfo.itemsize));
  const counts = new Array<number>(outSize);
  const acc = new Acc();
  // Byte-reversed elements are folded as they are when a kernel swaps them as it loads them; else swapped first.
  const stored = storedElements(view);
  const folds = (runLen: number): { fold: AnyFold; data: AnyTypedArray } => {
    const swapping =
      stored.swapped && runLen >= MIN_SWAPPED_RUN ? pickSwappedFold(spec, info, plan) : undefined;
    if (swapping !== undefined) return { fold: swapping, data: stored.data };
    return { fold: pickFold(spec, info, plan), data: view.data };
  };

  if (keptShape.length === 0) {
    // The walk a streamed body gets too (stream-reduce.ts), so both paths give the same bytes.
    const { fold, data } = folds(fullRunLength(view));
    const whole = new FullReduction(spec, info, fold, plan, view);
    whole.fold(data, 0, data.length, true);
    whole.finish(out);
    return { values: out, shape: [], counts: [whole.acc.n] };
  }

  const redSize = productOf(reduced.map((r) => r.len));
  reduced.sort((a, b) => Math.abs(b.stride) - Math.abs(a.stride));
  const walk = coalesce(
    reduced.map((r) => r.len),
    reduced.map((r) => r.stride),
  );
  const runLen = walk.shape.pop() ?? 1;
  const runStride = walk.strides.pop() ?? 1;
  const outerLen = walk.shape;
  const outerStride = walk.strides;
  const outerIdx = new Array<number>(outerLen.length).fill(0);
  const keptIdx = new Array<number>(keptShape.length).fill(0);
  const { fold, data } = folds(runLen);
  if (info.isBigInt) attachWords(acc, data, info);

  let base = view.offset;
  for (let o = 0; o < outSize; o++) {
    spec.identity(acc, info);
    if (redSize > 0) {
      let off = base;
      for (;;) {
        fold(acc, data, off, runStride, runLen, plan);
        let d = outerLen.length - 1;
        for (; d >= 0; d--) {
          off += outerStride[d]!;
          if (++outerIdx[d]! < outerLen[d]!) break;
          off -= outerStride[d]! * outerLen[d]!;
          outerIdx[d] = 0;
        }
        if (d < 0) break;
      }
    }
    spec.finish(acc, info, out, o);
    counts[o] = acc.n;
    for (let d = keptShape.length - 1; d >= 0; d--) {
      base += keptStrides[d]!;
      if (++keptIdx[d]! < keptShape[d]!) break;
      base -= keptStrides[d]! * keptShape[d]!;
      keptIdx[d] = 0;
    }
  }
  return { values: out, shape: keptShape, counts };
}

/** present[i] = 1 unless values[i] is missing; one copy per (plan kind, dtype) like the fold kernels. */
function flagsNone(present: Uint8Array): void {
  present.fill(1);
}

function flagsBounds<T extends number | bigint>(
  present: Uint8Array,
  values: ArrayLike<T>,
  plan: BoundsPlan<T>,
): void {
  const lo = plan.lo;
  const hi = plan.hi;
  const eq = plan.eq;
  for (let i = 0; i < present.length; i++) {
    const x = values[i]!;
    present[i] = x < lo || x > hi || x === eq ? 0 : 1;
  }
}

function flagsSet<T extends number | bigint>(
  present: Uint8Array,
  values: ArrayLike<T>,
  plan: SetPlan<T>,
): void {
  const set = plan.values;
  const nv = set.length;
  for (let i = 0; i < present.length; i++) {
    const x = values[i]!;
    let j = 0;
    while (j < nv && x !== set[j]) j++;
    present[i] = j === nv ? 1 : 0;
  }
}

/** `axis: []` (numpy `axis=()`): every element is its own output, count 1 when present and 0 when missing. */
function reduceNoAxes(spec: ReduceSpec, view: NdView, plan: AnyPlan, info: DTypeInfo): Reduction {
  const values = gatherView(view);
  const present = new Uint8Array(values.length);
  if (plan.kind === 'none') flagsNone(present);
  else if (plan.kind === 'bounds')
    specialise(flagsBounds, info.name)(present, values as ArrayLike<number>, plan as BoundsPlan<number>);
  else specialise(flagsSet, info.name)(present, values as ArrayLike<number>, plan as SetPlan<number>);
  const counts = new Array<number>(present.length);
  for (let i = 0; i < present.length; i++) counts[i] = present[i]!;
  return { values: spec.elementwise(values, present, info), shape: [...view.shape], counts };
}
