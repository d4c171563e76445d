/**
 * `bz2`: bzip2 streams (numcodecs BZ2). Decoded with seek-bzip (pure JavaScript, CRC-checked), one stream at a time
 * so the output can be capped byte by byte. Like Python's bz2.decompress (what numcodecs calls), consecutive streams
 * are concatenated and anything after the last stream that decodes is ignored.
 */
import Bunzip from 'seek-bzip';
import { type CodecSpec, concatParts, DecodeFailure, OutputTooLarge } from '../codec-spec.js';

class ByteReader {
  pos: number;

  constructor(
    private readonly data: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  readByte(): number {
    if (this.pos >= this.data.length) throw new DecodeFailure('bzip2 data is truncated');
    return this.data[this.pos++]!;
  }

  read(buffer: Uint8Array, offset: number, length: number): number {
    const n = Math.min(length, this.data.length - this.pos);
    if (n <= 0) return -1;
    buffer.set(this.data.subarray(this.pos, this.pos + n), offset);
    this.pos += n;
    return n;
  }

  eof(): boolean {
    return this.pos >= this.data.length;
  }

  seek(pos: number): void {
    this.pos = pos;
  }
}

/** Collects output, growing geometrically but never past `limit`. */
class CappedWriter {
  buf: Uint8Array;
  length = 0;

  constructor(
    private readonly limit: number,
    initial: number,
  ) {
    this.buf = new Uint8Array(Math.min(limit, initial));
  }

  writeByte(byte: number): void {
    if (this.length === this.buf.length) {
      if (this.length >= this.limit) throw new OutputTooLarge('decompressed data', this.limit);
      const grown = new Uint8Array(Math.min(this.limit, Math.max(4096, this.buf.length * 2)));
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.length++] = byte;
  }
}

function decodeStream(input: Uint8Array, start: number, limit: number): { out: Uint8Array; end: number } {
  const reader = new ByteReader(input, start);
  const writer = new CappedWriter(limit, Math.max(64 * 1024, (input.length - start) * 4));
  try {
    Bunzip.decode(reader, writer, false);
  } catch (err) {
    if (err instanceof DecodeFailure) throw err;
    throw new DecodeFailure(`bzip2 data is corrupt: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  return { out: writer.buf.subarray(0, writer.length), end: reader.pos };
}

function decodeBz2(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  const first = decodeStream(input, 0, maxOutputBytes);
  const parts = [first.out];
  let total = first.out.length;
  let pos = first.end;
  while (
    input.length - pos >= 4 &&
    input[pos] === 0x42 &&
    input[pos + 1] === 0x5a &&
    input[pos + 2] === 0x68
  ) {
    let next: { out: Uint8Array; end: number };
    try {
      next = decodeStream(input, pos, maxOutputBytes - total);
    } catch (err) {
      if (err instanceof OutputTooLarge) throw err;
      break;
    }
    parts.push(next.out);
    total += next.out.length;
    pos = next.end;
  }
  return concatParts(parts, total);
}

export const bz2: CodecSpec = {
  id: 'bz2',
  role: 'compression',
  description: 'bzip2 stream(s); bytes after the last stream that decodes are ignored',
  writtenBy: 'numcodecs BZ2 (Zarr v2 "bz2")',
  params: [],
  create: () => ({ decode: decodeBz2 }),
  isLengthPreserving: () => false,
};
