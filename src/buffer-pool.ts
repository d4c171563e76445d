/**
 * Reused receive buffers. A fresh 64 MiB buffer per request costs ~18,000 page faults as it is first written and
 * drives V8 into a full collection every few requests (external memory pressure): measured, reading a 64 MiB body
 * into a new buffer ran at 644 MB/s, into a reused one at 1465 MB/s (docs/performance.md). Storage takes its
 * destination from here; the pipeline gives it back once the kernel has read it.
 *
 * Buffers come in size classes a quarter of a power of two apart (at most 25% slack), at most `maxIdleBytes`
 * wait for reuse, and none once no buffer was asked for during `idleDropMs`, so an idle server holds nothing.
 */

export interface BufferPool {
  /** A zero-offset view of exactly `length` bytes over a buffer that may be larger. Contents are arbitrary. */
  acquire(length: number): Uint8Array;
  /** Hands a buffer from `acquire` back. The caller must not touch it afterwards. */
  release(bytes: Uint8Array): void;
  idleBytes(): number;
}

/** Below this, allocation is cheap (Node's slab) and pooling saves nothing. */
const MIN_POOLED = 256 * 1024;

export function sizeClass(length: number): number {
  if (length <= MIN_POOLED) return length;
  const step = 2 ** (Math.floor(Math.log2(length)) - 2);
  return Math.ceil(length / step) * step;
}

/** Idle buffers are dropped after this long without a request for one: a quiet server gives its memory back. */
export const IDLE_DROP_MS = 5_000;

export function createBufferPool(maxIdleBytes: number, idleDropMs = IDLE_DROP_MS): BufferPool {
  const idle = new Map<number, ArrayBuffer[]>();
  let idleTotal = 0;
  let lastAcquire = 0;
  let dropScheduled = false;
  const dropWhenQuiet = (): void => {
    const quietFor = Date.now() - lastAcquire;
    if (quietFor < idleDropMs) {
      setTimeout(dropWhenQuiet, idleDropMs - quietFor).unref();
      return;
    }
    dropScheduled = false;
    idle.clear();
    idleTotal = 0;
  };
  return {
    idleBytes: () => idleTotal,
    acquire(length) {
      lastAcquire = Date.now();
      const capacity = sizeClass(length);
      const reused = capacity > MIN_POOLED ? idle.get(capacity)?.pop() : undefined;
      if (reused !== undefined) {
        idleTotal -= reused.byteLength;
        return new Uint8Array(reused, 0, length);
      }
      return new Uint8Array(new ArrayBuffer(capacity), 0, length);
    },
    release(bytes) {
      const buffer = bytes.buffer;
      if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return; // detached or shared: not ours
      const capacity = buffer.byteLength;
      if (capacity <= MIN_POOLED || sizeClass(capacity) !== capacity || bytes.byteOffset !== 0) return;
      if (idleTotal + capacity > maxIdleBytes) return;
      const list = idle.get(capacity) ?? [];
      list.push(buffer);
      idle.set(capacity, list);
      idleTotal += capacity;
      if (!dropScheduled) {
        dropScheduled = true;
        setTimeout(dropWhenQuiet, idleDropMs).unref();
      }
    },
  };
}
