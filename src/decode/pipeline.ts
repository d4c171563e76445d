/**
 * decodeChunk: stored bytes -> decoded bytes, the `decode` stage of API.md §7. Small chunks decode inline; chunks
 * whose decoded size reaches the worker threshold go to the worker pool (decode/worker-pool.ts) so the event loop
 * stays free. Both paths run the same synchronous chain (decode/chain.ts).
 */
import type { DType } from '../array/dtype.js';
import { type DecodeChain, runDecodeChain } from './chain.js';
import type { CodecConfig } from './registry.js';
import { decodeOnWorker, workerThresholdBytes } from './worker-pool.js';

export { closeDecodePool, configureDecodeWorkers } from './worker-pool.js';

export interface DecodeChunkContext {
  dtype: DType;
  itemsize: number;
  /** product(shape) × itemsize when the request has a shape: the decoded data may not be larger. */
  expectedBytes: number | undefined;
  /** The server's maximum decoded size, the bound when there is no shape. */
  maxBytes: number;
  /** Byte order of the stored elements (the delta filter needs it); default little. */
  byteOrder?: 'little' | 'big';
  /**
   * True when the caller hands `stored` over (it owns the whole ArrayBuffer and will not use it again), so a worker
   * can take it without a copy. Default false: cached bytes are copied once before a worker takes them.
   */
  isStoredTransferable?: boolean;
}

/**
 * How much work a chunk is, in decoded bytes. Without a shape the decoded size is unknown until decoded; compressed
 * scientific data typically expands 2–5×, so 4× the stored size stands in for it.
 */
function estimatedBytes(stored: Uint8Array, chain: DecodeChain, ctx: DecodeChunkContext): number {
  if (ctx.expectedBytes !== undefined) return Math.max(ctx.expectedBytes, stored.length);
  return chain.compression === undefined ? stored.length : stored.length * 4;
}

/**
 * Decodes `stored` with `chain.compression` then `chain.filters` (API.md §7 steps 2–4). Resolves to a buffer the
 * caller owns (never a view of `stored`), at most `expectedBytes` (else `maxBytes`) long; rejects with
 * `ActiveStorageError` `DECODE_FAILED` (400) naming the codec for corrupt, truncated, oversized or mismatched data.
 */
export async function decodeChunk(
  stored: Uint8Array,
  chain: { compression: CodecConfig | undefined; filters: CodecConfig[] },
  ctx: DecodeChunkContext,
): Promise<Uint8Array> {
  const limits = {
    dtype: ctx.dtype,
    itemsize: ctx.itemsize,
    expectedBytes: ctx.expectedBytes,
    maxBytes: ctx.maxBytes,
    byteOrder: ctx.byteOrder ?? 'little',
  };
  if (estimatedBytes(stored, chain, ctx) < workerThresholdBytes())
    return runDecodeChain(stored, chain, limits);
  const ownsBuffer =
    ctx.isStoredTransferable === true &&
    stored.byteOffset === 0 &&
    stored.byteLength === stored.buffer.byteLength &&
    stored.buffer instanceof ArrayBuffer;
  // `new Uint8Array(stored)` copies (Buffer#slice would share memory with the cache).
  return decodeOnWorker({ stored: ownsBuffer ? stored : new Uint8Array(stored), chain, limits });
}
