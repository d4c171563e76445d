/**
 * The page to read first: one chunk request flows fetch -> decode -> view -> select -> reduce. Framework-free:
 * plain values in, an OpResult out. The CPU stages (compute/chunk.ts) run inline or on a worker (compute/pool.ts).
 */
import { computePlan } from './compute/chunk.js';
import type { ComputePool } from './compute/pool.js';
import type { ChunkRequest, OpResult } from './request/chunk-request.js';
import type { ByteSource } from './storage/byte-source.js';

export interface PipelineDeps {
  storage: ByteSource;
  compute: ComputePool;
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
  return deps.compute.run(stored, computePlan(req, deps.maxDecodedBytes));
}
