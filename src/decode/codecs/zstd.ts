/**
 * `zstd`: one or more Zstandard frames (numcodecs Zstd, HDF5 filter 32015, Zarr v3 zstd), skippable frames allowed.
 *
 * Decoding is fzstd (pure JavaScript, by the fflate author): Node 20 has no zstd, and the WebAssembly ports either
 * allocate the size a frame header claims or hide the error codes. fzstd would also trust the header, so each frame is
 * walked here first (header and block sizes, no decoding) and its declared size checked against the limit before
 * fzstd allocates anything. Content checksums are skipped, not verified (fzstd does not implement XXH64).
 */
import { Decompress, decompress } from 'fzstd';
import {
  type CodecSpec,
  checkOutputSize,
  concatParts,
  DecodeFailure,
  OutputTooLarge,
  readUint32LE,
} from '../codec-spec.js';

const FRAME_MAGIC = 0xfd2fb528;
const MAX_BLOCK = 128 * 1024;
/** Window fzstd may allocate for a frame without a content size, even when the limit is smaller. */
const MIN_WINDOW_ALLOWANCE = 8 * 1024 * 1024;

interface Frame {
  start: number;
  end: number;
  /** Declared decoded size, when the frame header has one. */
  contentSize: number | undefined;
  windowSize: number;
}

function readLE(b: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
  return v;
}

/** Finds the frames of `b` (RFC 8878 §3.1) without decoding them. */
function walkFrames(b: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  let pos = 0;
  while (pos < b.length) {
    if (b.length - pos < 4) throw new DecodeFailure(`Zstandard data is truncated at byte ${pos}`);
    const magic = readUint32LE(b, pos);
    if (magic >>> 4 === 0x184d2a5) {
      if (b.length - pos < 8) throw new DecodeFailure('Zstandard skippable frame is truncated');
      pos += 8 + readUint32LE(b, pos + 4);
      if (pos > b.length) throw new DecodeFailure('Zstandard skippable frame is truncated');
      continue;
    }
    if (magic !== FRAME_MAGIC) {
      throw new DecodeFailure(
        pos === 0
          ? 'not a Zstandard frame (bad magic number)'
          : `unexpected data after the Zstandard frame ending at byte ${pos}`,
      );
    }
    frames.push(walkFrame(b, pos));
    pos = frames[frames.length - 1]!.end;
  }
  if (frames.length === 0) throw new DecodeFailure('no Zstandard frame in the data');
  return frames;
}

function walkFrame(b: Uint8Array, start: number): Frame {
  const truncated = () => new DecodeFailure(`Zstandard frame at byte ${start} is truncated`);
  if (b.length - start < 6) throw truncated();
  const descriptor = b[start + 4]!;
  if (descriptor & 8) throw new DecodeFailure('Zstandard frame header has the reserved bit set');
  const isSingleSegment = (descriptor >> 5) & 1;
  const hasChecksum = (descriptor >> 2) & 1;
  const dictIdSize = [0, 1, 2, 4][descriptor & 3]!;
  const fcsFlag = descriptor >> 6;
  const fcsSize = fcsFlag === 0 ? isSingleSegment : [0, 2, 4, 8][fcsFlag]!;
  let p = start + 5;
  let windowSize = 0;
  if (!isSingleSegment) {
    const wd = b[p++]!;
    const base = 2 ** (10 + (wd >> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  if (p + dictIdSize + fcsSize > b.length) throw truncated();
  const dictId = readLE(b, p, dictIdSize);
  if (dictId !== 0)
    throw new DecodeFailure(`Zstandard frame needs dictionary ${dictId}, which is not available`);
  p += dictIdSize;
  let contentSize: number | undefined;
  if (fcsSize > 0) contentSize = readLE(b, p, fcsSize) + (fcsSize === 2 ? 256 : 0);
  p += fcsSize;
  if (isSingleSegment) windowSize = contentSize ?? 0;
  // Raw and RLE blocks state their decoded size: more than the declared content size means a corrupt frame.
  let statedBytes = 0;
  for (;;) {
    if (p + 3 > b.length) throw truncated();
    const header = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    p += 3;
    if (type === 3) throw new DecodeFailure('Zstandard block has the reserved block type');
    if (size > MAX_BLOCK)
      throw new DecodeFailure(`Zstandard block of ${size} bytes exceeds the 128 KiB maximum`);
    p += type === 1 ? 1 : size;
    if (p > b.length) throw truncated();
    if (type !== 2) statedBytes += size;
    if (header & 1) break;
  }
  if (hasChecksum) p += 4;
  if (p > b.length) throw truncated();
  if (contentSize !== undefined && statedBytes > contentSize) {
    throw new DecodeFailure(`Zstandard frame blocks hold more than its declared ${contentSize} bytes`);
  }
  return { start, end: p, contentSize, windowSize };
}

function decodeFrame(frame: Uint8Array, info: Frame, limit: number): Uint8Array {
  if (info.contentSize !== undefined) {
    checkOutputSize(info.contentSize, limit, 'Zstandard frame content size');
    // The frame declares its size, so fzstd decodes straight into one buffer of exactly that size.
    return decompress(frame);
  }
  if (info.windowSize > Math.max(limit, MIN_WINDOW_ALLOWANCE)) {
    throw new OutputTooLarge(
      `Zstandard window of ${info.windowSize} bytes`,
      Math.max(limit, MIN_WINDOW_ALLOWANCE),
    );
  }
  // No declared size: stream block by block and stop as soon as the output passes the limit.
  const parts: Uint8Array[] = [];
  let total = 0;
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    if (total > limit) throw new OutputTooLarge('decompressed data', limit);
    parts.push(chunk);
  });
  stream.push(frame, true);
  return concatParts(parts, total);
}

/** Decodes every frame of `input` into at most `maxOutputBytes` bytes. Shared with Blosc's internal zstd codec. */
export function decodeZstd(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  const frames = walkFrames(input);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const info of frames) {
    let out: Uint8Array;
    try {
      out = decodeFrame(input.subarray(info.start, info.end), info, maxOutputBytes - total);
    } catch (err) {
      if (err instanceof DecodeFailure) throw err;
      throw new DecodeFailure(
        `Zstandard data is corrupt: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      );
    }
    total += out.length;
    if (total > maxOutputBytes) throw new OutputTooLarge('decompressed data', maxOutputBytes);
    parts.push(out);
  }
  return concatParts(parts, total);
}

export const zstd: CodecSpec = {
  id: 'zstd',
  role: 'compression',
  description: 'one or more Zstandard frames (skippable frames ignored; content checksums not verified)',
  writtenBy: 'numcodecs Zstd (Zarr v2 "zstd"), Zarr v3 zstd codec, HDF5 filter 32015 (hdf5plugin Zstd)',
  params: [],
  create: () => ({ decode: decodeZstd }),
  isLengthPreserving: () => false,
};
