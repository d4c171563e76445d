/**
 * The shape every codec file exports (STYLE.md §2): a wire id, a role, a declarative schema of its wire object, and
 * `create(config, ctx)` returning a synchronous decoder. Decoders are synchronous so that one chain can run either
 * inline or inside a worker thread unchanged (decode/pipeline.ts decides which).
 */
import type { DType } from '../array/dtype.js';
import type { CodecConfig } from './registry.js';

export type CodecRole = 'compression' | 'filter';

/** What a decoder may know about the array besides its own configuration. */
export interface DecodeContext {
  dtype: DType;
  itemsize: number;
  /** Byte order of the stored elements (the delta filter reads and writes elements in it). */
  byteOrder: 'little' | 'big';
  /**
   * The input still ends with a 4-byte fletcher32 checksum that a later stage removes (netCDF-C writes the checksum
   * before shuffling), so a partial trailing element is expected and kept as is, as HDF5's shuffle filter does.
   */
  hasTrailingChecksum?: boolean;
}

/** The headline of a fletcher32 mismatch (API.md §10.2 requires these words). */
export const CHECKSUM_MISMATCH = 'checksum mismatch';

export interface Decoder {
  /**
   * Decodes `input` into at most `maxOutputBytes` bytes, refusing (by throwing `OutputTooLarge`) before allocating
   * more. May return a view of `input` (the pipeline copies before handing out a buffer that aliases its input).
   */
  decode(input: Uint8Array, maxOutputBytes: number): Uint8Array;
  /**
   * Filters only: the largest input that can decode to `outputBytes` bytes, so the pipeline can bound the
   * decompressor's output before any filter runs. Absent means "same length".
   */
  inputBound?(outputBytes: number): number;
}

/** One option of a codec's wire object (e.g. `element_size`), in wire names; parsed by decode/registry.ts. */
export interface CodecParam {
  /** Name in the wire object, snake_case as clients send it. */
  wire: string;
  /** Name in `CodecConfig`. */
  key: 'elementSize' | 'blockSize' | 'astype';
  /** `positive-integer`: integer literal >= 1; `bitshuffle-block`: integer literal >= 0, a multiple of 8 (0 = default); `dtype`: a dtype name. */
  kind: 'positive-integer' | 'bitshuffle-block' | 'dtype';
  required: boolean;
  description: string;
}

export interface CodecSpec {
  id: string;
  role: CodecRole;
  /** One line for docs and the OpenAPI document. */
  description: string;
  /** Which writers produce it, for the README codec table. */
  writtenBy: string;
  params: readonly CodecParam[];
  create(config: CodecConfig, ctx: DecodeContext): Decoder;
  /** True when decoding never changes the byte length for this item size (API.md §2 rule 7). */
  isLengthPreserving(config: CodecConfig, itemsize: number): boolean;
}

/**
 * A codec refused its input. `detail` names what was wrong; decode/pipeline.ts adds the codec id and turns it into a
 * `DECODE_FAILED` error whose message is `headline` (default: "failed to decompress data" for compression, "failed to
 * decode data" for filters).
 */
export class DecodeFailure extends Error {
  readonly headline: string | undefined;

  constructor(detail: string, options: { headline?: string; cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DecodeFailure';
    this.headline = options.headline;
  }
}

/** The output would exceed the bound the pipeline gave; thrown before the oversized buffer is allocated. */
export class OutputTooLarge extends DecodeFailure {
  constructor(what: string, limit: number) {
    super(`${what} exceeds the limit of ${limit} bytes`);
    this.name = 'OutputTooLarge';
  }
}

/** Throws `OutputTooLarge` when `bytes` exceeds `limit`; the common pre-allocation check. */
export function checkOutputSize(bytes: number, limit: number, what = 'decoded data'): void {
  if (bytes > limit) throw new OutputTooLarge(`${what} (${bytes} bytes)`, limit);
}

export function readUint32LE(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

export function readInt32LE(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
}

/** Joins the outputs of consecutive members/frames/streams into one buffer (no copy when there is one part). */
export function concatParts(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
