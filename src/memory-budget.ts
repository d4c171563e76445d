/**
 * The memory a server grants chunks in flight (API.md §7 resource rules): a request takes its share before it
 * fetches and gives it back when its result is built. A request that does not fit waits, first come first served;
 * one that cannot start within the queueing deadline fails with OVERLOADED (503 + Retry-After). A request larger
 * than the whole budget never reaches here: request validation refuses it with 400.
 */
import { ActiveStorageError } from './errors.js';

interface Waiter {
  bytes: number;
  grant: () => void;
}

export interface MemoryBudget {
  /** Waits until `bytes` fit, then holds them until the returned release function is called. */
  acquire(bytes: number, signal: AbortSignal): Promise<() => void>;
  /** Bytes held right now (for metrics and tests). */
  inUse(): number;
}

export function createMemoryBudget(totalBytes: number, queueTimeoutMs: number): MemoryBudget {
  let used = 0;
  const queue: Waiter[] = [];

  const release = (bytes: number) => {
    used -= bytes;
    // Strict FIFO: a large request at the head is not starved by small ones behind it.
    while (queue.length > 0 && used + (queue[0] as Waiter).bytes <= totalBytes) {
      const next = queue.shift() as Waiter;
      used += next.bytes;
      next.grant();
    }
  };

  const releaser = (bytes: number) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release(bytes);
    };
  };

  return {
    inUse: () => used,
    acquire(bytes, signal) {
      const share = Math.min(Math.max(bytes, 0), totalBytes);
      if (queue.length === 0 && used + share <= totalBytes) {
        used += share;
        return Promise.resolve(releaser(share));
      }
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          bytes: share,
          grant: () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            resolve(releaser(share));
          },
        };
        const leave = (err: unknown) => {
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          signal.removeEventListener('abort', onAbort);
          clearTimeout(timer);
          // Leaving may let the requests behind this one start.
          release(0);
          reject(err);
        };
        const onAbort = () => leave(signal.reason);
        const timer = setTimeout(
          () =>
            leave(
              new ActiveStorageError('OVERLOADED', 'the server is busy; retry later', {
                causedBy: [
                  `waited ${queueTimeoutMs} ms for ${share} bytes of memory (${used} of ${totalBytes} in use, ${queue.length} waiting)`,
                ],
                retryAfterSeconds: Math.max(1, Math.ceil(queueTimeoutMs / 1000)),
              }),
            ),
          queueTimeoutMs,
        );
        signal.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}
