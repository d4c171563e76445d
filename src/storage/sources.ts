/**
 * The storage stage as the pipeline sees it: one ByteSource that dispatches on `location.kind`, behind the
 * upstream allow-list.
 */
import { ActiveStorageError } from '../errors.js';
import { parseAllowList, type ResolveAll, withAllowList } from './allow-list.js';
import type { ByteSource } from './byte-source.js';
import { createFileSource } from './file.js';
import { createHttpSource } from './http.js';
import { createS3Source } from './s3.js';
import { type Allocate, type Release, transportDefaults } from './transport.js';

export interface StorageConfig {
  /** SigV4 region for S3 upstreams. Default `us-east-1`. */
  region?: string;
  /** Keep-alive connections per upstream origin (S3 endpoint or HTTP host:port). Default 64. */
  maxConnectionsPerOrigin?: number;
  /** TCP + TLS connect. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Request sent → response headers received. Default 30 000 ms. */
  headersTimeoutMs?: number;
  /** Longest pause between body chunks. Default 30 000 ms. */
  bodyTimeoutMs?: number;
  /** Whole read, redirects included. Default 120 000 ms. */
  timeoutMs?: number;
  /** Most bytes one read may hold → TOO_LARGE (400) beyond. Default 256 MiB. */
  maxBytes?: number;
  /** Redirects an HTTP(S) read follows. Default 10 (API.md §8.2). */
  maxRedirects?: number;
  /** [ext] Roots for `interface_type: "file"`; empty or absent = `file` is not supported (400). */
  fileRoots?: string[];
  /** Allowed upstream origins and networks (API.md §8.4); empty or absent = every upstream allowed. */
  allowList?: string[];
  /** DNS resolution used by the allow-list (tests inject names); default the system resolver. */
  resolveAll?: ResolveAll;
  /**
   * Memory each S3/HTTP body and file range is read into (a buffer pool's acquire): `length` bytes at byteOffset 0, the
   * ArrayBuffer behind it may be larger. Default: own memory per read (`Buffer.allocUnsafeSlow`).
   */
  allocate?: Allocate;
  /** Called with memory from `allocate` when the read fails after taking it (the pool's release). Default no-op. */
  release?: Release;
}

export function createStorage(config: StorageConfig = {}): ByteSource {
  const allowList = parseAllowList(config.allowList ?? [], config.resolveAll);
  const shared = {
    connectTimeoutMs: config.connectTimeoutMs ?? transportDefaults.connectTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs ?? transportDefaults.headersTimeoutMs,
    bodyTimeoutMs: config.bodyTimeoutMs ?? transportDefaults.bodyTimeoutMs,
    timeoutMs: config.timeoutMs ?? transportDefaults.timeoutMs,
    maxBytes: config.maxBytes ?? transportDefaults.maxBytes,
    maxConnections: config.maxConnectionsPerOrigin ?? transportDefaults.maxConnections,
    lookup: allowList?.lookup,
    allocate: config.allocate ?? transportDefaults.allocate,
    release: config.release ?? transportDefaults.release,
  };
  const s3 = createS3Source({
    ...shared,
    region: config.region ?? 'us-east-1',
  });
  const http = createHttpSource({
    ...shared,
    maxRedirects: config.maxRedirects ?? 10,
    checkRedirect: allowList?.check,
  });
  const fileRoots = config.fileRoots ?? [];
  const file =
    fileRoots.length > 0
      ? createFileSource({
          roots: fileRoots,
          maxBytes: shared.maxBytes,
          allocate: shared.allocate,
          release: shared.release,
        })
      : undefined;

  const dispatch: ByteSource = {
    async read(req) {
      switch (req.location.kind) {
        case 's3':
          return s3.read(req);
        case 'http':
          return http.read(req);
        case 'file':
          if (file === undefined) {
            throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
              causedBy: ['unsupported interface type file: this server has no file roots configured'],
            });
          }
          return file.read(req);
      }
    },
    async stream(req, open) {
      switch (req.location.kind) {
        case 's3':
          return s3.stream?.(req, open) ?? false;
        case 'http':
          return http.stream?.(req, open) ?? false;
        case 'file':
          return false;
      }
    },
    async close() {
      await Promise.all([s3.close(), http.close(), file?.close()]);
    },
  };
  return withAllowList(dispatch, allowList);
}
