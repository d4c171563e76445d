/**
 * BloscLZ decoder: the format of blosclz_decompress in C-Blosc 1.x and C-Blosc2 (blosc/blosclz.c, a FastLZ level-1
 * derivative). No maintained JavaScript decoder exists, so this is the smallest faithful port, with every bound checked.
 *
 * The stream is a sequence of instructions; the low 5 bits of the first byte start it (the top 3 are a level marker).
 *   ctrl < 32:  copy ctrl + 1 literal bytes.
 *   ctrl >= 32: match of (ctrl >> 5) + 2 bytes (7 means "add following bytes until one is not 255"), from distance
 *               ((ctrl & 31) << 8) + next byte + 1 back in the output; if that byte is 255 and ctrl & 31 is 31, two
 *               more bytes give a big-endian 16-bit distance added to 8191 (MAX_DISTANCE) instead.
 */
import { DecodeFailure } from './codec-spec.js';

const MAX_DISTANCE = 8191;

/** Decodes `src` into `out` (whose length is the exact expected size); returns the number of bytes produced. */
export function decodeBloscLz(src: Uint8Array, out: Uint8Array): number {
  const end = src.length;
  const outEnd = out.length;
  if (end === 0) return 0;
  let ip = 0;
  let op = 0;
  let ctrl = src[ip++]! & 31;
  for (;;) {
    if (ctrl >= 32) {
      let length = (ctrl >>> 5) - 1;
      let distance = (ctrl & 31) << 8;
      if (length === 6) {
        let code: number;
        do {
          if (ip >= end) throw new DecodeFailure('BloscLZ stream is truncated (match length)');
          code = src[ip++]!;
          length += code;
        } while (code === 255);
      }
      if (ip >= end) throw new DecodeFailure('BloscLZ stream is truncated (match distance)');
      const code = src[ip++]!;
      if (code === 255 && distance === 31 << 8) {
        if (ip + 2 > end) throw new DecodeFailure('BloscLZ stream is truncated (far distance)');
        distance = ((src[ip]! << 8) | src[ip + 1]!) + MAX_DISTANCE;
        ip += 2;
      } else {
        distance += code;
      }
      length += 3;
      const from = op - distance - 1;
      if (op + length > outEnd) throw new DecodeFailure('BloscLZ stream decodes to more bytes than expected');
      if (from < 0)
        throw new DecodeFailure(`BloscLZ match distance ${distance + 1} is beyond the start of the output`);
      if (distance + 1 >= length) {
        out.copyWithin(op, from, from + length);
        op += length;
      } else {
        // Overlapping match (distance 0 is a run of the previous byte): copy forward one byte at a time.
        for (let f = from, stop = op + length; op < stop; ) out[op++] = out[f++]!;
      }
    } else {
      const count = ctrl + 1;
      if (op + count > outEnd) throw new DecodeFailure('BloscLZ stream decodes to more bytes than expected');
      if (ip + count > end) throw new DecodeFailure('BloscLZ stream is truncated (literals)');
      out.set(src.subarray(ip, ip + count), op);
      ip += count;
      op += count;
    }
    if (ip >= end) return op;
    ctrl = src[ip++]!;
  }
}
