/**
 * The op table (STYLE.md §3). Routes, the OpenAPI op list and the unknown-op 404 derive from `OP_NAMES`; `runOp`
 * is the one entry point the pipeline calls after the view is built and selected.
 */
import { HOST_IS_LITTLE_ENDIAN, swapBytesInPlace } from '../array/byte-order.js';
import { type AnyTypedArray, dtypeInfo } from '../array/dtype.js';
import { denseStrides, gatherView, type NdView, reverseAxes } from '../array/view.js';
import type { MissingRule, OpResult } from '../request/chunk-request.js';
import { count } from './count.js';
import { max } from './max.js';
import { mean } from './mean.js';
import { min } from './min.js';
import type { OpSpec } from './op-spec.js';
import { reduceView } from './reduce.js';
import { select } from './select.js';
import { sum } from './sum.js';

export const OP_NAMES = ['count', 'max', 'mean', 'min', 'select', 'sum'] as const;
export type OpName = (typeof OP_NAMES)[number];

export const OPS: Readonly<Record<OpName, OpSpec>> = { count, max, mean, min, select, sum };

export function isOpName(s: string): s is OpName {
  return (OP_NAMES as readonly string[]).includes(s);
}

export interface OpParams {
  /** Axes of the selected view to reduce over, sorted and unique; `undefined` = every axis. Ignored by select. */
  axes: number[] | undefined;
  missing: MissingRule | undefined;
  /** Layout of the result bytes (API.md §5.5); counts are always C order. */
  order: 'C' | 'F';
}

export function runOp(op: OpName, view: NdView, params: OpParams): OpResult {
  const spec = OPS[op];
  const dtype = spec.resultDType(view.dtype);
  if (spec.kind === 'select') {
    const present = reduceView(count, view, undefined, params.missing).counts[0]!;
    const values = gatherView(params.order === 'F' ? reverseAxes(view) : view);
    return { dtype, shape: [...view.shape], bytes: littleEndianBytes(values, dtype), counts: [present] };
  }
  const r = reduceView(spec, view, params.axes, params.missing);
  let values = r.values;
  if (params.order === 'F' && r.shape.length >= 2) {
    const dense: NdView = {
      dtype,
      data: values,
      shape: r.shape,
      strides: denseStrides(r.shape, 'C'),
      offset: 0,
    };
    values = gatherView(reverseAxes(dense));
  }
  return { dtype, shape: r.shape, bytes: littleEndianBytes(values, dtype), counts: r.counts };
}

/** `values` is a fresh array owned here, so a big-endian host may swap it in place. */
function littleEndianBytes(values: AnyTypedArray, dtype: OpResult['dtype']): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (!HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(bytes, dtypeInfo(dtype).itemsize);
  return bytes;
}
