/**
 * Turns a 200/206 response body into exactly the requested bytes. When the length is known up front the bytes go
 * straight into one buffer of that length (each received byte copied once); otherwise chunks are kept and joined
 * once at the end. Either way at most `maxBytes` are held, and a body of any other length than asked for is an
 * error, never data.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { ByteRange } from '../request/chunk-request.js';
import { type StoreName, tooLarge, upstreamError } from './transport.js';

export interface ResponseParts {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

interface ContentRange {
  start: number;
  end: number;
}

export async function readRangeBody(
  res: ResponseParts,
  range: ByteRange,
  maxBytes: number,
  store: StoreName,
): Promise<Uint8Array> {
  const contentLength = parseLength(res.headers['content-length']);
  const isRanged = range.hasOffset || range.size !== undefined;
  if (res.statusCode === 206) {
    const contentRange = parseContentRange(res.headers['content-range']);
    if (contentRange !== undefined && contentRange.start !== range.offset) {
      discard(res.body);
      throw upstreamError('UPSTREAM_ERROR', store, [
        `asked for bytes from offset ${range.offset}, the store sent bytes ${contentRange.start}-${contentRange.end}`,
      ]);
    }
    const announced = contentRange ? contentRange.end - contentRange.start + 1 : contentLength;
    if (range.size !== undefined && announced !== undefined && announced !== range.size) {
      discard(res.body);
      if (announced < range.size) throw shortRead(range, announced, store);
      throw upstreamError('UPSTREAM_ERROR', store, [
        `asked for ${range.size} bytes, the store announced ${announced}`,
      ]);
    }
    return readExactly(res.body, announced ?? range.size, range, maxBytes, store);
  }
  // 200: the whole object. Fine when no range was asked for (or `bytes=0-`); otherwise the server ignored the
  // Range header and the window is cut out here.
  if (!isRanged || (range.offset === 0 && range.size === undefined)) {
    return readExactly(res.body, contentLength, range, maxBytes, store);
  }
  if (contentLength !== undefined) {
    const available = Math.max(0, contentLength - range.offset);
    if (range.size !== undefined ? available < range.size : available === 0) {
      discard(res.body);
      throw shortRead(range, available, store);
    }
  }
  return readWindow(res.body, range, maxBytes, store);
}

/** The body must hold `expected` bytes exactly (when known). */
async function readExactly(
  body: Readable,
  expected: number | undefined,
  range: ByteRange,
  maxBytes: number,
  store: StoreName,
): Promise<Uint8Array> {
  if (expected === undefined) return collect(body, 0, maxBytes, store);
  if (expected > maxBytes) {
    discard(body);
    throw tooLarge(expected, maxBytes, store);
  }
  const out = allocate(expected);
  let filled = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (filled + chunk.length > expected) {
      throw upstreamError('UPSTREAM_ERROR', store, [
        `the store sent more than the ${expected} bytes it announced`,
      ]);
    }
    out.set(chunk, filled);
    filled += chunk.length;
  }
  if (filled < expected) {
    if (range.size !== undefined) throw shortRead(range, filled, store);
    throw upstreamError('UPSTREAM_UNAVAILABLE', store, [
      `the response ended after ${filled} of the ${expected} bytes announced`,
    ]);
  }
  return out;
}

/** A 200 to a ranged request: skip `offset` bytes, keep `size` (or the rest), stop reading once full. */
async function readWindow(
  body: Readable,
  range: ByteRange,
  maxBytes: number,
  store: StoreName,
): Promise<Uint8Array> {
  if (range.size === undefined) {
    const rest = await collect(body, range.offset, maxBytes, store);
    if (rest.length === 0) throw shortRead(range, 0, store);
    return rest;
  }
  const out = allocate(range.size);
  let seen = 0;
  let filled = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const from = Math.max(0, range.offset - seen);
    seen += chunk.length;
    if (from >= chunk.length) continue;
    const take = Math.min(chunk.length - from, range.size - filled);
    out.set(chunk.subarray(from, from + take), filled);
    filled += take;
    // Leaving the loop destroys the body: the rest of the object is never downloaded.
    if (filled === range.size) return out;
  }
  throw shortRead(range, filled, store);
}

/** Unknown length: keep the chunks (minus the first `skip` bytes) and join them once. */
async function collect(
  body: Readable,
  skip: number,
  maxBytes: number,
  store: StoreName,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let seen = 0;
  let kept = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const from = Math.max(0, skip - seen);
    seen += chunk.length;
    if (from >= chunk.length) continue;
    const piece = from === 0 ? chunk : chunk.subarray(from);
    kept += piece.length;
    if (kept > maxBytes) throw tooLarge(kept, maxBytes, store);
    chunks.push(piece);
  }
  const out = allocate(kept);
  let at = 0;
  for (const piece of chunks) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/**
 * Reads at most `limit` bytes of an error body as text, then drops the connection rather than download the rest.
 */
export async function readErrorText(body: Readable, limit = 65_536): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      kept += chunk.length;
      if (kept >= limit) break;
    }
  } catch {
    // The status already says what went wrong; a body that breaks off adds nothing worth failing over.
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/**
 * Drops a body we will not read; the connection closes rather than download it. undici reports a destroyed,
 * unfinished body as an 'error' event, which would be an uncaught exception without a listener.
 */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function shortRead(range: ByteRange, got: number, store: StoreName) {
  const wanted = range.size === undefined ? 'bytes' : `${range.size} bytes`;
  return upstreamError('UPSTREAM_BAD_REQUEST', store, [
    `short read: asked for ${wanted} at offset ${range.offset}, the object has ${got} bytes there`,
  ]);
}

/** Own, zero-offset memory (views of every element size can be laid over it); left unfilled as it is overwritten. */
function allocate(length: number): Uint8Array {
  const buf = Buffer.allocUnsafeSlow(length);
  return new Uint8Array(buf.buffer, buf.byteOffset, length);
}

function parseLength(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

function parseContentRange(value: string | string[] | undefined): ContentRange | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^bytes (\d+)-(\d+)\/(?:\d+|\*)$/.exec(value.trim());
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  return end < start ? undefined : { start, end };
}
