/**
 * The page to read first: one chunk request flows fetch -> decode -> view -> select -> reduce. Framework-free:
 * plain values in, an OpResult out. A full reduction of uncompressed data is folded as the body streams in
 * (compute/stream.ts) when the store allows it; otherwise the request takes its share of the memory budget, the
 * body is read whole, and the CPU stages (compute/chunk.ts) run inline or on a worker (compute/pool.ts).
 */

import type { BufferPool } from './buffer-pool.js';
import { computePlan, expectedBytesOf, hasCodecs } from './compute/chunk.js';
import type { ComputePool } from './compute/pool.js';
import { STREAM_MEMORY_BYTES, streamReducer } from './compute/stream.js';
import type { MemoryBudget } from './memory-budget.js';
import type { ChunkRequest, OpResult } from './request/chunk-request.js';
import type { ByteSource } from './storage/byte-source.js';

export interface PipelineDeps {
  storage: ByteSource;
  compute: ComputePool;
  memory: MemoryBudget;
  /** Where storage's receive buffers go back once the kernel has read them. */
  buffers: BufferPool;
  /** Upper bound on a decoded chunk when the request gives no shape. */
  maxDecodedBytes: number;
}

/** What a read of unknown length (no size, no shape) is assumed to hold until it arrives. */
const UNKNOWN_READ_BYTES = 8 * 1024 * 1024;

/**
 * Peak bytes one request holds: the stored bytes, plus the decoded array when decoding makes a second buffer
 * (compressed data without a shape is assumed to expand 4x, as scientific data typically does at most).
 */
export function memoryEstimate(req: ChunkRequest, maxDecodedBytes: number): number {
  const plan = computePlan(req, maxDecodedBytes);
  const decoded = expectedBytesOf(plan);
  const stored = req.range.size ?? decoded ?? UNKNOWN_READ_BYTES;
  if (!hasCodecs(plan)) return stored;
  return stored + Math.min(decoded ?? stored * 4, maxDecodedBytes);
}

export async function runChunk(
  req: ChunkRequest,
  deps: PipelineDeps,
  signal: AbortSignal,
): Promise<OpResult> {
  const plan = computePlan(req, deps.maxDecodedBytes);
  const read = { location: req.location, range: req.range, credentials: req.credentials, signal };
  const reducer = deps.storage.stream === undefined ? undefined : streamReducer(plan);
  if (reducer !== undefined) {
    const release = await deps.memory.acquire(STREAM_MEMORY_BYTES, signal);
    try {
      if (await deps.storage.stream!(read, (length) => reducer.open(length))) return reducer.finish();
    } finally {
      reducer.release();
      release();
    }
  }
  const release = await deps.memory.acquire(memoryEstimate(req, deps.maxDecodedBytes), signal);
  try {
    const stored = await deps.storage.read(read);
    return await deps.compute.run(stored, plan, deps.buffers.release);
  } finally {
    release();
  }
}
