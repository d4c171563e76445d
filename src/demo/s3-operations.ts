/**
 * The S3 operations the demo store answers, framework-free: a parsed, authenticated request in, a response
 * (status, headers, body) out, or an S3Fault thrown. Path-style addressing only (`/{bucket}/{key}`).
 *
 * Implemented: ListBuckets, CreateBucket (`x-amz-acl: public-read` makes it public), HeadBucket, DeleteBucket,
 * GetBucketLocation, ListObjects (v1 and v2), GetObject and HeadObject (with Range), PutObject, DeleteObject and
 * the multipart upload (create, upload part, complete, abort) that `aws s3 cp` and boto3's `upload_file` switch
 * to above 8 MiB. Anything else answers 501 NotImplemented, naming the operation.
 *
 * Access: a signed request may do anything; an anonymous one may only read (list, get, head) a public-read
 * bucket — everything else is AccessDenied, as on MinIO with an anonymous "download" policy.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { resolveRange } from './byte-range.js';
import type { ObjectStore, ObjectWrite, StoredObject } from './object-store.js';
import { S3Fault } from './s3-fault.js';
import {
  completeMultipartXml,
  initiateMultipartXml,
  listBucketsXml,
  listObjectsXml,
  locationXml,
  parseCompleteMultipart,
  urlEncodeKey,
} from './s3-xml.js';

export interface S3Request {
  method: string;
  /** Percent-decoded first path segment; undefined for `/`. */
  bucket: string | undefined;
  /** Percent-decoded rest of the path; undefined when empty (a bucket-level request). */
  key: string | undefined;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The payload, already checked against its signature and unframed. */
  body: Buffer;
  isAnonymous: boolean;
  /** `http://host:port` of the store, for the Location of a completed upload. */
  baseUrl: string;
}

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

type Operation = keyof typeof OPERATIONS;
type Handler = (store: ObjectStore, request: S3Request) => S3Response;

const ANONYMOUS_READS: ReadonlySet<Operation> = new Set([
  'ListObjects',
  'ListObjectsV2',
  'GetBucketLocation',
  'HeadBucket',
  'GetObject',
  'HeadObject',
]);

/** Sub-resources of S3 that this store does not model; a request naming one gets 501, not a wrong answer. */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'uploads',
  'versioning',
  'versions',
  'website',
];

const MAX_LIST_KEYS = 1000;
const XML = { 'content-type': 'application/xml' };

function header(request: S3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function notImplemented(what: string): S3Fault {
  return new S3Fault('NotImplemented', { message: `The demo store does not implement ${what}.` });
}

function methodNotAllowed(request: S3Request): S3Fault {
  return new S3Fault('MethodNotAllowed', {
    details: { Method: request.method, ResourceType: request.key === undefined ? 'BUCKET' : 'OBJECT' },
  });
}

function identify(request: S3Request): Operation {
  const { query, method } = request;
  const subresource = UNSUPPORTED_SUBRESOURCES.find((name) => query.has(name));
  const refuse = (): never => {
    throw notImplemented(`the '${subresource}' sub-resource (${method})`);
  };
  if (request.bucket === undefined) {
    if (method === 'GET') return 'ListBuckets';
    throw methodNotAllowed(request);
  }
  if (request.key === undefined) {
    switch (method) {
      case 'GET':
        if (query.has('location')) return 'GetBucketLocation';
        if (subresource !== undefined) refuse();
        return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      case 'HEAD':
        return 'HeadBucket';
      case 'PUT':
        if (subresource !== undefined) refuse();
        return 'CreateBucket';
      case 'DELETE':
        if (subresource !== undefined) refuse();
        return 'DeleteBucket';
      case 'POST':
        throw notImplemented(
          subresource === undefined ? 'POST on a bucket' : `the '${subresource}' sub-resource`,
        );
      default:
        throw methodNotAllowed(request);
    }
  }
  switch (method) {
    case 'GET':
      if (query.has('uploadId')) throw notImplemented('ListParts');
      if (subresource !== undefined) refuse();
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (header(request, 'x-amz-copy-source') !== undefined)
        throw notImplemented('CopyObject / UploadPartCopy');
      if (query.has('uploadId') || query.has('partNumber')) return 'UploadPart';
      if (subresource !== undefined) refuse();
      return 'PutObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      throw notImplemented(
        subresource === undefined ? 'POST on an object' : `the '${subresource}' sub-resource`,
      );
    case 'DELETE':
      if (query.has('uploadId')) return 'AbortMultipartUpload';
      if (subresource !== undefined) refuse();
      return 'DeleteObject';
    default:
      throw methodNotAllowed(request);
  }
}

export function handleS3Request(store: ObjectStore, request: S3Request): S3Response {
  const operation = identify(request);
  if (request.isAnonymous) {
    const isPublicRead =
      ANONYMOUS_READS.has(operation) && request.bucket !== undefined && store.bucket(request.bucket).isPublic;
    if (!isPublicRead) throw new S3Fault('AccessDenied');
  }
  return OPERATIONS[operation](store, request);
}

function bucketOf(request: S3Request): string {
  if (request.bucket === undefined) throw new S3Fault('InvalidURI');
  return request.bucket;
}

function keyOf(request: S3Request): string {
  if (request.key === undefined) throw new S3Fault('InvalidURI');
  return request.key;
}

function objectWrite(request: S3Request): ObjectWrite {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) {
      metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  const contentType = header(request, 'content-type');
  return contentType === undefined ? { metadata } : { contentType, metadata };
}

function objectHeaders(object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

function readObject(store: ObjectStore, request: S3Request): S3Response {
  const object = store.getObject(bucketOf(request), keyOf(request));
  const size = object.bytes.length;
  const rangeHeader = header(request, 'range');
  const range = resolveRange(rangeHeader, size);
  const headers = objectHeaders(object);
  if (range.kind === 'whole') return { status: 200, headers, body: object.bytes };
  if (range.kind === 'unsatisfiable') {
    throw new S3Fault('InvalidRange', {
      details: { RangeRequested: rangeHeader ?? '', ActualObjectSize: String(size) },
      headers: { 'content-range': `bytes */${size}` },
    });
  }
  headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
  return { status: 206, headers, body: object.bytes.subarray(range.start, range.end + 1) };
}

interface ListToken {
  after: string;
  isPrefix: boolean;
}

function encodeToken(token: ListToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function decodeToken(text: string): ListToken {
  try {
    const token: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      typeof token === 'object' &&
      token !== null &&
      typeof (token as ListToken).after === 'string' &&
      typeof (token as ListToken).isPrefix === 'boolean'
    ) {
      return token as ListToken;
    }
  } catch {
    // falls through to the refusal below
  }
  throw new S3Fault('InvalidArgument', {
    message: 'The continuation token provided is incorrect',
    details: { ArgumentName: 'continuation-token' },
  });
}

function listParameters(request: S3Request) {
  const { query } = request;
  const maxKeysText = query.get('max-keys');
  if (maxKeysText !== null && !/^\d+$/.test(maxKeysText)) {
    throw new S3Fault('InvalidArgument', {
      message: 'Provided max-keys not an integer or within integer range',
      details: { ArgumentName: 'max-keys', ArgumentValue: maxKeysText },
    });
  }
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw new S3Fault('InvalidArgument', {
      message: 'Invalid Encoding Method specified in Request',
      details: { ArgumentName: 'encoding-type', ArgumentValue: encodingType },
    });
  }
  const delimiter = query.get('delimiter');
  return {
    bucket: bucketOf(request),
    prefix: query.get('prefix') ?? '',
    delimiter: delimiter === null || delimiter === '' ? undefined : delimiter,
    maxKeys: maxKeysText === null ? MAX_LIST_KEYS : Math.min(Number(maxKeysText), MAX_LIST_KEYS),
    isUrlEncoded: encodingType === 'url',
  };
}

function listObjectsV2(store: ObjectStore, request: S3Request): S3Response {
  const parameters = listParameters(request);
  const continuationToken = request.query.get('continuation-token') ?? undefined;
  const startAfter = request.query.get('start-after') ?? undefined;
  const token = continuationToken === undefined ? undefined : decodeToken(continuationToken);
  const result = store.listObjects(parameters.bucket, {
    ...parameters,
    after: token?.after ?? startAfter,
    isPrefixMarker: token?.isPrefix ?? false,
  });
  const next = result.isTruncated && result.last !== undefined ? result.last : undefined;
  const body = listObjectsXml({
    version: 2,
    ...parameters,
    ...result,
    continuationToken,
    nextContinuationToken:
      next === undefined ? undefined : encodeToken({ after: next.value, isPrefix: next.isPrefix }),
    startAfter,
    withOwner: request.query.get('fetch-owner') === 'true',
  });
  return { status: 200, headers: XML, body };
}

function listObjectsV1(store: ObjectStore, request: S3Request): S3Response {
  const parameters = listParameters(request);
  const marker = request.query.get('marker') ?? undefined;
  const { delimiter, prefix } = parameters;
  // A v1 marker is a bare key; when it is a rolled-up prefix, keys under it were already listed as that prefix.
  const isPrefixMarker =
    marker !== undefined &&
    delimiter !== undefined &&
    marker.startsWith(prefix) &&
    marker.indexOf(delimiter, prefix.length) === marker.length - delimiter.length;
  const result = store.listObjects(parameters.bucket, { ...parameters, after: marker, isPrefixMarker });
  const body = listObjectsXml({
    version: 1,
    ...parameters,
    ...result,
    marker,
    nextMarker: result.isTruncated ? result.last?.value : undefined,
    withOwner: true,
  });
  return { status: 200, headers: XML, body };
}

const OPERATIONS = {
  ListBuckets: (store) => ({ status: 200, headers: XML, body: listBucketsXml(store.listBuckets()) }),
  CreateBucket: (store, request) => {
    const acl = header(request, 'x-amz-acl');
    store.createBucket(bucketOf(request), acl === 'public-read' || acl === 'public-read-write');
    return { status: 200, headers: { location: `/${bucketOf(request)}` } };
  },
  HeadBucket: (store, request) => {
    store.bucket(bucketOf(request));
    return { status: 200, headers: { 'x-amz-bucket-region': 'us-east-1' } };
  },
  DeleteBucket: (store, request) => {
    store.deleteBucket(bucketOf(request));
    return { status: 204, headers: {} };
  },
  GetBucketLocation: (store, request) => {
    store.bucket(bucketOf(request));
    return { status: 200, headers: XML, body: locationXml() };
  },
  ListObjects: listObjectsV1,
  ListObjectsV2: listObjectsV2,
  GetObject: readObject,
  HeadObject: readObject,
  PutObject: (store, request) => {
    const object = store.putObject(bucketOf(request), keyOf(request), request.body, objectWrite(request));
    return { status: 200, headers: { etag: object.etag } };
  },
  DeleteObject: (store, request) => {
    store.deleteObject(bucketOf(request), keyOf(request));
    return { status: 204, headers: {} };
  },
  CreateMultipartUpload: (store, request) => {
    const uploadId = store.createMultipartUpload(bucketOf(request), keyOf(request), objectWrite(request));
    return {
      status: 200,
      headers: XML,
      body: initiateMultipartXml(bucketOf(request), keyOf(request), uploadId),
    };
  },
  UploadPart: (store, request) => {
    const uploadId = request.query.get('uploadId') ?? '';
    const partNumber = Number(request.query.get('partNumber') ?? 'NaN');
    const etag = store.uploadPart(bucketOf(request), keyOf(request), uploadId, partNumber, request.body);
    return { status: 200, headers: { etag } };
  },
  CompleteMultipartUpload: (store, request) => {
    const bucket = bucketOf(request);
    const key = keyOf(request);
    const parts = parseCompleteMultipart(request.body.toString('utf8'));
    const object = store.completeMultipartUpload(bucket, key, request.query.get('uploadId') ?? '', parts);
    const location = `${request.baseUrl}/${urlEncodeKey(bucket)}/${urlEncodeKey(key)}`;
    return { status: 200, headers: XML, body: completeMultipartXml(location, bucket, key, object.etag) };
  },
  AbortMultipartUpload: (store, request) => {
    store.abortMultipartUpload(bucketOf(request), keyOf(request), request.query.get('uploadId') ?? '');
    return { status: 204, headers: {} };
  },
} satisfies Record<string, Handler>;
