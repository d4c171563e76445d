/** The v1 response: the result bytes as the body, described by `x-activestorage-*` headers (API.md §3). */
import type { OpResult } from '../request/chunk-request.js';

export interface V1Response {
  headers: Record<string, string>;
  body: Uint8Array;
}

export function encodeV1Response(result: OpResult): V1Response {
  return {
    headers: {
      'content-type': 'application/octet-stream',
      'x-activestorage-dtype': result.dtype,
      // Compact JSON, always arrays: clients parse these headers with a JSON parser.
      'x-activestorage-shape': JSON.stringify(result.shape),
      'x-activestorage-count': JSON.stringify(result.counts),
      'x-activestorage-byte-order': 'little',
    },
    body: result.bytes,
  };
}
