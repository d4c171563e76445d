/**
 * `blosc` [ext]: one Blosc 1.x chunk as numcodecs `Blosc` writes it (the Zarr v2 default codec), API.md §10.1: inner
 * codecs blosclz, lz4, lz4hc, zlib and zstd, the internal byte- and bit-shuffle flags, stored (memcpyed) chunks, split
 * streams. Blosc2 chunks are accepted too; the decoder is shared with `blosc2` (decode/blosc-chunk.ts).
 */
import { decodeBloscChunk } from '../blosc-chunk.js';
import type { CodecSpec } from '../codec-spec.js';

export const blosc: CodecSpec = {
  id: 'blosc',
  role: 'compression',
  description:
    'one Blosc 1.x chunk (blosclz, lz4, lz4hc, zlib or zstd inside; byte/bit shuffle flags honoured)',
  writtenBy: 'numcodecs Blosc (Zarr v2 default), Zarr v3 blosc codec, HDF5 filter 32001 (hdf5plugin Blosc)',
  params: [],
  create: () => ({ decode: decodeBloscChunk }),
  isLengthPreserving: () => false,
};
