/**
 * The page to read first: one chunk request flows fetch -> decode -> view -> select -> reduce. Framework-free:
 * plain values in, an OpResult out. The request first takes its share of the memory budget; the CPU stages
 * (compute/chunk.ts) run inline or on a worker (compute/pool.ts).
 */

import type { BufferPool } from './buffer-pool.js';
import { computePlan, expectedBytesOf, hasCodecs } from './compute/chunk.js';
import type { ComputePool } from './compute/pool.js';
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
  const release = await deps.memory.acquire(memoryEstimate(req, deps.maxDecodedBytes), signal);
  try {
    const stored = await deps.storage.read({
      location: req.location,
      range: req.range,
      credentials: req.credentials,
      signal,
    });
    return await deps.compute.run(stored, computePlan(req, deps.maxDecodedBytes), deps.buffers.release);
  } finally {
    release();
  }
}
