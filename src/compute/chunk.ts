/**
 * The CPU half of a request, after the bytes have arrived: decode -> view -> select -> reduce. Synchronous and
 * framework-free, so the same function runs inline for small chunks and on a worker thread for large ones
 * (compute/pool.ts).
 */
import { dtypeInfo } from '../array/dtype.js';
import { selectView } from '../array/selection.js';
import { buildView } from '../array/view.js';
import { decodeChunk } from '../decode/pipeline.js';
import { ActiveStorageError } from '../errors.js';
import { runOp } from '../ops/registry.js';
import type { ChunkRequest, OpResult } from '../request/chunk-request.js';

/** Everything the CPU stages need, and nothing about where the bytes came from (it crosses to workers). */
export type ComputePlan = Pick<
  ChunkRequest,
  'op' | 'array' | 'selection' | 'axes' | 'compression' | 'filters' | 'missing'
> & {
  /** Bound on the decoded size when the request gives no shape. */
  maxDecodedBytes: number;
};

export function computePlan(req: ChunkRequest, maxDecodedBytes: number): ComputePlan {
  const { op, array, selection, axes, compression, filters, missing } = req;
  return { op, array, selection, axes, compression, filters, missing, maxDecodedBytes };
}

export function hasCodecs(plan: ComputePlan): boolean {
  return plan.compression !== undefined || plan.filters.length > 0;
}

export function expectedBytesOf(plan: ComputePlan): number | undefined {
  return plan.array.shape?.reduce((a, b) => a * b, dtypeInfo(plan.array.dtype).itemsize);
}

/**
 * Runs the CPU stages on `stored`, which the caller hands over: it may be byte-swapped in place (uncompressed data
 * is viewed without a copy).
 */
export function computeChunk(stored: Uint8Array, plan: ComputePlan): OpResult {
  const { dtype, byteOrder } = plan.array;
  const itemsize = dtypeInfo(dtype).itemsize;
  const expectedBytes = expectedBytesOf(plan);
  const decoded = hasCodecs(plan)
    ? decodeChunk(
        stored,
        { compression: plan.compression, filters: plan.filters },
        { dtype, itemsize, expectedBytes, maxBytes: plan.maxDecodedBytes, byteOrder },
      )
    : stored;
  checkDecodedLength(decoded.byteLength, expectedBytes, plan);
  const view = selectView(buildView(decoded, plan.array), plan.selection);
  return runOp(plan.op, view, { axes: plan.axes, missing: plan.missing, order: plan.array.order });
}

/** API.md §7 step 5: the decoded bytes must be exactly the array the request describes. */
export function checkDecodedLength(
  length: number,
  expectedBytes: number | undefined,
  plan: ComputePlan,
): void {
  const { dtype, shape } = plan.array;
  const itemsize = dtypeInfo(dtype).itemsize;
  const what = hasCodecs(plan) ? 'decoded' : 'read';
  if (expectedBytes !== undefined && length !== expectedBytes) {
    throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
      causedBy: [
        `shape: ${JSON.stringify(shape)} of ${dtype} needs ${expectedBytes} bytes, but ${length} bytes were ${what} (check size and shape)`,
      ],
    });
  }
  if (expectedBytes === undefined && length % itemsize !== 0) {
    throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
      causedBy: [
        `size: ${length} bytes were ${what}, which is not a multiple of the ${dtype} item size (${itemsize})`,
      ],
    });
  }
}
