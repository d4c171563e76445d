/**
 * What the S3 and HTTP sources share: one keep-alive undici Agent per source (it keeps one connection pool per
 * upstream origin and drops pools that go idle), the per-read deadline, the Range header, and the translation of
 * network failures into our error codes.
 */
import type { LookupFunction } from 'node:net';
import type { Dispatcher } from 'undici';
import { ActiveStorageError, type ErrorCode } from '../errors.js';
import type { ByteRange } from '../request/chunk-request.js';

export interface TransportOptions {
  /** Connections kept per upstream origin (host:port), shared by every request to it. */
  maxConnections: number;
  /** TCP + TLS connection set-up. */
  connectTimeoutMs: number;
  /** From sending the request to the end of the response headers. */
  headersTimeoutMs: number;
  /** Longest silence between two chunks of the response body. */
  bodyTimeoutMs: number;
  /** Whole read: connection, redirects, headers and body. */
  timeoutMs: number;
  /** Largest body a read may hold in memory; more → TOO_LARGE, before anything is buffered when known. */
  maxBytes: number;
  /** Replaces DNS resolution at connect time (the allow-list passes one that refuses addresses outside it). */
  lookup?: LookupFunction | undefined;
  /** Memory a body is read into (a buffer pool's acquire); default own memory per read. */
  allocate: Allocate;
  /** Gets back memory from `allocate` when the read fails after taking it; default nothing to do. */
  release: Release;
}

/**
 * Destination memory for a body: a view with byteOffset 0 and byteLength exactly `length`, over an ArrayBuffer that
 * may be larger (a pooled slab), so views of every element size can be laid over it.
 */
export type Allocate = (length: number) => Uint8Array;
/** Hands back memory from `Allocate` that will not reach the caller (the read failed). */
export type Release = (bytes: Uint8Array) => void;

/** Own, zero-offset memory; left unfilled as it is overwritten. */
export function allocateOwn(length: number): Uint8Array {
  const buf = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(buf.buffer, buf.byteOffset, length);
}

export const transportDefaults: Readonly<Omit<TransportOptions, 'lookup'>> = Object.freeze({
  maxConnections: 64,
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  timeoutMs: 120_000,
  maxBytes: 256 * 1024 * 1024,
  allocate: allocateOwn,
  release: (): void => {},
});

export type StoreName = 'S3' | 'HTTP';

export function upstreamMessage(store: StoreName): string {
  return `error retrieving object from ${store} storage`;
}

export function upstreamError(code: ErrorCode, store: StoreName, causedBy: string[], cause?: unknown) {
  return new ActiveStorageError(code, upstreamMessage(store), { causedBy, cause });
}

/** undici's keep-alive pools, made on first use. */
export interface LazyAgent {
  get(): Promise<Dispatcher>;
  close(): Promise<void>;
}

/**
 * undici is loaded when a read first needs it (https, or an answer the fast client leaves to it): plain-http
 * stores never do, and loading it costs ~6 MiB of resident memory.
 */
export function createAgent(opts: TransportOptions): LazyAgent {
  let agent: Promise<Dispatcher> | undefined;
  return {
    get() {
      agent ??= import('undici').then(
        ({ Agent }) =>
          new Agent({
            connections: opts.maxConnections,
            headersTimeout: opts.headersTimeoutMs,
            bodyTimeout: opts.bodyTimeoutMs,
            connect: { timeout: opts.connectTimeoutMs, ...(opts.lookup ? { lookup: opts.lookup } : {}) },
          }),
      );
      return agent;
    },
    async close() {
      await (await agent)?.close();
    },
  };
}

/** API.md §8.1: `bytes=o-e` with a size, `bytes=o-` with only an offset, nothing otherwise. */
export function rangeHeader(range: ByteRange): string | undefined {
  if (range.size !== undefined) return `bytes=${range.offset}-${range.offset + range.size - 1}`;
  if (range.hasOffset) return `bytes=${range.offset}-`;
  return undefined;
}

/** Refuses a range that can never fit the memory cap, before any connection is made. */
export function checkRangeSize(range: ByteRange, maxBytes: number, store: StoreName): void {
  if (range.size !== undefined && range.size > maxBytes) throw tooLarge(range.size, maxBytes, store);
}

export function tooLarge(bytes: number, maxBytes: number, store: StoreName): ActiveStorageError {
  return new ActiveStorageError('TOO_LARGE', `object range too large to fetch from ${store} storage`, {
    causedBy: [`${bytes} bytes requested, the server fetches at most ${maxBytes} bytes per read`],
  });
}

export interface Deadline {
  /** Aborts when the caller's signal does or when the read's own time is up. */
  signal: AbortSignal;
  expired(): boolean;
  dispose(): void;
}

/** A plain timer rather than `AbortSignal.timeout`/`any`, so nothing outlives the read. */
export function startDeadline(outer: AbortSignal, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let isExpired = false;
  const onOuterAbort = (): void => controller.abort(outer.reason);
  if (outer.aborted) onOuterAbort();
  else outer.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(() => {
    isExpired = true;
    controller.abort(new DOMException(`read took longer than ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  return {
    signal: controller.signal,
    expired: () => isExpired,
    dispose() {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuterAbort);
    },
  };
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Set by the allow-list's connect-time lookup when a name resolves only outside the allowed networks. */
export const FORBIDDEN_ADDRESS_CODE = 'ERR_UPSTREAM_ADDRESS_FORBIDDEN';

export interface FailureContext {
  store: StoreName;
  /** `host:port`, named in causes; never a full URL, whose query may hold a presigned signature. */
  host: string;
  /** The read's own time limit passed (rather than the caller giving up). */
  expired(): boolean;
  outer: AbortSignal;
  timeoutMs: number;
}

/**
 * Translates whatever a read threw. Classified by `code` (ours, undici's, Node's), never by class: undici errors
 * from another copy of undici (Node's fetch) are different classes with the same codes.
 */
export function classifyFailure(err: unknown, ctx: FailureContext): ActiveStorageError {
  if (err instanceof ActiveStorageError) return err;
  if (ctx.expired()) {
    return upstreamError('UPSTREAM_TIMEOUT', ctx.store, [
      `${ctx.host} did not deliver the object within ${ctx.timeoutMs} ms`,
    ]);
  }
  if (ctx.outer.aborted) {
    const reason: unknown = ctx.outer.reason;
    if (reason instanceof ActiveStorageError) return reason;
    return upstreamError('UPSTREAM_TIMEOUT', ctx.store, [
      `the read from ${ctx.host} was abandoned: ${describeError(reason)}`,
    ]);
  }
  const codes = errorCodes(err);
  const causes = [`request to ${ctx.host} failed`, describeError(err)];
  if (codes.includes(FORBIDDEN_ADDRESS_CODE)) {
    return new ActiveStorageError('FORBIDDEN_SOURCE', 'upstream is not an allowed source', {
      causedBy: [describeError(err)],
    });
  }
  if (codes.includes('UND_ERR_INVALID_ARG')) {
    // undici refused the request we built before sending it: our fault, not the store's.
    return new ActiveStorageError('INTERNAL', `could not build the request to ${ctx.store} storage`, {
      causedBy: [describeError(err)],
      cause: err,
    });
  }
  if (codes.some((code) => TIMEOUT_CODES.has(code))) {
    return upstreamError('UPSTREAM_TIMEOUT', ctx.store, causes, err);
  }
  // Refused, reset, DNS, TLS, a parser error or a body cut short: the store could not be read, a 502 not a bug.
  if (codes.length > 0) return upstreamError('UPSTREAM_UNAVAILABLE', ctx.store, causes, err);
  return new ActiveStorageError('INTERNAL', `unexpected failure reading from ${ctx.store} storage`, {
    causedBy: [describeError(err)],
    cause: err,
  });
}

/** `code` of the error, of its `cause` chain and of an AggregateError's members (Node's happy-eyeballs connect). */
function errorCodes(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 4) return [];
  const found: string[] = [];
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') found.push(code);
  found.push(...errorCodes(cause, depth + 1));
  if (Array.isArray(errors)) for (const inner of errors) found.push(...errorCodes(inner, depth + 1));
  return found;
}

export function describeError(err: unknown): string {
  const members = (err as { errors?: unknown })?.errors;
  if (err instanceof Error && err.message === '' && Array.isArray(members) && members.length > 0) {
    // Node's happy-eyeballs connect reports one failure per address tried, with an empty message of its own.
    return members.map(describeError).join('; ');
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const head =
      typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
    const inner = errorCodes(err.cause).length > 0 ? ` (${describeError(err.cause)})` : '';
    return `${head || err.name}${inner}`;
  }
  return String(err);
}

/**
 * Runs one upstream read under its deadline and translates whatever it throws (classifyFailure); `host` is read
 * at failure time because redirects move it.
 */
export async function underDeadline<T>(
  outer: AbortSignal,
  timeoutMs: number,
  store: StoreName,
  host: () => string,
  read: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = startDeadline(outer, timeoutMs);
  try {
    return await read(deadline.signal);
  } catch (err) {
    throw classifyFailure(err, { store, host: host(), expired: deadline.expired, outer, timeoutMs });
  } finally {
    deadline.dispose();
  }
}

/** Why a read was aborted: the signal's own reason when it is an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('the read was aborted', 'AbortError');
}

/** Fewer bytes at the offset than the read asked for (API.md §9: 400), worded the same by both HTTP clients. */
export function shortRead(range: ByteRange, got: number, store: StoreName): ActiveStorageError {
  const wanted = range.size === undefined ? 'bytes' : `${range.size} bytes`;
  return upstreamError('UPSTREAM_BAD_REQUEST', store, [
    `short read: asked for ${wanted} at offset ${range.offset}, the object has ${got} bytes there`,
  ]);
}

/** `raw` as an absolute http(s) URL, or a 400 whose cause says what `subject` (may be empty) must be. */
export function parseHttpUrl(raw: string, subject: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // Reported below with the same words as an unsupported scheme.
  }
  throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
    causedBy: [`url: ${subject === '' ? '' : `${subject} `}must be an absolute http:// or https:// URL`],
  });
}
