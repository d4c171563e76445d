/**
 * Where the CPU half of a request runs. Large chunks go to a pool of worker threads sized to the cores, so one big
 * decode or kernel never stalls the event loop that serves every other request, and both cores work; small chunks
 * run inline, where a worker hop (~0.1 ms) would cost more than the work.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ActiveStorageError } from '../errors.js';
import type { OpResult } from '../request/chunk-request.js';
import { type ComputePlan, computeChunk, expectedBytesOf, hasCodecs } from './chunk.js';
import type { ComputeTask, ComputeTaskResult } from './worker.js';

export interface ComputePoolOptions {
  /** Worker threads; default the number of cores. */
  threads: number;
  /** Chunks whose estimated work is at least this many bytes run on a worker; 0 sends everything. */
  thresholdBytes: number;
}

/**
 * Measured on the 2-core reference machine: a worker round trip costs ~0.1 ms; zlib inflates ~240 MB/s; plain
 * kernels run 4-10 GB/s and the slowest (8-bit types with a missing rule) ~1 GB/s. Up to 4 MiB of kernel work
 * holds the event loop for at most ~4 ms, well inside the 20 ms p99 budget, and keeps 1 MiB chunks (the common
 * netCDF chunk size) off the hop, which cost them ~0.5 ms in `npm run bench`. Decoding weighs 4x per byte, so
 * compressed chunks move to a worker from ~1 MiB decoded.
 */
export const DEFAULT_THRESHOLD_BYTES = 4 * 1024 * 1024;
const DECODE_WEIGHT = 4;

export interface ComputePool {
  /**
   * Computes on `stored`, which the caller hands over (it may be byte-swapped in place or moved to a worker). Once
   * nothing reads it any more, `recycle` gets it back (for the buffer pool); not on failure.
   */
  run(stored: Uint8Array, plan: ComputePlan, recycle?: (stored: Uint8Array) => void): Promise<OpResult>;
  close(): Promise<void>;
}

/** Estimated work: decoded bytes (4x stored when compressed without a shape), weighted up when decoding. */
export function workBytes(storedLength: number, plan: ComputePlan): number {
  const decoded = expectedBytesOf(plan) ?? (hasCodecs(plan) ? storedLength * 4 : storedLength);
  return hasCodecs(plan) ? decoded * DECODE_WEIGHT : decoded;
}

function workerFilename(): string {
  // Under tsx (tests) this module is a .ts file and so is its sibling; compiled, both are .js in dist/compute/.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./worker${extension}`, import.meta.url).href;
}

export function createComputePool(options: Partial<ComputePoolOptions> = {}): ComputePool {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const thresholdBytes = options.thresholdBytes ?? DEFAULT_THRESHOLD_BYTES;
  let pool: Piscina<ComputeTask, ComputeTaskResult> | undefined;

  const getPool = () => {
    pool ??= new Piscina({
      filename: workerFilename(),
      minThreads: 0,
      maxThreads: threads,
      // An idle worker holds ~10 MiB (its own V8 heap); most chunks never need one now that full reductions
      // stream, so idle workers go soon.
      idleTimeout: 5_000,
    });
    return pool;
  };

  return {
    async run(stored, plan, recycle) {
      if (workBytes(stored.byteLength, plan) < thresholdBytes) {
        const result = computeChunk(stored, plan);
        if (result.bytes.buffer !== stored.buffer) recycle?.(stored);
        return result;
      }
      // The whole buffer moves to the worker, so `stored` must be the only view of it that matters: a view that
      // does not start at its buffer's start (someone else's bytes before it) is copied once.
      const owned =
        stored.byteOffset === 0 && stored.buffer instanceof ArrayBuffer ? stored : new Uint8Array(stored);
      let answer: ComputeTaskResult;
      try {
        answer = await getPool().run(
          { stored: owned, plan },
          { transferList: [owned.buffer as ArrayBuffer] },
        );
      } catch (err) {
        throw new ActiveStorageError('INTERNAL', 'a compute worker failed', {
          causedBy: [err instanceof Error ? err.message : String(err)],
          cause: err,
        });
      }
      if ('result' in answer) {
        recycle?.(answer.input);
        return answer.result;
      }
      const { code, message, field, causedBy } = answer.error;
      throw new ActiveStorageError(code, message, field === undefined ? { causedBy } : { field, causedBy });
    },
    async close() {
      const current = pool;
      pool = undefined;
      await current?.close();
    },
  };
}
