/**
 * The decode stage, the order of API.md §7, synchronous so it runs unchanged inline or on a compute worker
 * (src/compute/):
 * fletcher32 is verified and stripped first wherever it is in the list, then `compression` is undone, then the other
 * filters in reverse list order. Every stage gets an output bound worked out backwards from the final one
 * (`expectedBytes` when the shape is known, else `maxBytes`), so nothing ever allocates past it, and every failure
 * becomes a `DECODE_FAILED` error naming the codec and keeping the cause.
 */
import type { DType } from '../array/dtype.js';
import { ActiveStorageError } from '../errors.js';
import {
  CHECKSUM_MISMATCH,
  type DecodeContext,
  DecodeFailure,
  type Decoder,
  OutputTooLarge,
} from './codec-spec.js';
import { type CodecConfig, checkCodecChain, codecSpec } from './registry.js';

export interface DecodeChain {
  compression: CodecConfig | undefined;
  filters: CodecConfig[];
}

export interface DecodeLimits {
  dtype: DType;
  itemsize: number;
  /** product(shape) × itemsize when the request gives a shape; the output may not be larger. */
  expectedBytes: number | undefined;
  /** The server's maximum decoded size, the bound when there is no shape. */
  maxBytes: number;
  /** Byte order of the stored elements (used by delta); default little. */
  byteOrder?: 'little' | 'big';
}

interface Stage {
  config: CodecConfig;
  field: string;
  role: 'compression' | 'filter';
  decoder: Decoder;
  /** Largest output this stage may produce. */
  bound: number;
}

function toDecodeError(err: unknown, stage: Pick<Stage, 'config' | 'field' | 'role'>, limitReason: string) {
  if (err instanceof ActiveStorageError) return err;
  let reason = err instanceof Error ? err.message : String(err);
  if (err instanceof OutputTooLarge) reason += ` (${limitReason})`;
  const headline =
    err instanceof DecodeFailure && err.headline !== undefined
      ? err.headline
      : stage.role === 'compression'
        ? 'failed to decompress data'
        : 'failed to decode data';
  return new ActiveStorageError('DECODE_FAILED', headline, {
    field: stage.field,
    causedBy: [`${stage.field} (${stage.config.id}): ${reason}`],
    cause: err,
  });
}

function createStage(
  config: CodecConfig,
  field: string,
  role: Stage['role'],
  ctx: DecodeContext,
  limitReason: string,
) {
  const spec = codecSpec(config.id);
  if (spec === undefined || spec.role !== role) {
    throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
      field,
      causedBy: [`${field}.id: unknown ${role} "${config.id}"`],
    });
  }
  try {
    return spec.create(config, ctx);
  } catch (err) {
    throw toDecodeError(err, { config, field, role }, limitReason);
  }
}

function runStage(stage: Stage, input: Uint8Array, limitReason: string): Uint8Array {
  let out: Uint8Array;
  try {
    out = stage.decoder.decode(input, stage.bound);
    if (out.length > stage.bound) throw new OutputTooLarge(`decoded data (${out.length} bytes)`, stage.bound);
  } catch (err) {
    throw toDecodeError(err, stage, limitReason);
  }
  return out;
}

/**
 * Where the fletcher32 checksum is taken off. `outer`: first, on the fetched bytes (API.md §10.2; h5py's order,
 * where it is the last HDF5 filter). `in-list`: at its own place in reverse list order, still attached to the data
 * while the later-written stages are undone (netCDF-C 4.9 puts it first in the HDF5 pipeline, before shuffle and
 * deflate). The wire form cannot tell the two apart when fletcher32 is the only filter, so both are tried.
 */
type ChecksumPlacement = 'outer' | 'in-list';

function decodeWith(
  stored: Uint8Array,
  chain: DecodeChain,
  limits: DecodeLimits,
  placement: ChecksumPlacement,
): Uint8Array {
  const ctx: DecodeContext = {
    dtype: limits.dtype,
    itemsize: limits.itemsize,
    byteOrder: limits.byteOrder ?? 'little',
  };
  const limitReason =
    limits.expectedBytes === undefined
      ? "the server's maximum decoded size"
      : 'the size product(shape) × itemsize';
  const finalBound = limits.expectedBytes ?? limits.maxBytes;
  const checksumIndex = chain.filters.findIndex((f) => f.id === 'fletcher32');

  // Filters in decode order (reverse list order); each bound is derived from the stage decoded after it.
  const filterStages: Stage[] = [];
  let bound = finalBound;
  let outerChecksum: Stage | undefined;
  chain.filters.forEach((config, i) => {
    const field = `filters[${i}]`;
    // Stages undone while an in-list checksum is still attached see 4 extra bytes (HDF5 shuffle keeps a partial
    // trailing element as it is).
    const stageCtx =
      placement === 'in-list' && checksumIndex >= 0 && i > checksumIndex
        ? { ...ctx, hasTrailingChecksum: true }
        : ctx;
    const decoder = createStage(config, field, 'filter', stageCtx, limitReason);
    if (config.id === 'fletcher32' && placement === 'outer') {
      outerChecksum = { config, field, role: 'filter', decoder, bound: Number.POSITIVE_INFINITY };
      return;
    }
    filterStages.unshift({ config, field, role: 'filter', decoder, bound });
    bound = decoder.inputBound?.(bound) ?? bound;
  });
  // `bound` now limits the decompressor's output.

  let data = stored;
  if (outerChecksum !== undefined) data = runStage(outerChecksum, data, limitReason);
  if (chain.compression !== undefined) {
    const decoder = createStage(chain.compression, 'compression', 'compression', ctx, limitReason);
    data = runStage(
      { config: chain.compression, field: 'compression', role: 'compression', decoder, bound },
      data,
      limitReason,
    );
  }
  for (const stage of filterStages) data = runStage(stage, data, limitReason);
  if (data.length > finalBound) {
    // Only reachable when no stage had the bound (fletcher32 alone): the stored data is simply too long.
    throw new ActiveStorageError('DECODE_FAILED', 'failed to decode data', {
      field: 'filters',
      causedBy: [
        `decoded data (${data.length} bytes) exceeds the limit of ${finalBound} bytes (${limitReason})`,
      ],
    });
  }
  return data;
}

/**
 * Decodes `stored` through `chain`. The result never aliases `stored` (callers may byte-swap it in place while the
 * stored bytes stay cached).
 */
export function decodeChunk(stored: Uint8Array, chain: DecodeChain, limits: DecodeLimits): Uint8Array {
  const problems: string[] = [];
  checkCodecChain(chain.filters, limits.dtype, problems);
  if (problems.length > 0) {
    throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', { causedBy: problems });
  }
  let data: Uint8Array;
  try {
    data = decodeWith(stored, chain, limits, 'outer');
  } catch (err) {
    const hasOtherStages = chain.compression !== undefined || chain.filters.length > 1;
    if (!(err instanceof ActiveStorageError && err.message === CHECKSUM_MISMATCH && hasOtherStages))
      throw err;
    try {
      data = decodeWith(stored, chain, limits, 'in-list');
    } catch (inner) {
      const reason =
        inner instanceof ActiveStorageError ? inner.causedBy.join('; ') || inner.message : String(inner);
      throw new ActiveStorageError('DECODE_FAILED', CHECKSUM_MISMATCH, {
        field: err.field,
        causedBy: [
          ...err.causedBy,
          `verifying it after undoing the other codecs (netCDF-C order) failed too: ${reason}`,
        ],
        cause: err,
      });
    }
  }
  // `new Uint8Array(view)` copies; Buffer#slice would not.
  return data.buffer === stored.buffer ? new Uint8Array(data) : data;
}
