/**
 * AWS Signature Version 4 as the demo store checks it, for requests signed in the `Authorization` header and for
 * presigned URLs (`X-Amz-Signature` in the query).
 *
 * The signature itself is computed by `aws4` (the same maintained signer our S3 client uses): we hand it the
 * request exactly as the client signed it — the method, the canonical path, the query, only the headers listed
 * in `SignedHeaders`, the client's `x-amz-date` and payload hash — let it build the canonical request and
 * signature with the stored secret, and compare in constant time. What stays here is S3's side of the
 * protocol: parsing the credential, the key lookup, the clock-skew and expiry rules, and the refusals S3 answers
 * with. Chunk signatures of streamed uploads are checked in `aws-chunked.ts` with the signing key derived below.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Request as Aws4Request } from 'aws4';
import aws4 from 'aws4';
import { S3Fault } from './s3-fault.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const STREAMING_MODES = new Set([STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER]);
/** AWS refuses a header-signed request more than 15 minutes away from its own clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** A presigned URL may live at most seven days. */
const MAX_PRESIGNED_EXPIRES_S = 604_800;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface KeyPair {
  accessKey: string;
  secretKey: string;
}

export interface SignedRequestParts {
  method: string;
  /** The path as SigV4 canonicalises it for S3: every segment's UTF-8 bytes encoded with `encodeS3Segment`. */
  canonicalPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** What a streamed (aws-chunked) upload needs to check its chunk signatures. */
export interface ChunkSigning {
  signingKey: Buffer;
  /** `x-amz-date` of the request, e.g. `20130524T000000Z`. */
  datetime: string;
  /** `{date}/{region}/s3/aws4_request`. */
  scope: string;
  /** The request's own signature: the first chunk signs over it. */
  seedSignature: string;
}

export type Authentication =
  | { isAnonymous: true }
  | {
      isAnonymous: false;
      accessKey: string;
      /** `x-amz-content-sha256`: a hex digest, `UNSIGNED-PAYLOAD` or one of the `STREAMING-…` modes. */
      payloadHash: string;
      signing: ChunkSigning;
    };

/** SigV4's URI encoding of one path segment or query word: UTF-8, every byte but `A-Z a-z 0-9 - . _ ~` as %XX. */
export function encodeS3Segment(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: Buffer | string, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

export function signingKeyFor(secretKey: string, date: string, region: string): Buffer {
  const dateKey = hmacSha256(`AWS4${secretKey}`, date);
  return hmacSha256(hmacSha256(hmacSha256(dateKey, region), 's3'), 'aws4_request');
}

export function isStreamingPayload(payloadHash: string): boolean {
  return STREAMING_MODES.has(payloadHash);
}

/** Constant-time comparison of two lowercase hex signatures. */
export function signaturesMatch(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(provided, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Who sent the request: anonymous when it carries no signature at all, otherwise the key pair whose signature
 * verified. Throws the S3Fault S3 would answer with.
 */
export function authenticate(
  request: SignedRequestParts,
  keyPairs: readonly KeyPair[],
  nowMs: number,
): Authentication {
  const authorization = headerText(request.headers, 'authorization');
  const hasQuerySignature = request.query.has('X-Amz-Algorithm') || request.query.has('X-Amz-Signature');
  if (authorization !== undefined && hasQuerySignature) {
    throw new S3Fault('InvalidArgument', {
      message:
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header ' +
        'should be specified',
    });
  }
  if (authorization !== undefined) return verifyHeaderSignature(authorization, request, keyPairs, nowMs);
  if (hasQuerySignature) return verifyPresignedUrl(request, keyPairs, nowMs);
  if (request.query.has('Signature') || request.query.has('AWSAccessKeyId')) throw unsupportedMechanism();
  return { isAnonymous: true };
}

function unsupportedMechanism(): S3Fault {
  return new S3Fault('InvalidRequest', {
    message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
  });
}

interface Credential {
  accessKey: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

function parseCredential(
  text: string,
  faultCode: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError',
) {
  const parts = text.split('/');
  if (parts.length < 5) {
    throw new S3Fault(faultCode, {
      message: `the Credential '${text}' is malformed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    });
  }
  const [date = '', region = '', service = '', terminator = ''] = parts.slice(-4);
  const credential: Credential = {
    accessKey: parts.slice(0, -4).join('/'),
    date,
    region,
    service,
    terminator,
  };
  return credential;
}

function findKeyPair(keyPairs: readonly KeyPair[], accessKey: string): KeyPair {
  const keyPair = keyPairs.find((pair) => pair.accessKey === accessKey);
  if (keyPair === undefined)
    throw new S3Fault('InvalidAccessKeyId', { details: { AWSAccessKeyId: accessKey } });
  return keyPair;
}

function checkScope(
  credential: Credential,
  datetime: string,
  faultCode: 'AuthorizationHeaderMalformed' | 'AuthorizationQueryParametersError',
): void {
  const problem =
    credential.date !== datetime.slice(0, 8)
      ? `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${datetime.slice(0, 8)}".`
      : credential.service !== 's3'
        ? `incorrect service "${credential.service}". This endpoint belongs to "s3".`
        : credential.terminator !== 'aws4_request'
          ? `incorrect terminal "${credential.terminator}". This endpoint uses "aws4_request".`
          : credential.region === ''
            ? 'the region is empty.'
            : undefined;
  if (problem !== undefined)
    throw new S3Fault(faultCode, { message: `The authorization is malformed; ${problem}` });
}

function parseAmzDate(datetime: string): number | undefined {
  const match = AMZ_DATE.exec(datetime);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0);
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function verifyHeaderSignature(
  authorization: string,
  request: SignedRequestParts,
  keyPairs: readonly KeyPair[],
  nowMs: number,
): Authentication {
  const fields = parseAuthorizationHeader(authorization);
  const credential = parseCredential(fields.credential, 'AuthorizationHeaderMalformed');
  const keyPair = findKeyPair(keyPairs, credential.accessKey);
  const datetime = headerText(request.headers, 'x-amz-date');
  const signedAtMs = datetime === undefined ? undefined : parseAmzDate(datetime);
  if (datetime === undefined || signedAtMs === undefined) {
    throw new S3Fault('AccessDenied', { message: 'AWS authentication requires a valid x-amz-date header' });
  }
  checkScope(credential, datetime, 'AuthorizationHeaderMalformed');
  if (Math.abs(nowMs - signedAtMs) > MAX_SKEW_MS) {
    throw new S3Fault('RequestTimeTooSkewed', {
      details: {
        RequestTime: datetime,
        ServerTime: new Date(nowMs).toISOString(),
        MaxAllowedSkewMilliseconds: '900000',
      },
    });
  }
  const payloadHash = headerText(request.headers, 'x-amz-content-sha256');
  if (payloadHash === undefined) {
    throw new S3Fault('InvalidRequest', {
      message: 'Missing required header for this request: x-amz-content-sha256',
    });
  }
  if (
    !/^[0-9a-f]{64}$/.test(payloadHash) &&
    payloadHash !== UNSIGNED_PAYLOAD &&
    !isStreamingPayload(payloadHash)
  ) {
    throw new S3Fault('InvalidArgument', {
      message:
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, ' +
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-UNSIGNED-PAYLOAD-TRAILER or a lowercase hex SHA-256',
      details: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash },
    });
  }
  const signedHeaders = fields.signedHeaders.split(';');
  if (!signedHeaders.includes('host')) {
    throw new S3Fault('AuthorizationHeaderMalformed', {
      message: 'The authorization header is malformed; SignedHeaders must include host.',
    });
  }
  const unsigned = Object.keys(request.headers).filter(
    (name) => name.startsWith('x-amz-') && !signedHeaders.includes(name),
  );
  if (unsigned.length > 0) {
    throw new S3Fault('AccessDenied', {
      message: 'There were headers present in the request which were not signed',
      details: { HeadersNotSigned: unsigned.join(', ') },
    });
  }
  const expected = expectedSignature(request, credential, keyPair, signedHeaders, datetime, {
    isPresigned: false,
    payloadHash,
  });
  if (!signaturesMatch(expected, fields.signature)) {
    throw new S3Fault('SignatureDoesNotMatch', { details: { AWSAccessKeyId: credential.accessKey } });
  }
  return {
    isAnonymous: false,
    accessKey: credential.accessKey,
    payloadHash,
    signing: {
      signingKey: signingKeyFor(keyPair.secretKey, credential.date, credential.region),
      datetime,
      scope: `${credential.date}/${credential.region}/s3/aws4_request`,
      seedSignature: expected,
    },
  };
}

function parseAuthorizationHeader(value: string): {
  credential: string;
  signedHeaders: string;
  signature: string;
} {
  const trimmed = value.trim();
  if (!trimmed.startsWith(`${ALGORITHM} `)) {
    if (trimmed.startsWith('AWS ')) throw unsupportedMechanism();
    throw new S3Fault('AuthorizationHeaderMalformed', {
      message: `The authorization header is malformed; the algorithm must be ${ALGORITHM}.`,
    });
  }
  const fields = new Map<string, string>();
  for (const component of trimmed.slice(ALGORITHM.length).split(',')) {
    const at = component.indexOf('=');
    if (at > 0) fields.set(component.slice(0, at).trim(), component.slice(at + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw new S3Fault('AuthorizationHeaderMalformed', {
      message:
        'The authorization header is malformed; the authorization header requires three components: ' +
        'Credential, SignedHeaders, and Signature.',
    });
  }
  return { credential, signedHeaders, signature };
}

function verifyPresignedUrl(
  request: SignedRequestParts,
  keyPairs: readonly KeyPair[],
  nowMs: number,
): Authentication {
  const query = request.query;
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) {
    throw new S3Fault('AuthorizationQueryParametersError', {
      message: `X-Amz-Algorithm only supports "${ALGORITHM}"`,
    });
  }
  const required = [
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ];
  const [credentialText, datetime, expiresText, signedHeaderText, signature] = required.map((name) =>
    query.get(name),
  );
  if (
    credentialText == null ||
    datetime == null ||
    expiresText == null ||
    signedHeaderText == null ||
    signature == null
  ) {
    throw new S3Fault('AuthorizationQueryParametersError', {
      message:
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, ' +
        'X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    });
  }
  const credential = parseCredential(credentialText, 'AuthorizationQueryParametersError');
  const keyPair = findKeyPair(keyPairs, credential.accessKey);
  const signedAtMs = parseAmzDate(datetime);
  if (signedAtMs === undefined) {
    throw new S3Fault('AuthorizationQueryParametersError', {
      message: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    });
  }
  checkScope(credential, datetime, 'AuthorizationQueryParametersError');
  if (!/^\d+$/.test(expiresText) || Number(expiresText) > MAX_PRESIGNED_EXPIRES_S) {
    throw new S3Fault('AuthorizationQueryParametersError', {
      message: `X-Amz-Expires must be a whole number of seconds from 0 to ${MAX_PRESIGNED_EXPIRES_S}`,
    });
  }
  if (nowMs < signedAtMs - MAX_SKEW_MS)
    throw new S3Fault('AccessDenied', { message: 'Request is not valid yet' });
  if (nowMs > signedAtMs + Number(expiresText) * 1000) {
    throw new S3Fault('AccessDenied', { message: 'Request has expired' });
  }
  const signedHeaders = signedHeaderText.split(';');
  if (!signedHeaders.includes('host')) {
    throw new S3Fault('AuthorizationQueryParametersError', {
      message: 'X-Amz-SignedHeaders must include host.',
    });
  }
  const expected = expectedSignature(request, credential, keyPair, signedHeaders, datetime, {
    isPresigned: true,
    payloadHash: UNSIGNED_PAYLOAD,
  });
  if (!signaturesMatch(expected, signature)) {
    throw new S3Fault('SignatureDoesNotMatch', { details: { AWSAccessKeyId: credential.accessKey } });
  }
  return {
    isAnonymous: false,
    accessKey: credential.accessKey,
    payloadHash: UNSIGNED_PAYLOAD,
    signing: {
      signingKey: signingKeyFor(keyPair.secretKey, credential.date, credential.region),
      datetime,
      scope: `${credential.date}/${credential.region}/s3/aws4_request`,
      seedSignature: expected,
    },
  };
}

/** aws4 1.13 options that its type definitions do not list yet. */
interface VerifyingRequest extends Aws4Request {
  extraHeadersToInclude: Record<string, boolean>;
  extraHeadersToIgnore: Record<string, boolean>;
}

function expectedSignature(
  request: SignedRequestParts,
  credential: Credential,
  keyPair: KeyPair,
  signedHeaders: readonly string[],
  datetime: string,
  mode: { isPresigned: boolean; payloadHash: string },
): string {
  const headers: Record<string, string> = {};
  // aws4 leaves out some headers by default (range, user-agent, expect, …); a client that signed one must have it
  // counted, so every signed name is forced in and nothing else is passed.
  const extraHeadersToInclude: Record<string, boolean> = {};
  for (const name of signedHeaders) {
    const value = headerText(request.headers, name);
    if (value !== undefined) headers[name] = value;
    extraHeadersToInclude[name] = true;
  }
  // The payload hash closes the canonical request even when the client did not list the header as signed.
  const extraHeadersToIgnore: Record<string, boolean> = {};
  if (!mode.isPresigned && headers['x-amz-content-sha256'] === undefined) {
    headers['x-amz-content-sha256'] = mode.payloadHash;
    extraHeadersToIgnore['x-amz-content-sha256'] = true;
  }
  const query = [...request.query]
    .filter(([name]) => !(mode.isPresigned && name === 'X-Amz-Signature'))
    .map(([name, value]) => `${encodeS3Segment(name)}=${encodeS3Segment(value)}`)
    .join('&');
  const signingRequest: VerifyingRequest = {
    method: request.method,
    path: query === '' ? request.canonicalPath : `${request.canonicalPath}?${query}`,
    service: 's3',
    region: credential.region,
    headers,
    signQuery: mode.isPresigned,
    doNotModifyHeaders: true,
    extraHeadersToInclude,
    extraHeadersToIgnore,
  };
  const signer = new aws4.RequestSigner(signingRequest, {
    accessKeyId: credential.accessKey,
    secretAccessKey: keyPair.secretKey,
  });
  signer.datetime = datetime;
  return signer.signature();
}
