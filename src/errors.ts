/**
 * Every failure the server can report, typed once. Stages throw `ActiveStorageError`; foreign errors (zlib, undici,
 * the S3 store) are translated where they enter. `http/error-response.ts` is the only place that maps a code to an
 * HTTP status.
 */
export type ErrorCode =
  /** A request body or field broke a rule of API.md §2/§3/§6. */
  | 'INVALID_REQUEST'
  /** The JSON body exceeds the configured size limit. */
  | 'BODY_TOO_LARGE'
  /** `/v{1,2}/{op}` with an op that is not in the op table. */
  | 'UNSUPPORTED_OPERATION'
  /** A path that is not a route. */
  | 'ROUTE_NOT_FOUND'
  /** A known route called with the wrong method. */
  | 'METHOD_NOT_ALLOWED'
  /** Stored bytes could not be decoded (corrupt stream, checksum mismatch, bad length). */
  | 'DECODE_FAILED'
  /** The object or bucket does not exist upstream (S3 NoSuchKey, NoSuchBucket, InvalidObjectState; HTTP 404/410). */
  | 'UPSTREAM_NOT_FOUND'
  /** The byte range cannot be read (S3 InvalidRange, HTTP 416, short read) or the upstream refused the request as
   * malformed (other HTTP 4xx). */
  | 'UPSTREAM_BAD_REQUEST'
  /** The upstream refused our credentials (S3 AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch; HTTP 401/403). */
  | 'UPSTREAM_UNAUTHORIZED'
  /** The upstream answered with an error that is its own fault (S3 InternalError, SlowDown, ...). */
  | 'UPSTREAM_ERROR'
  /** The upstream could not be reached, dropped the connection or answered HTTP 5xx. */
  | 'UPSTREAM_UNAVAILABLE'
  /** The upstream did not answer within the configured deadline. */
  | 'UPSTREAM_TIMEOUT'
  /** The upstream or local path is outside what the operator allows. */
  | 'FORBIDDEN_SOURCE'
  /** The request needs more memory than the server is configured to ever grant. */
  | 'TOO_LARGE'
  /** The request could not start within the queueing deadline. */
  | 'OVERLOADED'
  /** A bug or an unexpected fault. */
  | 'INTERNAL';

export interface ErrorDetails {
  /** JSON name of the offending request field, e.g. `selection[1]`. */
  field?: string;
  /** Lower-level causes, root cause last: they become `caused_by` on the wire. */
  causedBy?: string[];
  /** Seconds a client should wait before retrying (OVERLOADED). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class ActiveStorageError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly causedBy: string[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ActiveStorageError';
    this.code = code;
    this.field = details.field;
    this.causedBy = details.causedBy ?? [];
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** One 400 that lists every rule a request broke (API.md §2: report every violation, not just the first). */
export function invalidRequest(problems: string[]): ActiveStorageError {
  return new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', { causedBy: problems });
}

export function isActiveStorageError(err: unknown): err is ActiveStorageError {
  return err instanceof ActiveStorageError;
}
