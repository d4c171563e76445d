/**
 * The decoded bytes as an N-d array: a typed array plus shape, strides and offset (API.md §5.1). Selection
 * (selection.ts) only changes shape/strides/offset, so no element is copied before the op runs.
 */

import { ActiveStorageError } from '../errors.js';
import type { ArraySpec } from '../request/chunk-request.js';
import { HOST_IS_LITTLE_ENDIAN, swapBytesInPlace } from './byte-order.js';
import { type AnyTypedArray, type DType, dtypeInfo } from './dtype.js';
import { specialise } from './specialise.js';

export interface NdView {
  readonly dtype: DType;
  /**
   * The elements in the host's byte order. For a view built on data stored in the other order (buildView), the
   * first read swaps the shared bytes in place, once; `storedElements` reads them without swapping.
   */
  readonly data: AnyTypedArray;
  shape: number[];
  /** In elements; negative after a selection with a negative stride. */
  strides: number[];
  /** Element index of `[0, ..., 0]`. */
  offset: number;
}

/** Elements stored byte-reversed, shared by every view of them, swapped in place the first time one is read. */
class DeferredSwap {
  private pending = true;

  constructor(
    private readonly stored: AnyTypedArray,
    private readonly itemsize: 2 | 4 | 8,
  ) {}

  get swapped(): boolean {
    return this.pending;
  }

  /** The bytes as they are, reversed while `swapped`: only byte-swapping kernels may read them then. */
  get raw(): AnyTypedArray {
    return this.stored;
  }

  hostOrder(): AnyTypedArray {
    if (this.pending) {
      const a = this.stored;
      swapBytesInPlace(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), this.itemsize);
      this.pending = false;
    }
    return this.stored;
  }
}

/**
 * Views whose `data` getter swaps on first read. A WeakMap rather than a field, so that nothing outside this file
 * can reach the unswapped bytes except through `storedElements`, which says that they are.
 */
const deferredSwaps = new WeakMap<NdView, DeferredSwap>();

function layoutOf(
  dtype: DType,
  source: AnyTypedArray | DeferredSwap,
  shape: number[],
  strides: number[],
  offset: number,
): NdView {
  if (!(source instanceof DeferredSwap)) return { dtype, data: source, shape, strides, offset };
  const view: NdView = {
    dtype,
    get data() {
      return source.hostOrder();
    },
    shape,
    strides,
    offset,
  };
  deferredSwaps.set(view, source);
  return view;
}

/** The same elements (and byte-order state) under another shape, strides and offset. */
export function relayout(view: NdView, shape: number[], strides: number[], offset: number): NdView {
  return layoutOf(view.dtype, deferredSwaps.get(view) ?? view.data, shape, strides, offset);
}

/**
 * The view's elements as stored, without swapping them: `swapped` is true while their bytes are still reversed
 * (big-endian data on this little-endian host), and then only a kernel that swaps as it loads (the WASM `x`
 * kernels) may read `data`. Anything else reads `view.data`.
 */
export function storedElements(view: NdView): { data: AnyTypedArray; swapped: boolean } {
  const deferred = deferredSwaps.get(view);
  if (deferred?.swapped) return { data: deferred.raw, swapped: true };
  return { data: view.data, swapped: false };
}

/** Strides (in elements) of a dense array laid out in `order`. */
export function denseStrides(shape: readonly number[], order: 'C' | 'F'): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  if (order === 'C') {
    for (let d = shape.length - 1; d >= 0; d--) {
      strides[d] = step;
      step *= shape[d]!;
    }
  } else {
    for (let d = 0; d < shape.length; d++) {
      strides[d] = step;
      step *= shape[d]!;
    }
  }
  return strides;
}

export function productOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Wraps decoded bytes as an array. `decoded` belongs to the pipeline, so big-endian data is swapped in place, but
 * only when something reads `view.data`: a full reduction with a byte-swapping kernel reads it once, as it is
 * (reduce.ts). Its length was checked against the shape when decoding (API.md §7 step 5), which is re-asserted
 * here because a typed-array view of the wrong length would silently read past the data.
 */
export function buildView(decoded: Uint8Array, spec: ArraySpec): NdView {
  const info = dtypeInfo(spec.dtype);
  const itemsize = info.itemsize;
  const length = decoded.byteLength / itemsize;
  const expected = spec.shape === undefined ? Math.floor(length) : productOf(spec.shape);
  if (length !== expected) {
    throw new ActiveStorageError(
      'INTERNAL',
      `decoded data is ${decoded.byteLength} bytes; ${spec.dtype} with shape ` +
        `${JSON.stringify(spec.shape ?? null)} needs ${expected * itemsize}`,
    );
  }
  // A typed-array view needs byteOffset to be a multiple of the item size (STYLE.md §9); bytes cut out of a larger
  // response often are not.
  const bytes = decoded.byteOffset % itemsize === 0 ? decoded : decoded.slice();
  const shape = spec.shape === undefined ? [length] : [...spec.shape];
  const data = new info.arrayType(bytes.buffer, bytes.byteOffset, length);
  const strides = denseStrides(shape, spec.order);
  if ((spec.byteOrder === 'little') === HOST_IS_LITTLE_ENDIAN || itemsize === 1) {
    return layoutOf(spec.dtype, data, shape, strides, 0);
  }
  // The WASM kernels read little-endian memory, so only big-endian data on a little-endian host is left unswapped.
  if (HOST_IS_LITTLE_ENDIAN) return layoutOf(spec.dtype, new DeferredSwap(data, itemsize), shape, strides, 0);
  swapBytesInPlace(bytes, itemsize);
  return layoutOf(spec.dtype, data, shape, strides, 0);
}

/** The same elements with the axes in reverse order: a C-order walk of the result is an F-order walk of `view`. */
export function reverseAxes(view: NdView): NdView {
  return relayout(view, [...view.shape].reverse(), [...view.strides].reverse(), view.offset);
}

/**
 * When the view's elements are exactly `data[start .. start + length)` (in any order), returns that range. A
 * reduction over every axis may then walk the range directly, whatever the selection's strides or the order.
 */
export function contiguousRange(view: NdView): { start: number; length: number } | undefined {
  const dims: { len: number; stride: number }[] = [];
  let start = view.offset;
  for (let d = 0; d < view.shape.length; d++) {
    const len = view.shape[d]!;
    const stride = view.strides[d]!;
    if (len === 0) return { start: view.offset, length: 0 };
    if (len === 1) continue;
    if (stride < 0) start += (len - 1) * stride;
    dims.push({ len, stride: Math.abs(stride) });
  }
  dims.sort((a, b) => a.stride - b.stride);
  let expect = 1;
  for (const { len, stride } of dims) {
    if (stride !== expect) return undefined;
    expect *= len;
  }
  return { start, length: expect };
}

/** Dimensions of a walk, with neighbours merged where the outer one steps exactly over the inner one. */
export function coalesce(
  shape: readonly number[],
  strides: readonly number[],
): { shape: number[]; strides: number[] } {
  const outShape: number[] = [];
  const outStrides: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const len = shape[d]!;
    const stride = strides[d]!;
    if (len === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && outStrides[last] === stride * len) {
      outShape[last] = outShape[last]! * len;
      outStrides[last] = stride;
    } else {
      outShape.push(len);
      outStrides.push(stride);
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Copies `n` elements from `data[start], data[start + stride], ...` to `out[pos ...]`. Specialised per dtype. */
function copyRun(
  out: AnyTypedArray,
  pos: number,
  data: AnyTypedArray,
  start: number,
  stride: number,
  n: number,
): void {
  for (let k = 0, i = start; k < n; k++, i += stride) out[pos + k] = data[i]!;
}

/** Rows at least this long are copied with `TypedArray.set` (native memcpy); shorter ones element by element. */
const MIN_NATIVE_ROW = 64;

/** The view's elements in C (row-major) order, as a new dense typed array of the view's dtype. */
export function gatherView(view: NdView): AnyTypedArray {
  const total = productOf(view.shape);
  const ArrayType = dtypeInfo(view.dtype).arrayType;
  const out = new ArrayType(new ArrayBuffer(total * dtypeInfo(view.dtype).itemsize));
  if (total === 0) return out;
  const { shape, strides } = coalesce(view.shape, view.strides);
  if (shape.length === 0) {
    out[0] = view.data[view.offset]!;
    return out;
  }
  const inner = shape.length - 1;
  const rowLen = shape[inner]!;
  const rowStride = strides[inner]!;
  const copy = specialise(copyRun, view.dtype);
  const native = rowStride === 1 && rowLen >= MIN_NATIVE_ROW;
  const index = new Array<number>(inner).fill(0);
  let base = view.offset;
  for (let pos = 0; pos < total; pos += rowLen) {
    if (native) (out as Uint8Array).set((view.data as Uint8Array).subarray(base, base + rowLen), pos);
    else copy(out, pos, view.data, base, rowStride, rowLen);
    // Odometer over the outer dimensions, last fastest.
    for (let d = inner - 1; d >= 0; d--) {
      base += strides[d]!;
      if (++index[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
