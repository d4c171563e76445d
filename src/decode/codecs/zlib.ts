/**
 * `zlib`: an RFC 1950 stream (header, deflate, Adler-32), as HDF5/netCDF4 "deflate" chunks are. Node's zlib verifies
 * the checksum, stops at the end of the stream (so trailing bytes are ignored, API.md §7) and refuses to grow its
 * output past `maxOutputLength`.
 */
import { inflateSync } from 'node:zlib';
import type { CodecSpec } from '../codec-spec.js';
import { inflateBounded } from './gzip.js';

/** Inflates one zlib stream into at most `maxOutputBytes` bytes. Shared with Blosc's internal zlib codec. */
export function inflateZlib(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  return inflateBounded(inflateSync, input, maxOutputBytes);
}

export const zlib: CodecSpec = {
  id: 'zlib',
  role: 'compression',
  description:
    'zlib stream (RFC 1950): deflate with header and Adler-32 checksum; trailing bytes are ignored',
  writtenBy: 'netCDF4 and HDF5 (deflate filter), h5py compression="gzip", numcodecs Zlib',
  params: [],
  create: () => ({ decode: inflateZlib }),
  isLengthPreserving: () => false,
};
