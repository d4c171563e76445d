/**
 * numpy basic slicing (API.md §5.2): each `[start, end, stride]` is Python's `slice(start, end, stride)`, normalised
 * as `slice.indices(length)` does (CPython Objects/sliceobject.c, `PySlice_AdjustIndices`), then applied by stride
 * arithmetic alone. Nothing is copied and no dimension is dropped.
 */
import { ActiveStorageError } from '../errors.js';
import type { Slice } from '../request/chunk-request.js';
import { type NdView, relayout } from './view.js';

export interface NormalisedSlice {
  /** First index taken (meaningless when `count` is 0). */
  start: number;
  step: number;
  /** Number of indices taken. */
  count: number;
}

/** `slice(s.start, s.stop, s.step).indices(length)` plus `len(range(...))`. `s.step` is never 0 here. */
export function normaliseSlice(s: Slice, length: number): NormalisedSlice {
  const step = s.step;
  const lower = step < 0 ? -1 : 0;
  const upper = step < 0 ? length - 1 : length;
  const clamp = (i: number): number => {
    if (i < 0) return Math.max(i + length, lower);
    return Math.min(i, upper);
  };
  const start = clamp(s.start);
  const stop = clamp(s.stop);
  let count = 0;
  if (step < 0) {
    if (stop < start) count = Math.floor((start - stop - 1) / -step) + 1;
  } else if (start < stop) {
    count = Math.floor((stop - start - 1) / step) + 1;
  }
  return { start, step, count };
}

/** The view restricted to `selection` (one slice per dimension); `undefined` selects everything. */
export function selectView(view: NdView, selection: readonly Slice[] | undefined): NdView {
  if (selection === undefined) return view;
  if (selection.length !== view.shape.length) {
    throw new ActiveStorageError(
      'INVALID_REQUEST',
      `selection has ${selection.length} entries but shape has ${view.shape.length} dimensions; ` +
        'one [start, end, stride] per dimension is required',
      { field: 'selection' },
    );
  }
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = view.offset;
  for (let d = 0; d < selection.length; d++) {
    const { start, step, count } = normaliseSlice(selection[d]!, view.shape[d]!);
    const stride = view.strides[d]!;
    // An empty dimension never reads an element, and its clamped start may lie one past the end.
    if (count > 0) offset += start * stride;
    shape.push(count);
    strides.push(stride * step);
  }
  return relayout(view, shape, strides, offset);
}
