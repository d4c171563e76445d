/**
 * `shuffle` (and its alias `shuffle_simd`): the HDF5/numcodecs byte shuffle. Stored bytes are `element_size` planes —
 * every element's first byte, then every element's second byte, … — and decoding interleaves them back (API.md §7
 * step 4). The input length must be a multiple of `element_size` (Reductionist crashes otherwise; we answer 400).
 */
import type { CodecSpec } from '../codec-spec.js';
import { DecodeFailure } from '../codec-spec.js';
import type { CodecConfig } from '../registry.js';

/**
 * Writes the unshuffled form of `src[0, length)` into `dest`: `count = floor(length / size)` elements are interleaved
 * and the `length mod size` trailing bytes are copied unchanged (Blosc's convention for block leftovers).
 */
export function unshuffleInto(src: Uint8Array, dest: Uint8Array, size: number, length: number): void {
  const count = Math.floor(length / size);
  if (size === 1 || count === 0) {
    dest.set(src.subarray(0, length));
    return;
  }
  for (let j = 0; j < size; j++) {
    const plane = j * count;
    for (let i = 0, o = j; i < count; i++, o += size) dest[o] = src[plane + i]!;
  }
  const done = count * size;
  if (done < length) dest.set(src.subarray(done, length), done);
}

function requireElementSize(config: CodecConfig): number {
  const size = config.elementSize;
  if (size === undefined) throw new DecodeFailure(`${config.id} needs element_size`);
  return size;
}

export const shuffle: CodecSpec = {
  id: 'shuffle',
  role: 'filter',
  description: 'HDF5 byte shuffle: undoes the split of elements of element_size bytes into byte planes',
  writtenBy: 'netCDF4 (shuffle=True), h5py shuffle=True, numcodecs Shuffle',
  params: [
    {
      wire: 'element_size',
      key: 'elementSize',
      kind: 'positive-integer',
      required: true,
      description: 'bytes per element as shuffled; need not equal the dtype size',
    },
  ],
  create(config, ctx) {
    const size = requireElementSize(config);
    return {
      decode(input) {
        if (input.length % size !== 0 && !ctx.hasTrailingChecksum) {
          throw new DecodeFailure(`input length ${input.length} is not a multiple of element_size ${size}`);
        }
        if (size === 1) return input;
        const out = new Uint8Array(input.length);
        unshuffleInto(input, out, size, input.length);
        return out;
      },
    };
  },
  isLengthPreserving: () => true,
};
