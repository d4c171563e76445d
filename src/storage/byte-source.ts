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

/**
 * Where a streamed body goes. The consumer owns the memory reads land in, so bytes can be reduced while they are
 * still in cache and the body never exists whole.
 */
export interface BodySink {
  /** Memory for the next read: the transport fills a prefix of it (at most its length), then calls `filled`. */
  readBuffer(): Uint8Array;
  /** The first `n` bytes of the last `readBuffer()` are the next body bytes. */
  filled(n: number): void;
  /** Body bytes that arrived elsewhere (with the response headers); valid only during the call. */
  write(bytes: Uint8Array): void;
}

/** Called once the body's length is known, before any of it is delivered; may throw to refuse it. */
export type OpenSink = (length: number) => BodySink;

export interface ByteSource {
  /**
   * Resolves with exactly the requested bytes (`range.size` of them when given, else everything from
   * `range.offset` to the end of the object), or rejects with an `ActiveStorageError` whose code classifies the
   * upstream failure (API.md §9).
   */
  read(req: ReadRequest): Promise<Uint8Array>;
  /**
   * Streams exactly the requested bytes through `open(length)`'s sink, following redirects; rejects like `read`
   * (an error status is an `ActiveStorageError`). Resolves false, before any sink was opened, when the transport
   * cannot stream this read (https, an answer only the general client should judge): the caller then uses `read`.
   * Optional: sources that only read whole (files, test doubles) leave it out.
   */
  stream?(req: ReadRequest, open: OpenSink): Promise<boolean>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
