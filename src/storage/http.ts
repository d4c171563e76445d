/**
 * `interface_type: "http"` / `"https"` (API.md §8.2): a ranged GET of the URL as given, Basic credentials passed
 * through, redirects followed by hand so that each hop can be checked against the allow-list and credentials
 * are dropped once the origin changes.
 */
import { STATUS_CODES } from 'node:http';
import { ActiveStorageError, type ErrorCode } from '../errors.js';
import type { Credentials } from '../request/chunk-request.js';
import type { ByteSource, ReadRequest } from './byte-source.js';
import { FastHttpClient, type FastOutcome } from './fast-http.js';
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
    const url = parseHttpUrl(location.url, '');
    const headers: Record<string, string> = {};
    const byteRange = rangeHeader(range);
    if (byteRange !== undefined) headers.range = byteRange;
    if (credentials !== undefined) headers.authorization = basic(credentials);
    return { url, headers };
  }

  /**
   * Walks the redirect chain from the request's URL: `ask` asks one URL; an error answer is reported, a redirect
   * checked (hop count, allow-list) and followed, the credentials dropped once the origin changes (as fetch does).
   */
  async function followRedirects<T>(
    req: ReadRequest,
    start: { url: URL; headers: Record<string, string> },
    ask: (url: URL, headers: Record<string, string>) => Promise<T | StatusAnswer>,
  ): Promise<T> {
    let url = start.url;
    const headers = start.headers;
    for (let redirects = 0; ; redirects++) {
      const answer = await ask(url, headers);
      if (!isStatusAnswer(answer)) return answer;
      if (!REDIRECTS.has(answer.status) || answer.location === undefined) {
        throw httpStatusError(answer.status, answer.text, req.credentials);
      }
      if (redirects >= opts.maxRedirects) {
        throw upstreamError('UPSTREAM_BAD_REQUEST', 'HTTP', [
          `more than ${opts.maxRedirects} redirects, the last from ${url.host}`,
        ]);
      }
      const next = redirectTarget(answer.location, url);
      await opts.checkRedirect?.(next);
      if (next.origin !== url.origin) delete headers.authorization;
      url = next;
    }
  }

  async function read(req: ReadRequest): Promise<Uint8Array> {
    const { range } = req;
    const start = prepare(req);
    let current = start.url;
    return underDeadline(
      req.signal,
      opts.timeoutMs,
      'HTTP',
      () => current.host,
      (signal) =>
        followRedirects(req, start, async (url, headers): Promise<Uint8Array | StatusAnswer> => {
          current = url;
          const path = `${url.pathname}${url.search}`;
          const whole = await fast.readWhole(
            { url, path, headers, range, signal, store: 'HTTP', timeoutMs: opts.timeoutMs },
            opts.allocate,
            opts.release,
          );
          if (whole instanceof Uint8Array || whole.kind === 'status') return whole;
          const res = await getRange(await agent.get(), {
            origin: url.origin,
            path,
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
          return {
            kind: 'status',
            status: res.statusCode,
            location: typeof location === 'string' ? location : undefined,
            text: res.text,
          };
        }),
    );
  }

  return {
    read,
    async stream(req, open) {
      // One deadline for the whole chain, as on the buffered path; a chain that leaves plain http is declined and
      // read whole instead.
      const { range, signal } = req;
      const deadlineAt = performance.now() + opts.timeoutMs;
      const outcome = await followRedirects(req, prepare(req), (url, headers) => {
        const timeoutMs = Math.max(1, Math.round(deadlineAt - performance.now()));
        return fast.stream(
          { url, path: `${url.pathname}${url.search}`, headers, range, signal, store: 'HTTP', timeoutMs },
          open,
        );
      });
      return outcome.kind === 'done';
    },
    close: async () => {
      await Promise.all([agent.close(), fast.close()]);
    },
  };
}

/** An answer other than 200/206 from either client: an error to report or a redirect to follow. */
type StatusAnswer = Extract<FastOutcome, { kind: 'status' }>;

function isStatusAnswer(answer: unknown): answer is StatusAnswer {
  return (answer as { kind?: unknown } | null)?.kind === 'status';
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
