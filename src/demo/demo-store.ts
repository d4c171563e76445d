/**
 * The embedded S3-compatible store behind `npm start`: path-style S3 over HTTP on fastify, objects in memory,
 * SigV4 checked against one configured key pair, anonymous reads allowed on public-read buckets only.
 *
 * Why our own and not a package: the in-process S3 server on npm, s3rver (latest release 3.7.1, on Koa 2),
 * does not check SigV4 at all — its source says "Signature version 4 calculation is unimplemented" and accepts
 * any signature for a known key id — reads its one key pair from
 * environment variables when it is first imported, and lets anonymous requests do anything, so there is no
 * private versus public-read bucket. Wrong keys, a private bucket read anonymously, and the 401s API.md §9 maps
 * them to could not be shown or tested against it. MinIO or moto would mean Docker, a download or a Python
 * process. What the demo needs from S3 is small and well specified; the signature maths stays in `aws4`, the
 * maintained signer (see sigv4.ts), and the store is checked with boto3 and the AWS documentation's published
 * signing examples (test/integration/demo-store.test.ts).
 */

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { ActiveStorageError } from '../errors.js';
import { decodeAwsChunked } from './aws-chunked.js';
import { ObjectStore } from './object-store.js';
import { S3Fault } from './s3-fault.js';
import { handleS3Request, type S3Response } from './s3-operations.js';
import { errorXml } from './s3-xml.js';
import {
  type Authentication,
  authenticate,
  encodeS3Segment,
  isStreamingPayload,
  type KeyPair,
  sha256Hex,
  UNSIGNED_PAYLOAD,
} from './sigv4.js';

export interface DemoStoreOptions {
  host: string;
  /** 0 picks a free port; `DemoStore.port` tells which. */
  port: number;
  accessKey: string;
  secretKey: string;
  /** Largest object (or part) accepted; default 512 MiB. Everything is held in memory. */
  maxObjectBytes?: number;
  /** The store's clock for SigV4 time checks (ms since the epoch); tests replay dated published examples. */
  now?: () => number;
}

export interface DemoStore {
  /** `http://host:port`, the endpoint to give S3 clients (path-style). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Creates a bucket; `isPublic` makes it public-read (anonymous GET, HEAD and list). */
  createBucket(name: string, options?: { isPublic?: boolean }): void;
  /** Stores a copy of `bytes` under `bucket`/`key`; the bucket must exist. */
  putObject(bucket: string, key: string, bytes: Uint8Array, options?: { contentType?: string }): void;
  /** A copy of the stored bytes, or undefined when there is no such object. */
  getObject(bucket: string, key: string): Uint8Array | undefined;
  close(): Promise<void>;
}

const DEFAULT_MAX_OBJECT_BYTES = 512 * 1024 * 1024;

interface Target {
  bucket: string | undefined;
  key: string | undefined;
  canonicalPath: string;
  query: URLSearchParams;
  /** `/bucket/key`, decoded, for error documents. */
  resource: string;
}

interface RequestContext {
  target: Target;
  auth: Authentication;
}

function parseTarget(rawUrl: string): Target {
  const queryAt = rawUrl.indexOf('?');
  const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  if (!rawPath.startsWith('/')) throw new S3Fault('InvalidURI');
  let segments: string[];
  try {
    segments = rawPath.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    throw new S3Fault('InvalidURI');
  }
  const bucket = segments[1] === undefined || segments[1] === '' ? undefined : segments[1];
  const key = segments.slice(2).join('/');
  return {
    bucket,
    key: bucket === undefined || key === '' ? undefined : key,
    // SigV4 signs each segment URI-encoded once; decoding and re-encoding normalises how the client escaped it.
    canonicalPath: segments.map(encodeS3Segment).join('/'),
    query: new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1)),
    resource: segments.join('/'),
  };
}

function headerText(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The object bytes of the request body, after checking them against the signature that covers them. */
function decodePayload(
  raw: Buffer,
  auth: Authentication,
  request: FastifyRequest,
  maxObjectBytes: number,
): Buffer {
  if (auth.isAnonymous) return raw;
  let body = raw;
  if (isStreamingPayload(auth.payloadHash)) {
    const declared = headerText(request, 'x-amz-decoded-content-length');
    if (declared === undefined || !/^\d+$/.test(declared)) {
      throw new S3Fault('MissingContentLength', {
        message: 'You must provide the x-amz-decoded-content-length header for an aws-chunked upload.',
      });
    }
    if (Number(declared) > maxObjectBytes) {
      throw new S3Fault('EntityTooLarge', { details: { MaxSizeAllowed: String(maxObjectBytes) } });
    }
    body = decodeAwsChunked(raw, {
      payloadHash: auth.payloadHash,
      signing: auth.signing,
      decodedLength: Number(declared),
    });
  } else if (auth.payloadHash !== UNSIGNED_PAYLOAD) {
    const computed = sha256Hex(raw);
    if (computed !== auth.payloadHash) {
      throw new S3Fault('XAmzContentSHA256Mismatch', {
        details: { ClientComputedContentSHA256: auth.payloadHash, S3ComputedContentSHA256: computed },
      });
    }
  }
  const md5 = headerText(request, 'content-md5');
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5)
    throw new S3Fault('BadDigest');
  return body;
}

/** Fastify's own refusals (body too large, bad URL, …) in S3's words; anything unexpected is InternalError. */
function toFault(error: unknown): S3Fault {
  if (error instanceof S3Fault) return error;
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new S3Fault('EntityTooLarge');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new S3Fault('IncompleteBody');
    case 'FST_ERR_BAD_URL':
      return new S3Fault('InvalidURI');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new S3Fault('InvalidArgument', {
        message: 'The Content-Type header is not a valid media type.',
      });
    default:
      // A bug in the store, not a client mistake: say so where the person running the demo will see it.
      process.stderr.write(`demo store: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      return new S3Fault('InternalError');
  }
}

function commonHeaders(request: FastifyRequest): Record<string, string> {
  return { 'x-amz-request-id': request.id, 'x-amz-id-2': request.id, server: 's3-active-storage-demo' };
}

function sendFault(
  reply: FastifyReply,
  request: FastifyRequest,
  fault: S3Fault,
  resource: string,
): FastifyReply {
  reply
    .code(fault.status)
    .headers({ ...commonHeaders(request), ...fault.headers })
    .type('application/xml');
  // S3 answers a failed HEAD with the status alone.
  if (request.method === 'HEAD') return reply.send();
  return reply.send(errorXml(fault, resource, request.id));
}

function sendResponse(reply: FastifyReply, request: FastifyRequest, response: S3Response): FastifyReply {
  reply.code(response.status).headers({ ...commonHeaders(request), ...response.headers });
  const body = response.body ?? '';
  if (request.method === 'HEAD') {
    reply.header('content-length', String(Buffer.byteLength(body)));
    return reply.send();
  }
  return reply.send(body);
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Starts the store; rejects with the listen error (code EADDRINUSE when the port is taken). */
export async function startDemoStore(options: DemoStoreOptions): Promise<DemoStore> {
  const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const now = options.now ?? Date.now;
  const store = new ObjectStore(maxObjectBytes);
  const keyPairs: KeyPair[] = [{ accessKey: options.accessKey, secretKey: options.secretKey }];
  const contexts = new WeakMap<IncomingMessage, RequestContext>();
  let baseUrl = formatUrl(options.host, options.port);
  const resourceOf = (request: FastifyRequest): string =>
    contexts.get(request.raw)?.target.resource ?? (request.raw.url ?? '/').split('?')[0] ?? '/';

  const app = Fastify({
    logger: false,
    // aws-chunked framing adds under 1% to the object's size (about 90 bytes per chunk of at least 8 KiB).
    bodyLimit: maxObjectBytes + Math.ceil(maxObjectBytes / 64) + 64 * 1024,
    forceCloseConnections: true,
    exposeHeadRoutes: false,
    genReqId: () => randomBytes(8).toString('hex').toUpperCase(),
    frameworkErrors: (error, request, reply) => {
      sendFault(reply, request, toFault(error), resourceOf(request));
    },
  });
  // Bodies are object bytes of any type: take them all raw, whatever Content-Type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', async (request) => {
    const target = parseTarget(request.raw.url ?? '/');
    const auth = authenticate(
      {
        method: request.method,
        canonicalPath: target.canonicalPath,
        query: target.query,
        headers: request.headers,
      },
      keyPairs,
      now(),
    );
    contexts.set(request.raw, { target, auth });
  });
  app.setErrorHandler((error, request, reply) =>
    sendFault(reply, request, toFault(error), resourceOf(request)),
  );
  app.setNotFoundHandler((request, reply) =>
    sendFault(reply, request, new S3Fault('MethodNotAllowed'), resourceOf(request)),
  );
  app.route({
    method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      const context = contexts.get(request.raw);
      if (context === undefined) throw new S3Fault('InternalError');
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const response = handleS3Request(store, {
        method: request.method,
        bucket: context.target.bucket,
        key: context.target.key,
        query: context.target.query,
        headers: request.headers,
        body: decodePayload(raw, context.auth, request, maxObjectBytes),
        isAnonymous: context.auth.isAnonymous,
        baseUrl,
      });
      return sendResponse(reply, request, response);
    },
  });

  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  baseUrl = formatUrl(options.host, port);

  const misuse = (what: string, fault: unknown): ActiveStorageError =>
    new ActiveStorageError(
      'INVALID_REQUEST',
      `${what}: ${fault instanceof Error ? fault.message : String(fault)}`,
      {
        cause: fault,
      },
    );
  return {
    url: baseUrl,
    host: options.host,
    port,
    createBucket(name, bucketOptions = {}) {
      try {
        store.createBucket(name, bucketOptions.isPublic ?? false);
      } catch (error) {
        throw misuse(`cannot create bucket '${name}'`, error);
      }
    },
    putObject(bucket, key, bytes, putOptions = {}) {
      try {
        store.putObject(bucket, key, Buffer.from(bytes), putOptions);
      } catch (error) {
        throw misuse(`cannot put '${key}' into bucket '${bucket}'`, error);
      }
    },
    getObject(bucket, key) {
      if (!store.hasBucket(bucket)) return undefined;
      const object = store.bucket(bucket).objects.get(key);
      return object === undefined ? undefined : Uint8Array.from(object.bytes);
    },
    close: () => app.close(),
  };
}
