/**
 * `lz4`: numcodecs framing — a 4-byte little-endian decoded length, then one raw LZ4 block (API.md §10.1).
 *
 * The block decoder is written here: the npm LZ4 packages either decode only the frame format or the size-prefixed
 * form into a buffer sized by the (untrusted) prefix (lz4-napi, lz4-wasm), or write without bounds checks and are
 * unmaintained (lz4js). Blosc's internal LZ4/LZ4HC streams are raw blocks too and need an exact output size.
 */
import { type CodecSpec, checkOutputSize, DecodeFailure, readUint32LE } from '../codec-spec.js';

/**
 * Decodes one raw LZ4 block (https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md) into `out[0..)`, never
 * writing past `out.length`. Returns the number of bytes produced.
 */
export function decodeLz4Block(src: Uint8Array, out: Uint8Array): number {
  const end = src.length;
  const outEnd = out.length;
  if (end === 0) throw new DecodeFailure('LZ4 block is empty');
  let ip = 0;
  let op = 0;
  for (;;) {
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (ip >= end) throw new DecodeFailure('LZ4 block is truncated (literal length)');
        b = src[ip++]!;
        literals += b;
      } while (b === 255);
    }
    if (ip + literals > end) throw new DecodeFailure('LZ4 block is truncated (literals)');
    if (op + literals > outEnd) throw new DecodeFailure('LZ4 block decodes to more bytes than expected');
    out.set(src.subarray(ip, ip + literals), op);
    ip += literals;
    op += literals;
    // The last sequence has literals only.
    if (ip === end) return op;
    if (ip + 2 > end) throw new DecodeFailure('LZ4 block is truncated (match offset)');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op) throw new DecodeFailure(`LZ4 match offset ${offset} is out of range`);
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (ip >= end) throw new DecodeFailure('LZ4 block is truncated (match length)');
        b = src[ip++]!;
        length += b;
      } while (b === 255);
    }
    length += 4;
    if (op + length > outEnd) throw new DecodeFailure('LZ4 block decodes to more bytes than expected');
    let from = op - offset;
    if (offset >= length) {
      out.copyWithin(op, from, from + length);
      op += length;
    } else {
      // Overlapping match: later bytes repeat earlier output, so copy forward one byte at a time.
      const stop = op + length;
      while (op < stop) out[op++] = out[from++]!;
    }
    if (ip >= end) throw new DecodeFailure('LZ4 block ends with a match instead of literals');
  }
}

function decodeNumcodecsLz4(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  if (input.length < 4) throw new DecodeFailure('LZ4 data is shorter than its 4-byte length header');
  const declared = readUint32LE(input, 0);
  // numcodecs stores the length as a signed int32 and rejects negative values.
  if (declared > 0x7fffffff) throw new DecodeFailure(`LZ4 length header ${declared} is invalid`);
  checkOutputSize(declared, maxOutputBytes, 'LZ4 length header');
  const out = new Uint8Array(declared);
  const produced = decodeLz4Block(input.subarray(4), out);
  if (produced !== declared) {
    throw new DecodeFailure(`LZ4 block decodes to ${produced} bytes, its header says ${declared}`);
  }
  return out;
}

export const lz4: CodecSpec = {
  id: 'lz4',
  role: 'compression',
  description: 'numcodecs LZ4: 4-byte little-endian decoded length, then one raw LZ4 block',
  writtenBy: 'numcodecs LZ4 (Zarr v2 "lz4")',
  params: [],
  create: () => ({ decode: decodeNumcodecsLz4 }),
  isLengthPreserving: () => false,
};
