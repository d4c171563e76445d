/**
 * `interface_type: "s3"` (API.md §8.1): a path-style ranged GET, SigV4-signed with the caller's Basic credentials
 * or sent unsigned when there are none, classified by the store's own error Code (§9).
 */
import aws4 from 'aws4';
import { ActiveStorageError, type ErrorCode } from '../errors.js';
import type { ByteSource, ReadRequest } from './byte-source.js';
import { FastHttpClient, type FastRead } from './fast-http.js';
import { getRange } from './read-body.js';
import {
  checkRangeSize,
  createAgent,
  parseHttpUrl,
  rangeHeader,
  type TransportOptions,
  transportDefaults,
  underDeadline,
  upstreamError,
} from './transport.js';

export interface S3SourceOptions extends TransportOptions {
  /** SigV4 signing region (API.md §8.1 default `us-east-1`). */
  region: string;
}

/** Status and S3 error Code → our code (API.md §9); Codes not listed are the store's own fault. */
const S3_CODES: Record<string, ErrorCode> = {
  NoSuchKey: 'UPSTREAM_NOT_FOUND',
  NoSuchBucket: 'UPSTREAM_NOT_FOUND',
  InvalidObjectState: 'UPSTREAM_NOT_FOUND',
  InvalidRange: 'UPSTREAM_BAD_REQUEST',
  AccessDenied: 'UPSTREAM_UNAUTHORIZED',
  InvalidAccessKeyId: 'UPSTREAM_UNAUTHORIZED',
  SignatureDoesNotMatch: 'UPSTREAM_UNAUTHORIZED',
};

const HEX = Array.from({ length: 256 }, (_, byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`);
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const utf8 = new TextEncoder();

/** One path segment: every UTF-8 byte except `A-Z a-z 0-9 - . _ ~` as `%XX` (the encoding SigV4 signs). */
export function encodeS3Segment(segment: string): string {
  if (UNRESERVED.test(segment)) return segment;
  let out = '';
  for (const byte of utf8.encode(segment)) {
    // 0x2d - . 0x2e . 0x5f _ 0x7e ~ and alphanumerics stay as they are.
    const isUnreserved =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d ||
      byte === 0x2e ||
      byte === 0x5f ||
      byte === 0x7e;
    out += isUnreserved ? String.fromCharCode(byte) : HEX[byte];
  }
  return out;
}

/** A decoded key with its `/` separators kept: `a b/c(1)` → `a%20b/c%281%29`. */
export function encodeS3Key(key: string): string {
  return key.split('/').map(encodeS3Segment).join('/');
}

export function createS3Source(options: Partial<S3SourceOptions> = {}): ByteSource {
  const opts: S3SourceOptions = { ...transportDefaults, region: 'us-east-1', ...options };
  const agent = createAgent(opts);

  const fast = new FastHttpClient(opts);

  /** The endpoint, the path as sent and signed, and the (signed) headers of one ranged GET. */
  function prepare(req: ReadRequest): { endpoint: URL; path: string; headers: Record<string, string> } {
    const { location, range, credentials } = req;
    if (location.kind !== 's3') {
      throw new ActiveStorageError('INTERNAL', `the S3 source was handed a ${location.kind} location`);
    }
    checkRangeSize(range, opts.maxBytes, 'S3');
    const endpoint = parseHttpUrl(location.endpoint, 'the S3 endpoint');
    // The endpoint's own path prefix (a store behind a reverse proxy) is re-encoded the same way, so the path
    // sent and the path signed are one string.
    const prefix = endpoint.pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => `/${encodeS3Segment(safeDecode(segment))}`)
      .join('');
    const path = `${prefix}/${encodeS3Segment(location.bucket)}/${encodeS3Key(location.key)}`;

    let headers: Record<string, string> = {};
    const byteRange = rangeHeader(range);
    if (byteRange !== undefined) headers.range = byteRange;
    if (credentials !== undefined) {
      // The key id travels verbatim in the Authorization header; say so rather than fail inside the HTTP client.
      if (/[^\x20-\x7e\xa0-\xff]/.test(credentials.username)) {
        throw upstreamError('UPSTREAM_UNAUTHORIZED', 'S3', [
          'the access key id holds characters that cannot be sent in an HTTP header',
        ]);
      }
      const signed = aws4.sign(
        { host: endpoint.host, path, method: 'GET', service: 's3', region: opts.region, headers },
        { accessKeyId: credentials.username, secretAccessKey: credentials.password },
      );
      headers = signed.headers as Record<string, string>;
    }
    return { endpoint, path, headers };
  }

  function fastRead(req: ReadRequest, url: URL, path: string, headers: Record<string, string>): FastRead {
    const { range, signal } = req;
    return {
      url,
      path,
      headers: lowerCaseNames(headers),
      range,
      signal,
      store: 'S3',
      timeoutMs: opts.timeoutMs,
    };
  }

  async function read(req: ReadRequest): Promise<Uint8Array> {
    const { range } = req;
    const { endpoint, path, headers } = prepare(req);
    const startedAt = performance.now();
    const whole = await fast.readWhole(fastRead(req, endpoint, path, headers), opts.allocate, opts.release);
    if (whole instanceof Uint8Array) return whole;
    if (whole.kind === 'status') throw s3StatusError(whole.status, whole.text);
    // Declined by the fast client: undici gets what is left of the read's time.
    return underDeadline(
      req.signal,
      Math.max(1, Math.round(opts.timeoutMs - (performance.now() - startedAt))),
      'S3',
      () => endpoint.host,
      async (signal) => {
        const res = await getRange(await agent.get(), {
          origin: endpoint.origin,
          path,
          headers,
          range,
          maxBytes: opts.maxBytes,
          store: 'S3',
          signal,
          errorBodyLimit: 65_536,
          allocate: opts.allocate,
          release: opts.release,
        });
        if (res.ok) return res.bytes;
        throw s3StatusError(res.statusCode, res.text);
      },
    );
  }

  return {
    read,
    async stream(req, open) {
      const { endpoint, path, headers } = prepare(req);
      const outcome = await fast.stream(fastRead(req, endpoint, path, headers), open);
      if (outcome.kind === 'status') throw s3StatusError(outcome.status, outcome.text);
      return outcome.kind === 'done';
    },
    close: async () => {
      await Promise.all([agent.close(), fast.close()]);
    },
  };
}

/** The store's `<Code>` and `<Message>` verbatim when it sent them; otherwise the status decides. */
export function s3StatusError(status: number, body: string): ActiveStorageError {
  const code = xmlText(body, 'Code');
  const message = xmlText(body, 'Message');
  if (code !== undefined) {
    const causedBy = [`S3 error ${code}`];
    if (message !== undefined) causedBy.push(message);
    return upstreamError(S3_CODES[code] ?? 'UPSTREAM_ERROR', 'S3', causedBy);
  }
  // No error document: HEAD answers, an anonymous GET that some stores refuse bare, or a proxy in front.
  const causedBy = [`S3 answered HTTP ${status} with no error code`];
  if (status === 401 || status === 403) return upstreamError('UPSTREAM_UNAUTHORIZED', 'S3', causedBy);
  if (status === 404) return upstreamError('UPSTREAM_NOT_FOUND', 'S3', causedBy);
  if (status >= 500) return upstreamError('UPSTREAM_UNAVAILABLE', 'S3', causedBy);
  return upstreamError(status >= 400 ? 'UPSTREAM_BAD_REQUEST' : 'UPSTREAM_ERROR', 'S3', causedBy);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (!match) return undefined;
  return (match[1] ?? '').replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]+);/g, (whole, name: string) => {
    if (!name.startsWith('#')) return ENTITIES[name] ?? whole;
    const point = name.startsWith('#x')
      ? Number.parseInt(name.slice(2), 16)
      : Number.parseInt(name.slice(1), 10);
    return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });
}

/** aws4 names its headers `Host`, `X-Amz-Date`, ...; HTTP names are case-insensitive and ours are lower case. */
function lowerCaseNames(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
