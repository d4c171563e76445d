/**
 * The demo store's refusals, in S3's own vocabulary.
 *
 * These are not `ActiveStorageError`s: they are what an S3 server says on the wire (`<Error><Code>…`), and they
 * never leave the store — our server meets them only as XML in an HTTP response, exactly as it would meet MinIO's
 * or AWS's. Codes, statuses and messages follow AWS S3, except `AccessDenied`, whose message is MinIO's
 * `Access Denied.` (API.md §9 and §13 F quote that wording).
 */

export const S3_ERRORS = {
  AccessDenied: { status: 403, message: 'Access Denied.' },
  AuthorizationHeaderMalformed: { status: 400, message: 'The authorization header is malformed.' },
  AuthorizationQueryParametersError: {
    status: 400,
    message: 'The query-string authentication is malformed.',
  },
  BadDigest: { status: 400, message: 'The Content-MD5 you specified did not match what we received.' },
  BucketAlreadyOwnedByYou: {
    status: 409,
    message: 'Your previous request to create the named bucket succeeded and you already own it.',
  },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty.' },
  EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed object size.' },
  EntityTooSmall: {
    status: 400,
    message: 'Your proposed upload is smaller than the minimum allowed object size.',
  },
  IncompleteBody: {
    status: 400,
    message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  InvalidAccessKeyId: {
    status: 403,
    message: 'The AWS Access Key Id you provided does not exist in our records.',
  },
  InvalidArgument: { status: 400, message: 'Invalid Argument.' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  InvalidPart: {
    status: 400,
    message:
      'One or more of the specified parts could not be found. The part might not have been uploaded, or the ' +
      "specified entity tag might not have matched the part's entity tag.",
  },
  InvalidPartOrder: {
    status: 400,
    message:
      'The list of parts was not in ascending order. Parts list must be specified in order by part number.',
  },
  InvalidRange: { status: 416, message: 'The requested range is not satisfiable' },
  InvalidRequest: { status: 400, message: 'Invalid Request.' },
  InvalidURI: { status: 400, message: "Couldn't parse the specified URI." },
  MalformedXML: {
    status: 400,
    message: 'The XML you provided was not well-formed or did not validate against our published schema.',
  },
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.' },
  NoSuchUpload: {
    status: 404,
    message:
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted ' +
      'or completed.',
  },
  NotImplemented: { status: 501, message: 'The demo store does not implement this operation.' },
  RequestTimeTooSkewed: {
    status: 403,
    message: 'The difference between the request time and the current time is too large.',
  },
  SignatureDoesNotMatch: {
    status: 403,
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing ' +
      'method.',
  },
  XAmzContentSHA256Mismatch: {
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type S3ErrorCode = keyof typeof S3_ERRORS;

export class S3Fault extends Error {
  readonly code: S3ErrorCode;
  readonly status: number;
  /** Extra elements of the `<Error>` document (`Key`, `BucketName`, `RangeRequested`, …). */
  readonly details: Readonly<Record<string, string>>;
  /** Extra response headers (a 416 carries `Content-Range: bytes *\/size`). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: S3ErrorCode,
    options: { message?: string; details?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    super(options.message ?? S3_ERRORS[code].message);
    this.name = 'S3Fault';
    this.code = code;
    this.status = S3_ERRORS[code].status;
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }
}
