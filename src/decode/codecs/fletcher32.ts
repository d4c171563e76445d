/**
 * `fletcher32` [ext]: HDF5's Fletcher-32 checksum (filter 3, numcodecs Fletcher32), API.md §10.2. The last 4 stored
 * bytes are a little-endian checksum of the bytes before them; decoding verifies it and strips it. The pipeline runs it
 * first, on the fetched bytes, wherever it sits in the list (h5py writes it after compression); if that fails, at its
 * own place in the list (netCDF-C writes it before shuffle and deflate), see decode/chain.ts.
 */
import type { CodecSpec } from '../codec-spec.js';
import { CHECKSUM_MISMATCH, DecodeFailure, readUint32LE } from '../codec-spec.js';

/** H5_checksum_fletcher32: big-endian 16-bit words, sums folded every 360 words. */
export function fletcher32(data: Uint8Array): number {
  const words = data.length >>> 1;
  let sum1 = 0;
  let sum2 = 0;
  let i = 0;
  let left = words;
  while (left > 0) {
    const run = Math.min(left, 360);
    left -= run;
    for (let k = 0; k < run; k++, i += 2) {
      sum1 += (data[i]! << 8) | data[i + 1]!;
      // uint32 arithmetic as in C: with all-0xffff words sum2 can pass 2^32 within a 360-word run.
      sum2 = (sum2 + sum1) >>> 0;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (data.length & 1) {
    sum1 += data[data.length - 1]! << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return ((sum2 << 16) | sum1) >>> 0;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** Verifies and strips the trailing checksum; returns a view of `input` without it. */
export function verifyFletcher32(input: Uint8Array): Uint8Array {
  if (input.length < 4) {
    throw new DecodeFailure(`stored data (${input.length} bytes) is shorter than the 4-byte checksum`);
  }
  const body = input.subarray(0, input.length - 4);
  const stored = readUint32LE(input, input.length - 4);
  const computed = fletcher32(body);
  // HDF5 before 1.6.3 wrote the checksum with the bytes of each 16-bit half swapped; HDF5 still accepts that form.
  const swapped = (((computed & 0x00ff00ff) << 8) | ((computed >>> 8) & 0x00ff00ff)) >>> 0;
  if (stored !== computed && stored !== swapped) {
    throw new DecodeFailure(`stored checksum ${hex(stored)} does not match computed ${hex(computed)}`, {
      headline: CHECKSUM_MISMATCH,
    });
  }
  return body;
}

export const fletcher32Filter: CodecSpec = {
  id: 'fletcher32',
  role: 'filter',
  description:
    'HDF5 Fletcher-32 checksum: verified and stripped first, wherever it is in the list; at most one',
  writtenBy: 'netCDF4 (fletcher32=True), h5py fletcher32=True, numcodecs Fletcher32',
  params: [],
  create: () => ({ decode: verifyFletcher32, inputBound: (outputBytes) => outputBytes + 4 }),
  isLengthPreserving: () => false,
};
