/**
 * `bitshuffle` [ext]: the bitshuffle library's layout (HDF5 filter 32008 without compression, no header), API.md §10.2.
 * Data is cut into blocks of `block_size` elements; within a block of b elements, stored byte
 * `(8j + k)·(b/8) + ⌊i/8⌋`, bit `i mod 8`, holds bit k of byte j of element i. Blosc's internal bit-shuffle is the
 * same transform applied to a whole Blosc block (decode/blosc-chunk.ts).
 */
import type { CodecSpec } from '../codec-spec.js';
import { DecodeFailure } from '../codec-spec.js';

// SPREAD_LO[x] puts bit t of x (t < 4) at bit 8t; SPREAD_HI does the same for bits 4..7. OR-ing SPREAD[x_k] << k for
// the 8 stored bytes x_k of one 8-element group transposes that 8×8 bit matrix in two 32-bit words.
const SPREAD_LO = new Uint32Array(256);
const SPREAD_HI = new Uint32Array(256);
for (let x = 0; x < 256; x++) {
  let lo = 0;
  let hi = 0;
  for (let t = 0; t < 4; t++) {
    if (x & (1 << t)) lo |= 1 << (8 * t);
    if (x & (1 << (t + 4))) hi |= 1 << (8 * t);
  }
  SPREAD_LO[x] = lo >>> 0;
  SPREAD_HI[x] = hi >>> 0;
}

/**
 * Undoes the bit transpose of one block of `count` elements (a multiple of 8) of `size` bytes each, reading
 * `src[srcAt, srcAt + count·size)` and writing `dest[destAt, …)`.
 */
export function bitUnshuffleBlock(
  src: Uint8Array,
  srcAt: number,
  dest: Uint8Array,
  destAt: number,
  count: number,
  size: number,
): void {
  const groups = count >>> 3;
  for (let j = 0; j < size; j++) {
    const rowBase = srcAt + 8 * j * groups;
    for (let g = 0; g < groups; g++) {
      let lo = 0;
      let hi = 0;
      for (let k = 0, s = rowBase + g; k < 8; k++, s += groups) {
        const x = src[s]!;
        lo |= SPREAD_LO[x]! << k;
        hi |= SPREAD_HI[x]! << k;
      }
      let o = destAt + 8 * g * size + j;
      for (let t = 0; t < 32; t += 8, o += size) dest[o] = (lo >>> t) & 255;
      for (let t = 0; t < 32; t += 8, o += size) dest[o] = (hi >>> t) & 255;
    }
  }
}

/** The bitshuffle library's default block size in elements (BSHUF_TARGET_BLOCK_SIZE_B / size, rounded to 8). */
export function defaultBitshuffleBlock(size: number): number {
  return Math.max(128, Math.floor(8192 / size / 8) * 8);
}

export function bitUnshuffle(input: Uint8Array, size: number, blockSize: number): Uint8Array {
  if (input.length % size !== 0) {
    throw new DecodeFailure(`input length ${input.length} is not a multiple of element_size ${size}`);
  }
  const n = input.length / size;
  const out = new Uint8Array(input.length);
  const full = Math.floor(n / blockSize);
  const blockBytes = blockSize * size;
  for (let b = 0; b < full; b++)
    bitUnshuffleBlock(input, b * blockBytes, out, b * blockBytes, blockSize, size);
  const rest = n - full * blockSize;
  const last = rest - (rest % 8);
  const at = full * blockBytes;
  if (last > 0) bitUnshuffleBlock(input, at, out, at, last, size);
  // The final `rest mod 8` elements are stored unchanged.
  out.set(input.subarray(at + last * size), at + last * size);
  return out;
}

export const bitshuffle: CodecSpec = {
  id: 'bitshuffle',
  role: 'filter',
  description:
    'bitshuffle library bit transpose in blocks (HDF5 filter 32008 layout without compression or header)',
  writtenBy: 'numcodecs/hdf5plugin Bitshuffle with no compression, bitshuffle.bitshuffle()',
  params: [
    {
      wire: 'element_size',
      key: 'elementSize',
      kind: 'positive-integer',
      required: true,
      description: 'bytes per element',
    },
    {
      wire: 'block_size',
      key: 'blockSize',
      kind: 'bitshuffle-block',
      required: false,
      description:
        'elements per block, a multiple of 8; absent or 0 = max(128, floor(8192 / element_size / 8) * 8)',
    },
  ],
  create(config) {
    const size = config.elementSize;
    if (size === undefined) throw new DecodeFailure('bitshuffle needs element_size');
    const blockSize = config.blockSize || defaultBitshuffleBlock(size);
    return { decode: (input) => bitUnshuffle(input, size, blockSize) };
  },
  isLengthPreserving: () => true,
};
