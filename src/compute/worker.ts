/**
 * Worker-thread entry for compute/pool.ts: runs computeChunk and moves the result bytes back without copying.
 * Errors travel as plain data because structured cloning drops an Error's own fields (code, causedBy).
 */
import { Piscina } from 'piscina';
import { ActiveStorageError } from '../errors.js';
import type { OpResult } from '../request/chunk-request.js';
import { type ComputePlan, computeChunk } from './chunk.js';

export interface ComputeTask {
  stored: Uint8Array;
  plan: ComputePlan;
}

export interface ComputeTaskError {
  code: ActiveStorageError['code'];
  message: string;
  field: string | undefined;
  causedBy: string[];
}

export type ComputeTaskResult = { result: OpResult; input: Uint8Array } | { error: ComputeTaskError };

/**
 * Piscina's Transferable protocol: the result object is cloned; its bytes' buffer and the input buffer (going home
 * to the buffer pool) are moved.
 */
class MovedResult {
  constructor(private readonly value: { result: OpResult; input: Uint8Array }) {}
  get [Piscina.transferableSymbol]() {
    return [this.value.result.bytes.buffer, this.value.input.buffer];
  }
  get [Piscina.valueSymbol]() {
    return this.value;
  }
}

export default function computeTask(task: ComputeTask): ComputeTaskResult | MovedResult {
  try {
    const result = computeChunk(task.stored, task.plan);
    // Only a whole ArrayBuffer can be moved, and the input goes back separately: a result that views a larger
    // buffer, or the input's, is copied once.
    const bytes = result.bytes;
    if (
      bytes.buffer === task.stored.buffer ||
      bytes.byteOffset !== 0 ||
      bytes.byteLength !== bytes.buffer.byteLength
    ) {
      result.bytes = new Uint8Array(bytes);
    }
    // MovedResult implements piscina's Transferable protocol through its symbols; the typings model only built-ins.
    return Piscina.move(
      new MovedResult({ result, input: task.stored }) as unknown as ArrayBuffer,
    ) as unknown as MovedResult;
  } catch (err) {
    const e =
      err instanceof ActiveStorageError
        ? err
        : new ActiveStorageError('INTERNAL', 'computation failed unexpectedly', {
            causedBy: [err instanceof Error ? err.message : String(err)],
          });
    return { error: { code: e.code, message: e.message, field: e.field, causedBy: e.causedBy } };
  }
}
