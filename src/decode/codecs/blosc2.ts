/**
 * `blosc2`: one chunk written by the C-Blosc2 chunk API (not a frame or super-chunk), as Reductionist accepts it
 * (API.md §7). A Blosc2 decoder also reads Blosc 1.x chunks, so the decoder is the one `blosc` uses.
 */
import { decodeBloscChunk } from '../blosc-chunk.js';
import type { CodecSpec } from '../codec-spec.js';

export const blosc2: CodecSpec = {
  id: 'blosc2',
  role: 'compression',
  description:
    'one C-Blosc2 chunk (filters shuffle, bitshuffle, delta, bytedelta; special-value chunks); Blosc 1.x too',
  writtenBy: 'python-blosc2 compress/compress2 and super-chunk chunks, Reductionist clients',
  params: [],
  create: () => ({ decode: decodeBloscChunk }),
  isLengthPreserving: () => false,
};
