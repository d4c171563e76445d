/**
 * `interface_type: "http"` / `"https"` (API.md §8.2): a ranged GET of the URL as given, Basic credentials passed
 * through, redirects followed by hand so that each hop can be checked against the allow-list and credentials
 * are dropped once the origin changes.
 */
import { STATUS_CODES } from 'node:http';
import { ActiveStorageError, type ErrorCode } from '../errors.js';
import type { Credentials } from '../request/chunk-request.js';
import type { ByteSource, ReadRequest } from './byte-source.js';
import { FastHttpClient } from './fast-http.js';
import { getRange } from './read-body.js';
import {
  checkRangeSize,
  createAgent,
  rangeHeader,
  type TransportOptions,
  transportDefaults,
  underDeadline,
  upstreamError,
} from './transport.js';

export interface HttpSourceOptions extends TransportOptions {
  /** Redirects followed before giving up (API.md §8.2: 10). */
  maxRedirects: number;
  /** Called with every redirect target before it is contacted; throws to refuse it (the allow-list). */
  checkRedirect?: ((url: URL) => Promise<void>) | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const EXCERPT_CHARS = 200;

export function createHttpSource(options: Partial<HttpSourceOptions> = {}): ByteSource {
  const opts: HttpSourceOptions = { ...transportDefaults, maxRedirects: 10, ...options };
  const agent = createAgent(opts);

  const fast = new FastHttpClient(opts);

  function prepare(req: ReadRequest): { url: URL; headers: Record<string, string> } {
    const { location, range, credentials } = req;
    if (location.kind !== 'http') {
      throw new ActiveStorageError('INTERNAL', `the HTTP source was handed a ${location.kind} location`);
    }
    checkRangeSize(range, opts.maxBytes, 'HTTP');
    const url = parseHttpUrl(location.url);
    const headers: Record<string, string> = {};
    const byteRange = rangeHeader(range);
    if (byteRange !== undefined) headers.range = byteRange;
    if (credentials !== undefined) headers.authorization = basic(credentials);
    return { url, headers };
  }

  async function read(req: ReadRequest): Promise<Uint8Array> {
    const { range, credentials } = req;
    const prepared = prepare(req);
    let url = prepared.url;
    const headers = prepared.headers;

    return underDeadline(
      req.signal,
      opts.timeoutMs,
      'HTTP',
      () => url.host,
      async (signal) => {
        for (let redirects = 0; ; redirects++) {
          const res = await getRange(agent, {
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            headers,
            range,
            maxBytes: opts.maxBytes,
            store: 'HTTP',
            signal,
            // A redirect's body is read (and the connection kept) when it is this small, as error pages are.
            errorBodyLimit: 4096,
            allocate: opts.allocate,
            release: opts.release,
          });
          if (res.ok) return res.bytes;
          const location = res.headers.location;
          if (!REDIRECTS.has(res.statusCode) || typeof location !== 'string') {
            throw httpStatusError(res.statusCode, res.text, credentials);
          }
          if (redirects >= opts.maxRedirects) {
            throw upstreamError('UPSTREAM_BAD_REQUEST', 'HTTP', [
              `more than ${opts.maxRedirects} redirects, the last from ${url.host}`,
            ]);
          }
          const next = redirectTarget(location, url);
          await opts.checkRedirect?.(next);
          // Credentials were given for the origin the client named; another origin never sees them (as fetch).
          if (next.origin !== url.origin) delete headers.authorization;
          url = next;
        }
      },
    );
  }

  return {
    read,
    async stream(req, open) {
      const { url, headers } = prepare(req);
      return fast.stream(url, `${url.pathname}${url.search}`, headers, req, 'HTTP', opts.timeoutMs, open);
    },
    close: async () => {
      await Promise.all([agent.close(), fast.close()]);
    },
  };
}

/** API.md §9: 404/410 → not found, 401/403 → unauthorized (401), other 4xx → 400, 5xx → 502. */
export function httpStatusError(status: number, body: string, credentials?: Credentials): ActiveStorageError {
  let code: ErrorCode;
  if (status === 404 || status === 410) code = 'UPSTREAM_NOT_FOUND';
  else if (status === 401 || status === 403) code = 'UPSTREAM_UNAUTHORIZED';
  else if (status >= 500) code = 'UPSTREAM_UNAVAILABLE';
  else if (status >= 400) code = 'UPSTREAM_BAD_REQUEST';
  else code = 'UPSTREAM_ERROR';
  const causedBy = [`HTTP status ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd()];
  const excerpt = bodyExcerpt(body, credentials);
  if (excerpt !== '') causedBy.push(excerpt);
  return upstreamError(code, 'HTTP', causedBy);
}

/** One line of the upstream's error page; a server that echoes the request cannot leak the secret through it. */
function bodyExcerpt(body: string, credentials: Credentials | undefined): string {
  let text = body.replace(/\s+/g, ' ').trim();
  if (credentials !== undefined) {
    for (const secret of [credentials.password, basic(credentials).slice('Basic '.length)]) {
      if (secret !== '') text = text.split(secret).join('***');
    }
  }
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function basic(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

function parseHttpUrl(raw: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // Reported below.
  }
  throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
    causedBy: ['url: must be an absolute http:// or https:// URL'],
  });
}

function redirectTarget(location: string, base: URL): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw upstreamError('UPSTREAM_BAD_REQUEST', 'HTTP', [`${base.host} redirected to an invalid URL`]);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw upstreamError('UPSTREAM_BAD_REQUEST', 'HTTP', [
      `${base.host} redirected to a ${next.protocol} URL; only http and https are followed`,
    ]);
  }
  return next;
}
