/**
 * The page to read first: one chunk request flows fetch -> decode -> view -> select -> reduce. Framework-free:
 * plain values in, an OpResult out.
 */
import { dtypeInfo } from './array/dtype.js';
import { selectView } from './array/selection.js';
import { buildView } from './array/view.js';
import { decodeChunk } from './decode/pipeline.js';
import { ActiveStorageError } from './errors.js';
import { runOp } from './ops/registry.js';
import type { ChunkRequest, OpResult } from './request/chunk-request.js';
import type { ByteSource } from './storage/byte-source.js';

export interface PipelineDeps {
  storage: ByteSource;
  /** Upper bound on a decoded chunk when the request gives no shape. */
  maxDecodedBytes: number;
}

export async function runChunk(
  req: ChunkRequest,
  deps: PipelineDeps,
  signal: AbortSignal,
): Promise<OpResult> {
  const stored = await deps.storage.read({
    location: req.location,
    range: req.range,
    credentials: req.credentials,
    signal,
  });

  const { dtype, shape } = req.array;
  const itemsize = dtypeInfo(dtype).itemsize;
  const expectedBytes = shape?.reduce((a, b) => a * b, itemsize);
  const decoded =
    req.compression === undefined && req.filters.length === 0
      ? stored
      : await decodeChunk(
          stored,
          { compression: req.compression, filters: req.filters },
          { dtype, itemsize, expectedBytes, maxBytes: deps.maxDecodedBytes },
        );
  checkDecodedLength(decoded.byteLength, expectedBytes, req);

  const view = selectView(buildView(decoded, req.array), req.selection);
  return runOp(req.op, view, { axes: req.axes, missing: req.missing, order: req.array.order });
}

/** API.md §7 step 5: the decoded bytes must be exactly the array the request describes. */
function checkDecodedLength(length: number, expectedBytes: number | undefined, req: ChunkRequest): void {
  const { dtype, shape } = req.array;
  const itemsize = dtypeInfo(dtype).itemsize;
  const what = req.compression === undefined && req.filters.length === 0 ? 'read' : 'decoded';
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
