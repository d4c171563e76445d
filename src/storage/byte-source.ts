/**
 * The storage contract: read one byte range of one object. Implementations (s3.ts, http.ts, file.ts) and wrappers
 * (allow-list, cache, limits) all have this shape, so a wrapper is testable alone.
 */
import type { ByteRange, Credentials, Location } from '../request/chunk-request.js';

export interface ReadRequest {
  location: Location;
  range: ByteRange;
  credentials: Credentials | undefined;
  /** Aborted when the client goes away or the server deadline passes. */
  signal: AbortSignal;
}

export interface ByteSource {
  /**
   * Resolves with exactly the requested bytes (`range.size` of them when given, else everything from
   * `range.offset` to the end of the object), or rejects with an `ActiveStorageError` whose code classifies the
   * upstream failure (API.md §9).
   */
  read(req: ReadRequest): Promise<Uint8Array>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
