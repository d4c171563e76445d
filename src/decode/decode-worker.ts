/**
 * Worker-thread entry for decode/worker-pool.ts: runs one decode chain and moves the result back without copying.
 * Errors travel as plain data because structured cloning drops an Error's own fields (code, causedBy).
 */
import { move } from 'piscina';
import { ActiveStorageError } from '../errors.js';
import { type DecodeChain, type DecodeLimits, runDecodeChain } from './chain.js';

export interface DecodeTask {
  stored: Uint8Array;
  chain: DecodeChain;
  limits: DecodeLimits;
}

export interface DecodeTaskError {
  code: ActiveStorageError['code'];
  message: string;
  field: string | undefined;
  causedBy: string[];
}

export default function decodeTask(task: DecodeTask): Uint8Array | { error: DecodeTaskError } {
  try {
    let out = runDecodeChain(task.stored, task.chain, task.limits);
    // Only a whole ArrayBuffer can be transferred; decoders that return a view of a larger buffer get one copy.
    if (out.byteOffset !== 0 || out.byteLength !== out.buffer.byteLength) out = new Uint8Array(out);
    return move(out) as Uint8Array;
  } catch (err) {
    const e =
      err instanceof ActiveStorageError
        ? err
        : new ActiveStorageError('INTERNAL', 'decoding failed unexpectedly', {
            causedBy: [err instanceof Error ? err.message : String(err)],
          });
    return { error: { code: e.code, message: e.message, field: e.field, causedBy: e.causedBy } };
  }
}
