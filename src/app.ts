/**
 * buildApp(config, deps) -> a Fastify instance, not yet listening. Tests and the CLI both use this; only this file
 * and http/ know the web framework.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { createBufferPool } from './buffer-pool.js';
import { createComputePool } from './compute/pool.js';
import type { Config } from './config.js';
import { ActiveStorageError } from './errors.js';
import { registerDocsRoutes } from './http/docs.js';
import { ERROR_STATUS, errorBody, jsonPayload, toActiveStorageError } from './http/error-response.js';
import { registerMetrics } from './http/metrics.js';
import { registerOpRoutes } from './http/routes.js';
import { createMemoryBudget } from './memory-budget.js';
import type { ByteSource } from './storage/byte-source.js';
import { createStorage } from './storage/sources.js';

export interface AppDeps {
  /** Replaces the storage built from config (tests wrap or fault-inject it). */
  storage?: ByteSource;
}

/** API.md §1: strip every leading and trailing '/', put one leading '/' back; inner '//' stays. Query ignored. */
export function normalisePath(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return `/${path.replace(/^\/+|\/+$/g, '')}`;
}

/** Fastify's own errors (body limit, content-type parsing, ...) in our vocabulary. */
function fromFastifyError(err: FastifyError): ActiveStorageError {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ActiveStorageError('BODY_TOO_LARGE', 'request body is too large', { causedBy: [err.message] });
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new ActiveStorageError('INVALID_REQUEST', 'request is not valid', { causedBy: [err.message] });
  }
  return toActiveStorageError(err);
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const buffers = createBufferPool(config.bufferPoolBytes);
  const storage =
    deps.storage ??
    createStorage({
      region: config.s3Region,
      connectTimeoutMs: config.connectTimeoutMs,
      timeoutMs: config.upstreamTimeoutMs,
      maxConnectionsPerOrigin: config.maxConnectionsPerOrigin,
      maxBytes: Math.min(config.maxDecodedBytes, config.memoryLimitBytes),
      fileRoots: config.fileRoots,
      allowList: config.allowList,
      allocate: buffers.acquire,
      release: buffers.release,
    });

  const app = Fastify({
    logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
    // A log line per request costs more than a small reduction; 5xx are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    rewriteUrl: (req) => normalisePath(req.url ?? '/'),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...(config.tlsCertFile && config.tlsKeyFile
      ? { https: { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) } }
      : {}),
  });

  // Bodies reach the handlers as raw text: the JSON parse must be lossless and strict (request/json.ts), and the
  // content type is checked there so that every failure has our error shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((rawErr: FastifyError | ActiveStorageError, req, reply) => {
    const err = rawErr instanceof ActiveStorageError ? rawErr : fromFastifyError(rawErr);
    const status = ERROR_STATUS[err.code];
    if (status >= 500) req.log.error({ err: rawErr, cause: err.cause, code: err.code }, err.message);
    if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
    const { contentType, body } = jsonPayload(errorBody(err));
    return reply.code(status).header('content-type', contentType).send(body);
  });
  app.setNotFoundHandler((req) => {
    throw new ActiveStorageError('ROUTE_NOT_FOUND', `no route for ${req.method} ${req.url}`);
  });

  registerMetrics(app);
  app.get('/health', async (_req, reply) => {
    const { contentType, body } = jsonPayload({ status: 'ok' });
    return reply.header('content-type', contentType).send(body);
  });
  const compute = createComputePool({
    threads: config.computeThreads,
    thresholdBytes: config.computeThresholdBytes,
  });
  registerOpRoutes(app, {
    pipeline: {
      storage,
      compute,
      memory: createMemoryBudget(config.memoryLimitBytes, config.queueTimeoutMs),
      buffers,
      maxDecodedBytes: config.maxDecodedBytes,
    },
    limits: {
      maxDecodedBytes: config.maxDecodedBytes,
      memoryLimitBytes: config.memoryLimitBytes,
      fileInterface: config.fileRoots.length > 0,
    },
  });
  registerDocsRoutes(app);
  app.addHook('onClose', async () => {
    await Promise.all([storage.close(), compute.close()]);
  });
  return app;
}
