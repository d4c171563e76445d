/**
 * One Blosc chunk, format versions 1–2 (C-Blosc 1.x, as numcodecs `Blosc` writes it for Zarr v2) and 3–5 (C-Blosc2's
 * chunk API, 32-byte extended header). Ported from the decompression path of C-Blosc 1.21 (blosc.c: blosc_d) and
 * C-Blosc2 (blosc2.c: read_chunk_header, blosc_d, pipeline_backward): the same checks, in JavaScript, with every offset
 * validated before it is read and the decoded size checked against the caller's limit before anything is allocated.
 *
 * Layout: header | bstarts (int32 offset of each block) | blocks. A block is 1 or `typesize` streams (the "split"),
 * each an int32 compressed size plus data; a size equal to the stream length means stored raw, and in Blosc2 a size of
 * 0 is a run of zeros and a negative size with token bit 0 set is a run of the byte -size. Filters (byte shuffle,
 * bit shuffle, delta, …) are undone per block after its streams are decompressed.
 */

import { decodeBloscLz } from './blosclz.js';
import {
  DecodeFailure,
  type DecodeFailure as DecodeFailureType,
  OutputTooLarge,
  readInt32LE,
} from './codec-spec.js';
import { bitUnshuffleBlock } from './codecs/bitshuffle.js';
import { decodeLz4Block } from './codecs/lz4.js';
import { unshuffleInto } from './codecs/shuffle.js';
import { inflateZlib } from './codecs/zlib.js';
import { decodeZstd } from './codecs/zstd.js';

const MIN_HEADER = 16;
const EXTENDED_HEADER = 32;
const MAX_VERSION = 5;
/** C-Blosc 1.x never splits blocks of larger types, nor blocks of fewer than this many elements. */
const MAX_SPLITS = 16;
const MIN_BUFFERSIZE = 128;

const DOSHUFFLE = 0x1;
const MEMCPYED = 0x2;
const DOBITSHUFFLE = 0x4;
const DODELTA = 0x8;
const DONT_SPLIT = 0x10;

// Blosc2 filter ids (blosc2.h) and the bytedelta plugin ids (filters-registry.h).
const NOFILTER = 0;
const SHUFFLE = 1;
const BITSHUFFLE = 2;
const DELTA = 3;
const TRUNC_PREC = 4;
const BYTEDELTA_BUGGY = 34;
const BYTEDELTA = 35;

const SPECIAL_ZERO = 1;
const SPECIAL_NAN = 2;
const SPECIAL_VALUE = 3;
const SPECIAL_UNINIT = 4;

const CODEC_NAMES = [
  'blosclz',
  'lz4',
  'snappy',
  'zlib',
  'zstd',
  'format 5',
  'a user-defined codec',
  'format 7',
];

interface Header {
  version: number;
  flags: number;
  typesize: number;
  nbytes: number;
  blocksize: number;
  cbytes: number;
  isExtended: boolean;
  /** Blosc2 filter pipeline, applied in index order when encoding; undone from index 5 down. */
  filters: number[];
  filtersMeta: number[];
  special: number;
}

function fail(detail: string): DecodeFailureType {
  return new DecodeFailure(`Blosc chunk: ${detail}`);
}

function readHeader(b: Uint8Array): Header {
  if (b.length < MIN_HEADER) throw fail(`${b.length} bytes is shorter than the 16-byte header`);
  const version = b[0]!;
  const flags = b[2]!;
  const typesize = b[3]!;
  const nbytes = readInt32LE(b, 4);
  const blocksize = readInt32LE(b, 8);
  const cbytes = readInt32LE(b, 12);
  if (version === 0 || version > MAX_VERSION)
    throw fail(`format version ${version} is not supported (1 to 5 are)`);
  if (typesize === 0) throw fail('typesize is 0');
  if (nbytes < 0) throw fail(`nbytes ${nbytes} is negative`);
  if (cbytes < MIN_HEADER) throw fail(`cbytes ${cbytes} is smaller than the header`);
  if (cbytes > b.length)
    throw fail(`header says ${cbytes} bytes but only ${b.length} were given (truncated?)`);
  if (nbytes > 0 && (blocksize <= 0 || blocksize > nbytes)) throw fail(`blocksize ${blocksize} is invalid`);
  const isExtended = (flags & DOSHUFFLE) !== 0 && (flags & DOBITSHUFFLE) !== 0;
  const filters = [0, 0, 0, 0, 0, 0];
  const filtersMeta = [0, 0, 0, 0, 0, 0];
  let special = 0;
  if (isExtended) {
    if (cbytes < EXTENDED_HEADER) throw fail(`cbytes ${cbytes} is smaller than the 32-byte extended header`);
    for (let i = 0; i < 6; i++) {
      filters[i] = b[16 + i]!;
      filtersMeta[i] = b[24 + i]!;
    }
    if (version === 3) filters[5] = filtersMeta[5] = 0; // Blosc2 alpha left these uninitialised.
    const flags2 = b[30]!;
    const blosc2Flags = b[31]!;
    if (flags2 & 0x1) throw fail('variable-length blocks (format 6) are not supported');
    if (blosc2Flags & 0x1) throw fail('chunks compressed with a dictionary are not supported');
    if (blosc2Flags & 0x8) throw fail('lazy chunks (stored inside a frame) are not supported');
    special = (blosc2Flags >> 4) & 0x7;
    if (special > SPECIAL_UNINIT) throw fail(`unknown special value type ${special}`);
  } else {
    // Blosc 1.x: filters come from the flags (flags_to_filters in blosc2.c).
    if (flags & DOSHUFFLE) filters[5] = SHUFFLE;
    if (flags & DOBITSHUFFLE) filters[5] = BITSHUFFLE;
    if (flags & DODELTA) filters[4] = DELTA;
  }
  return { version, flags, typesize, nbytes, blocksize, cbytes, isExtended, filters, filtersMeta, special };
}

/** Chunks whose whole content is implied by the header (Blosc2 special values). */
function decodeSpecial(b: Uint8Array, h: Header, out: Uint8Array): void {
  if (h.nbytes % h.typesize !== 0)
    throw fail(`nbytes ${h.nbytes} is not a multiple of typesize ${h.typesize}`);
  switch (h.special) {
    case SPECIAL_ZERO:
    case SPECIAL_UNINIT: // C leaves the memory as it was; zeros are the deterministic choice.
      return;
    case SPECIAL_NAN: {
      if (h.typesize !== 4 && h.typesize !== 8)
        throw fail(`NaN chunks need typesize 4 or 8, got ${h.typesize}`);
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (let at = 0; at < out.length; at += h.typesize) {
        if (h.typesize === 4) view.setFloat32(at, Number.NaN, true);
        else view.setFloat64(at, Number.NaN, true);
      }
      return;
    }
    case SPECIAL_VALUE: {
      if (h.cbytes < EXTENDED_HEADER + h.typesize) throw fail('repeated-value chunk is missing its value');
      const value = b.subarray(EXTENDED_HEADER, EXTENDED_HEADER + h.typesize);
      for (let at = 0; at < out.length; at += h.typesize) out.set(value, at);
      return;
    }
  }
}

function decompressStream(codec: number, src: Uint8Array, dest: Uint8Array): void {
  let produced: number;
  switch (codec) {
    case 0:
      produced = decodeBloscLz(src, dest);
      break;
    case 1:
      produced = decodeLz4Block(src, dest);
      break;
    case 3:
    case 4: {
      const decoded = codec === 3 ? inflateZlib(src, dest.length) : decodeZstd(src, dest.length);
      dest.set(decoded);
      produced = decoded.length;
      break;
    }
    default:
      throw fail(`it uses ${CODEC_NAMES[codec]}, which this server does not support`);
  }
  if (produced !== dest.length) throw fail(`a stream decodes to ${produced} bytes instead of ${dest.length}`);
}

/** Undoes Blosc2's delta filter on one block (delta.c: delta_decoder); block 0 of `out` is the reference. */
function undoDelta(block: Uint8Array, out: Uint8Array, offset: number, typesize: number): void {
  const width =
    typesize === 1 || typesize === 2 || typesize === 4 || typesize === 8 ? typesize : typesize % 8 ? 1 : 8;
  const length = Math.floor(block.length / width) * width;
  if (offset === 0) {
    for (let i = width; i < length; i++) block[i]! ^= block[i - width]!;
  } else {
    for (let i = 0; i < length; i++) block[i]! ^= out[i]!;
  }
}

/** Blosc2's bytedelta plugin: a running byte sum within each of `typesize` byte planes. */
function undoByteDelta(block: Uint8Array, typesize: number, isBuggy: boolean): void {
  const planeLength = Math.floor(block.length / typesize);
  for (let plane = 0; plane < typesize; plane++) {
    const start = plane * planeLength;
    let acc = 0;
    for (let i = 0; i < planeLength; i++) {
      // The original (id 34) encoder restarted the sum for the tail after its last 16-byte SIMD step.
      if (isBuggy && i === planeLength - (planeLength % 16) && planeLength > 15) acc = 0;
      acc = (acc + block[start + i]!) & 255;
      block[start + i] = acc;
    }
  }
}

/** Undoes the filters of one block, from the last applied to the first; returns the buffer holding the result. */
function undoFilters(
  block: Uint8Array,
  scratch: Uint8Array,
  h: Header,
  out: Uint8Array,
  offset: number,
): Uint8Array {
  let cur = block;
  let other = scratch;
  const swap = () => {
    const t = cur;
    cur = other;
    other = t;
  };
  const ts = h.typesize;
  for (let i = 5; i >= 0; i--) {
    const filter = h.filters[i]!;
    const meta = h.filtersMeta[i]!;
    switch (filter) {
      case NOFILTER:
      case TRUNC_PREC: // Precision truncation is lossy and has nothing to undo.
        break;
      case SHUFFLE:
        // Blosc2 records extra shuffle rounds in the filter's meta byte.
        for (let round = 0; round <= (h.isExtended ? meta : 0); round++) {
          unshuffleInto(cur, other, ts, cur.length);
          swap();
        }
        break;
      case BITSHUFFLE: {
        const count = Math.floor(cur.length / ts);
        // Format 2 (C-Blosc 1.x) bit-shuffles a block only when its element count is a multiple of 8; later formats
        // bit-shuffle the largest multiple of 8 and keep the rest as is.
        const shuffled = h.version <= 2 ? (count % 8 === 0 ? count : 0) : count - (count % 8);
        bitUnshuffleBlock(cur, 0, other, 0, shuffled, ts);
        other.set(cur.subarray(shuffled * ts), shuffled * ts);
        swap();
        break;
      }
      case DELTA:
        undoDelta(cur, out, offset, ts);
        break;
      case BYTEDELTA:
      case BYTEDELTA_BUGGY:
        undoByteDelta(cur, meta || ts, filter === BYTEDELTA_BUGGY);
        break;
      default:
        throw fail(`filter ${filter} is not supported`);
    }
  }
  return cur;
}

/**
 * Decodes one Blosc 1.x or Blosc2 chunk. The header's decoded size is checked against `maxOutputBytes` before the
 * output is allocated; bytes after the chunk's `cbytes` are ignored.
 */
export function decodeBloscChunk(b: Uint8Array, maxOutputBytes: number): Uint8Array {
  const h = readHeader(b);
  if (h.nbytes > maxOutputBytes) throw new OutputTooLarge(`Blosc chunk of ${h.nbytes} bytes`, maxOutputBytes);
  const out = new Uint8Array(h.nbytes);
  if (h.nbytes === 0) return out;
  if (h.special !== 0) {
    decodeSpecial(b, h, out);
    return out;
  }
  const headerLength = h.isExtended ? EXTENDED_HEADER : MIN_HEADER;
  if (h.flags & MEMCPYED) {
    if (h.cbytes < headerLength + h.nbytes) throw fail('stored (memcpyed) chunk is shorter than nbytes');
    out.set(b.subarray(headerLength, headerLength + h.nbytes));
    return out;
  }
  const codec = h.flags >> 5;
  if (codec === 2 || codec > 4)
    throw fail(`it uses ${CODEC_NAMES[codec]}, which this server does not support`);
  const nblocks = Math.ceil(h.nbytes / h.blocksize);
  const leftover = h.nbytes % h.blocksize;
  const bstartsEnd = headerLength + 4 * nblocks;
  if (bstartsEnd > h.cbytes)
    throw fail(`the offsets of its ${nblocks} blocks do not fit in ${h.cbytes} bytes`);
  const hasFilters = h.filters.some((f) => f !== NOFILTER && f !== TRUNC_PREC);
  const blockBuffer = hasFilters ? new Uint8Array(h.blocksize) : undefined;
  const scratch = hasFilters ? new Uint8Array(h.blocksize) : undefined;
  const isSplittable = (h.flags & DONT_SPLIT) === 0;
  for (let j = 0; j < nblocks; j++) {
    const isLeftover = j === nblocks - 1 && leftover > 0;
    const bsize = isLeftover ? leftover : h.blocksize;
    const offset = j * h.blocksize;
    // C-Blosc 1.x also refuses to split large types and small blocks (chunks written before the split flag existed).
    const isSplit =
      isSplittable &&
      !isLeftover &&
      (h.isExtended || (h.typesize <= MAX_SPLITS && Math.floor(bsize / h.typesize) >= MIN_BUFFERSIZE));
    const nstreams = isSplit ? h.typesize : 1;
    const neblock = Math.floor(bsize / nstreams);
    if (neblock * nstreams !== bsize)
      throw fail(`block ${j} of ${bsize} bytes cannot be split into ${nstreams} streams`);
    const block = blockBuffer ? blockBuffer.subarray(0, bsize) : out.subarray(offset, offset + bsize);
    let pos = readInt32LE(b, headerLength + 4 * j);
    if (pos < bstartsEnd || pos >= h.cbytes) throw fail(`block ${j} starts at invalid offset ${pos}`);
    for (let s = 0; s < nstreams; s++) {
      if (pos + 4 > h.cbytes) throw fail(`block ${j} is truncated`);
      const size = readInt32LE(b, pos);
      pos += 4;
      const dest = block.subarray(s * neblock, (s + 1) * neblock);
      if (size === 0) {
        dest.fill(0);
      } else if (size < 0) {
        if (pos + 1 > h.cbytes) throw fail(`block ${j} is truncated`);
        const token = b[pos++]!;
        if (!(token & 1) || size < -255) throw fail(`block ${j} has an invalid run-length stream`);
        dest.fill(-size);
      } else {
        if (pos + size > h.cbytes) throw fail(`block ${j} is truncated`);
        const src = b.subarray(pos, pos + size);
        pos += size;
        if (size === neblock) dest.set(src);
        else decompressStream(codec, src, dest);
      }
    }
    if (blockBuffer && scratch)
      out.set(undoFilters(block, scratch.subarray(0, bsize), h, out, offset), offset);
  }
  return out;
}
