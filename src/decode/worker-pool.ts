/**
 * The decode worker pool: large chunks decode on worker threads so one big chunk does not stall every other request on
 * the event loop (issue 5 item 4). One piscina pool, created on first use, sized to the cores, closable for shutdown.
 * Input and output buffers are transferred, not copied.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { ActiveStorageError } from '../errors.js';
import type { DecodeTask, DecodeTaskError } from './decode-worker.js';

export interface DecodeWorkerOptions {
  /** Worker threads; default: the number of cores. */
  threads?: number;
  /** Chunks whose decoded size is at least this many bytes (estimated when unknown) go to a worker. */
  thresholdBytes?: number;
}

/**
 * Measured on the 2-core reference machine: Node's zlib inflates about 240 MB/s (64 MiB of float32 data: 280 ms),
 * and a worker round trip for a tiny chunk costs about 0.1–0.3 ms. At 256 KiB an inline decode holds the event loop
 * for about 1 ms, the point where handing it to a worker starts paying for the hop; below it, inline is faster.
 */
export const DEFAULT_WORKER_THRESHOLD_BYTES = 256 * 1024;

let threads = availableParallelism();
let thresholdBytes = DEFAULT_WORKER_THRESHOLD_BYTES;
let pool: Piscina<DecodeTask, Uint8Array | { error: DecodeTaskError }> | undefined;

/** Sets the pool size and threshold; call before the first decode (a running pool keeps its size). */
export function configureDecodeWorkers(options: DecodeWorkerOptions): void {
  if (options.threads !== undefined) threads = Math.max(1, Math.floor(options.threads));
  if (options.thresholdBytes !== undefined) thresholdBytes = Math.max(0, options.thresholdBytes);
}

export function workerThresholdBytes(): number {
  return thresholdBytes;
}

function workerFilename(): string {
  // Under tsx (tests) this module is a .ts file and so is its sibling; compiled, both are .js in dist/decode/.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./decode-worker${extension}`, import.meta.url).href;
}

function getPool() {
  pool ??= new Piscina({
    filename: workerFilename(),
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 30_000,
  });
  return pool;
}

/**
 * Decodes on a worker. `task.stored` must own its whole ArrayBuffer: it is transferred (and detached here).
 */
export async function decodeOnWorker(task: DecodeTask): Promise<Uint8Array> {
  let result: Uint8Array | { error: DecodeTaskError };
  try {
    result = await getPool().run(task, { transferList: [task.stored.buffer as ArrayBuffer] });
  } catch (err) {
    throw new ActiveStorageError('INTERNAL', 'a decoding worker failed', {
      causedBy: [err instanceof Error ? err.message : String(err)],
      cause: err,
    });
  }
  if (result instanceof Uint8Array) return result;
  const { code, message, field, causedBy } = result.error;
  throw new ActiveStorageError(code, message, field === undefined ? { causedBy } : { field, causedBy });
}

/** Stops the pool's threads (waiting for running decodes); the next decode starts a new pool. */
export async function closeDecodePool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.close();
}
