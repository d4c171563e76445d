/**
 * `gzip`: RFC 1952. Consecutive members are decoded and concatenated; bytes after the last complete member are ignored
 * (API.md §7). Node's own gunzip rejects trailing garbage, so members are walked here: header parsed by hand, deflate
 * body inflated by Node's zlib (which reports how many input bytes it consumed), CRC-32 and length trailer checked.
 */
import { kMaxLength } from 'node:buffer';
import { inflateRawSync, type ZlibOptions } from 'node:zlib';
import { type CodecSpec, concatParts, DecodeFailure, OutputTooLarge, readUint32LE } from '../codec-spec.js';

type SyncInflate = (buf: Uint8Array, options: ZlibOptions) => Buffer;

/** Runs one of Node's synchronous inflaters with an output cap, translating its errors into ours. */
export function inflateBounded(inflate: SyncInflate, input: Uint8Array, maxOutputBytes: number): Uint8Array {
  // Node requires maxOutputLength in [1, kMaxLength]; a limit of 0 is enforced by the length check below.
  const cap = Math.min(Math.max(maxOutputBytes, 1), kMaxLength);
  let out: Buffer;
  try {
    out = inflate(input, { maxOutputLength: cap });
  } catch (err) {
    throw translateZlibError(err, maxOutputBytes);
  }
  if (out.length > maxOutputBytes) throw new OutputTooLarge('decompressed data', maxOutputBytes);
  return out;
}

function translateZlibError(err: unknown, maxOutputBytes: number): DecodeFailure {
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') return new OutputTooLarge('decompressed data', maxOutputBytes);
  const message = err instanceof Error ? err.message : String(err);
  return new DecodeFailure(message, { cause: err });
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as gzip uses); Node 20.10 has no zlib.crc32. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

/** Input ended inside a member: for any member after the first, that member is "not complete" and is ignored. */
class Truncated extends DecodeFailure {}

/** Returns the offset of the deflate data of the member starting at `pos`. */
function skipHeader(b: Uint8Array, pos: number): number {
  if (b.length - pos < 10) throw new Truncated('gzip header is truncated');
  if (b[pos] !== 0x1f || b[pos + 1] !== 0x8b) throw new DecodeFailure('not a gzip member (bad magic bytes)');
  if (b[pos + 2] !== 8) throw new DecodeFailure(`unknown gzip compression method ${b[pos + 2]}`);
  const flags = b[pos + 3]!;
  if (flags & 0xe0) throw new DecodeFailure('reserved gzip header flags are set');
  let p = pos + 10;
  if (flags & FEXTRA) {
    if (p + 2 > b.length) throw new Truncated('gzip header is truncated');
    p += 2 + (b[p]! | (b[p + 1]! << 8));
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    while (p < b.length && b[p] !== 0) p++;
    p++;
  }
  if (flags & FHCRC) p += 2;
  if (p > b.length) throw new Truncated('gzip header is truncated');
  return p;
}

function isTruncation(err: unknown): boolean {
  return err instanceof Truncated || (err as { code?: unknown }).code === 'Z_BUF_ERROR';
}

/** Decodes one member at `pos`; returns its output and the offset just past its trailer. */
function decodeMember(b: Uint8Array, pos: number, maxOutputBytes: number): { out: Uint8Array; end: number } {
  const start = skipHeader(b, pos);
  const cap = Math.min(Math.max(maxOutputBytes, 1), kMaxLength);
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    result = inflateRawSync(b.subarray(start), {
      maxOutputLength: cap,
      info: true,
    }) as unknown as typeof result;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'Z_BUF_ERROR') throw new Truncated('deflate data is truncated');
    throw translateZlibError(err, maxOutputBytes);
  }
  const out = result.buffer;
  if (out.length > maxOutputBytes) throw new OutputTooLarge('decompressed data', maxOutputBytes);
  const trailer = start + result.engine.bytesWritten;
  if (trailer + 8 > b.length) throw new Truncated('gzip trailer (CRC-32 and length) is truncated');
  if (readUint32LE(b, trailer) !== crc32(out)) throw new DecodeFailure('gzip CRC-32 mismatch');
  if (readUint32LE(b, trailer + 4) !== out.length % 2 ** 32) throw new DecodeFailure('gzip length mismatch');
  return { out, end: trailer + 8 };
}

export function gunzipMembers(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  const first = decodeMember(input, 0, maxOutputBytes);
  const parts = [first.out];
  let total = first.out.length;
  let pos = first.end;
  // Later members are decoded while they are complete; anything that does not start like a member, or ends early, is
  // trailing data. A member that is complete but corrupt is still an error.
  while (input.length - pos >= 18 && input[pos] === 0x1f && input[pos + 1] === 0x8b) {
    let member: { out: Uint8Array; end: number };
    try {
      member = decodeMember(input, pos, maxOutputBytes - total);
    } catch (err) {
      if (isTruncation(err)) break;
      throw err;
    }
    parts.push(member.out);
    total += member.out.length;
    pos = member.end;
  }
  return concatParts(parts, total);
}

export const gzip: CodecSpec = {
  id: 'gzip',
  role: 'compression',
  description:
    'gzip (RFC 1952); consecutive members are concatenated, bytes after the last complete member ignored',
  writtenBy: 'numcodecs GZip (Zarr v2 "gzip"), Zarr v3 gzip codec',
  params: [],
  create: () => ({ decode: gunzipMembers }),
  isLengthPreserving: () => false,
};
