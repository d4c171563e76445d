/**
 * The hot path for plain-HTTP upstreams: a keep-alive HTTP/1.1 GET whose body the kernel copies straight into
 * memory the consumer chose (`net.Socket`'s `onread`), with no per-read allocation.
 *
 * Why not undici alone: undici (and node:http) read every socket chunk into a fresh 64 KiB buffer and then copy it,
 * so a 64 MiB body costs 1,000 allocations, a second copy, and, at GB/s, a stream of old-space collections on the
 * main thread (measured: 63 Mark-Compacts in 4 s, event-loop p99 49-89 ms under 8 x 64 MiB). One 64 MiB GET from
 * nginx on loopback, best of 10: undici `dispatch` into a pooled buffer 1.4 GB/s, `onread` into the final buffer
 * 1.9-2.0 GB/s; into a 256 KiB buffer that a kernel reduces while it is still in cache, wrk's own rate
 * (docs/performance.md). So this client handles only the common case and declines everything else, before any body
 * byte is delivered, to the undici path (which reports errors, follows redirects and speaks TLS): a 206 (or a 200
 * for a read from offset 0) with a Content-Length that matches the request. Declining closes the connection; the
 * cost is one more GET for a request that was going to fail or redirect anyway.
 */
import { connect, type LookupFunction, type Socket } from 'node:net';
import type { ByteRange } from '../request/chunk-request.js';
import type { BodySink, OpenSink } from './byte-source.js';
import { classifyFailure, type StoreName, tooLarge, upstreamError } from './transport.js';

export interface FastHttpOptions {
  /** Connections kept per origin; when all are busy the request is declined (undici's pool queues it). */
  maxConnections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Longest body accepted (TOO_LARGE beyond), as on the undici path, though a streamed body is never held. */
  maxBytes: number;
  lookup?: LookupFunction | undefined;
}

export interface FastGet {
  /** An `http:` URL's origin parts. */
  hostname: string;
  port: number;
  /** Path and query, already encoded. */
  path: string;
  /** Request headers, lower-case names; `host` is added when missing. */
  headers: Record<string, string>;
  range: ByteRange;
  store: StoreName;
  signal: AbortSignal;
  open: OpenSink;
  /** The whole read's time limit; none when absent (the phase timeouts still apply). */
  deadline?: ReadDeadline | undefined;
}

/**
 * The read's deadline, kept by the exchange's own timer; `expired` is set when it passed. Measured (issue 6): an
 * AbortController, its listener on the caller's signal and a second timer per read (transport.ts's `startDeadline`)
 * were ~6% of the server's busy time on 64 KiB-1 MiB reads.
 */
export interface ReadDeadline {
  timeoutMs: number;
  expired: boolean;
}

/** Header bytes a response may have; more is declined (it is no ordinary object store answer). */
const HEAD_BUFFER_BYTES = 16 * 1024;
/** Idle keep-alive connections close after this, before a typical server (nginx 75 s, S3 ~20 s) drops them. */
const IDLE_MS = 4_000;
/**
 * Body bytes the client hands to sinks in one event-loop turn before it pauses its sockets until the next: a sink
 * may run a kernel on each read, and libuv serves up to 32 reads per socket per turn, so without a cap eight busy
 * sockets could hold the loop for tens of milliseconds.
 */
const TURN_BUDGET_BYTES = 8 * 1024 * 1024;

type Outcome = 'done' | 'declined';

interface Exchange {
  get: FastGet;
  resolve: (outcome: Outcome) => void;
  reject: (err: unknown) => void;
  /** Response head bytes seen so far (only when the head spans reads). */
  head: Buffer | undefined;
  sink: BodySink | undefined;
  remaining: number;
  keepAlive: boolean;
  /** Any byte of the response arrived: a failure from here on is not a stale connection. */
  answered: boolean;
  /** The phase timeout (connect, then headers) or, once the headers are in, the read's deadline. */
  timer: NodeJS.Timeout | undefined;
  /** `performance.now()` when the read's deadline passes (Infinity without one). */
  deadlineAt: number;
  onAbort: (() => void) | undefined;
}

class Connection {
  readonly socket: Socket;
  readonly headBuffer = Buffer.allocUnsafeSlow(HEAD_BUFFER_BYTES);
  exchange: Exchange | undefined;
  /** Finished at least one exchange: its failure before any answer may be a server-side idle close. */
  reused = false;
  connected = false;

  constructor(
    private readonly client: FastHttpClient,
    readonly key: string,
    hostname: string,
    port: number,
    lookup: LookupFunction | undefined,
  ) {
    this.socket = connect({
      host: hostname,
      port,
      noDelay: true,
      ...(lookup ? { lookup } : {}),
      onread: { buffer: () => this.nextBuffer(), callback: (n, buf) => this.onRead(n, buf) },
    });
    this.socket.once('connect', () => {
      this.connected = true;
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      this.client.forget(this);
      const ex = this.exchange;
      if (ex !== undefined) this.fail(closedEarly(ex));
    });
    this.socket.on('timeout', () => {
      const ex = this.exchange;
      if (ex === undefined) this.socket.destroy();
      else this.fail(timeoutError(`no body bytes for ${this.client.options.bodyTimeoutMs} ms`));
    });
  }

  private nextBuffer(): Uint8Array {
    const ex = this.exchange;
    if (ex?.sink === undefined) return this.headBuffer;
    const buf = ex.sink.readBuffer();
    // Never read past the body: whatever follows it would belong to no exchange.
    return buf.byteLength > ex.remaining ? buf.subarray(0, ex.remaining) : buf;
  }

  private onRead(n: number, buf: Uint8Array): boolean {
    const ex = this.exchange;
    if (ex === undefined) {
      // Bytes on an idle connection: nothing asked for them, so the connection can no longer be trusted.
      this.socket.destroy();
      return false;
    }
    ex.answered = true;
    try {
      if (ex.sink === undefined) this.onHead(ex, buf.subarray(0, n));
      else {
        ex.remaining -= n;
        ex.sink.filled(n);
        if (ex.remaining === 0) this.finish(ex);
      }
    } catch (err) {
      this.fail(err);
      return false;
    }
    return this.client.spend(n, this.socket);
  }

  private onHead(ex: Exchange, bytes: Uint8Array): void {
    let head = ex.head === undefined ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) : undefined;
    if (head === undefined) {
      head = Buffer.concat([ex.head as Buffer, bytes]);
      ex.head = head;
    }
    const end = head.indexOf('\r\n\r\n', 0, 'latin1');
    if (end < 0) {
      if (head.length >= HEAD_BUFFER_BYTES) {
        this.decline(ex);
        return;
      }
      // The head continues in the next read, which lands in the same buffer: keep a copy of this part.
      if (ex.head === undefined) ex.head = Buffer.from(head);
      return;
    }
    const response = parseHead(head.toString('latin1', 0, end));
    const length = response === undefined ? undefined : acceptedLength(response, ex.get.range);
    if (response === undefined || length === undefined) {
      this.decline(ex);
      return;
    }
    ex.head = undefined;
    ex.keepAlive = response.keepAlive;
    this.socket.setTimeout(this.client.options.bodyTimeoutMs);
    const body = head.subarray(end + 4);
    if (body.length > length) {
      throw upstreamError('UPSTREAM_ERROR', ex.get.store, [
        `the store sent more than the ${length} bytes it announced`,
      ]);
    }
    if (length > this.client.options.maxBytes)
      throw tooLarge(length, this.client.options.maxBytes, ex.get.store);
    ex.sink = ex.get.open(length);
    ex.remaining = length - body.length;
    if (body.length > 0) ex.sink.write(body);
    if (ex.remaining === 0) this.finish(ex);
  }

  start(ex: Exchange): void {
    this.exchange = ex;
    const { get } = ex;
    const timeout = this.connected
      ? this.client.options.headersTimeoutMs
      : this.client.options.connectTimeoutMs;
    this.armTimer(
      ex,
      timeout,
      this.connected ? `no response headers within ${timeout} ms` : `connect timed out`,
    );
    this.socket.setTimeout(0);
    let text = `GET ${get.path} HTTP/1.1\r\n`;
    if (!('host' in get.headers)) text += `host: ${hostHeader(get.hostname, get.port)}\r\n`;
    for (const [name, value] of Object.entries(get.headers)) text += `${name}: ${value}\r\n`;
    this.socket.write(`${text}\r\n`, 'latin1');
    if (!this.connected) {
      this.socket.once('connect', () => {
        if (this.exchange !== ex || ex.timer === undefined) return;
        clearTimeout(ex.timer);
        const headersMs = this.client.options.headersTimeoutMs;
        this.armTimer(ex, headersMs, `no response headers within ${headersMs} ms`);
      });
    }
  }

  /**
   * One timer per exchange serves both the phase timeout and the read's deadline, whichever comes first. It is not
   * re-armed when the headers arrive (a clear and a set per read): if it fires after them, it re-arms for what is
   * left of the deadline.
   */
  private armTimer(ex: Exchange, phaseMs: number, message: string): void {
    const left = ex.deadlineAt - performance.now();
    if (left <= phaseMs) {
      ex.timer = setTimeout(() => this.expire(ex), Math.max(0, left));
      return;
    }
    ex.timer = setTimeout(() => {
      if (this.exchange !== ex) return;
      if (ex.sink === undefined) this.fail(timeoutError(message));
      else this.armDeadline(ex);
    }, phaseMs);
  }

  private armDeadline(ex: Exchange): void {
    const left = ex.deadlineAt - performance.now();
    ex.timer =
      left === Number.POSITIVE_INFINITY ? undefined : setTimeout(() => this.expire(ex), Math.max(0, left));
  }

  private expire(ex: Exchange): void {
    if (this.exchange !== ex) return;
    const deadline = ex.get.deadline!;
    deadline.expired = true;
    this.fail(new DOMException(`read took longer than ${deadline.timeoutMs} ms`, 'TimeoutError'));
  }

  /** Not ours to handle: the caller takes the undici path. The connection is dropped, body unread. */
  private decline(ex: Exchange): void {
    this.detach(ex);
    this.socket.destroy();
    ex.resolve('declined');
  }

  private finish(ex: Exchange): void {
    this.detach(ex);
    if (ex.keepAlive) {
      this.reused = true;
      this.client.idle(this);
    } else this.socket.destroy();
    ex.resolve('done');
  }

  fail(err: unknown): void {
    const ex = this.exchange;
    this.socket.destroy();
    if (ex === undefined) return;
    this.detach(ex);
    // A reused connection that closes or resets before any answer was most likely closed by the server while
    // idle: once more on a new connection. A timeout or an abort is an answer in itself.
    if (this.reused && !ex.answered && isConnectionLoss(err)) {
      this.client.forget(this);
      this.client.retry(ex);
    } else ex.reject(err);
  }

  private detach(ex: Exchange): void {
    clearTimeout(ex.timer);
    ex.timer = undefined;
    if (ex.onAbort !== undefined) ex.get.signal.removeEventListener('abort', ex.onAbort);
    ex.onAbort = undefined;
    this.exchange = undefined;
  }
}

export class FastHttpClient {
  private readonly pools = new Map<string, { idle: Connection[]; open: Set<Connection> }>();
  private spent = 0;
  private paused: Socket[] = [];
  private turnScheduled = false;
  private closed = false;

  constructor(readonly options: FastHttpOptions) {}

  /** Streams the body into `get.open(length)`'s sink; 'declined' before any sink is opened when it can't. */
  get(get: FastGet): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      const ex: Exchange = {
        get,
        resolve,
        reject,
        head: undefined,
        sink: undefined,
        remaining: 0,
        keepAlive: false,
        answered: false,
        timer: undefined,
        deadlineAt:
          get.deadline === undefined ? Number.POSITIVE_INFINITY : performance.now() + get.deadline.timeoutMs,
        onAbort: undefined,
      };
      this.dispatch(ex, false);
    });
  }

  retry(ex: Exchange): void {
    ex.answered = false;
    this.dispatch(ex, true);
  }

  private dispatch(ex: Exchange, fresh: boolean): void {
    if (this.closed) {
      ex.resolve('declined');
      return;
    }
    const { signal } = ex.get;
    if (signal.aborted) {
      ex.reject(abortReason(signal));
      return;
    }
    const key = `${ex.get.hostname}:${ex.get.port}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = { idle: [], open: new Set() };
      this.pools.set(key, pool);
    }
    let conn = fresh ? undefined : pool.idle.pop();
    if (conn === undefined) {
      if (pool.open.size >= this.options.maxConnections) {
        ex.resolve('declined');
        return;
      }
      conn = new Connection(this, key, ex.get.hostname, ex.get.port, this.options.lookup);
      pool.open.add(conn);
    }
    const target = conn;
    ex.onAbort = (): void => target.fail(abortReason(signal));
    signal.addEventListener('abort', ex.onAbort, { once: true });
    target.start(ex);
  }

  idle(conn: Connection): void {
    const pool = this.pools.get(conn.key);
    if (pool === undefined || this.closed) {
      conn.socket.destroy();
      return;
    }
    conn.socket.setTimeout(IDLE_MS);
    pool.idle.push(conn);
  }

  forget(conn: Connection): void {
    const pool = this.pools.get(conn.key);
    if (pool === undefined) return;
    pool.open.delete(conn);
    const at = pool.idle.indexOf(conn);
    if (at >= 0) pool.idle.splice(at, 1);
    if (pool.open.size === 0) this.pools.delete(conn.key);
  }

  /**
   * Counts body bytes delivered this turn; past the budget the socket pauses (false stops its reads) and every
   * paused socket resumes on the next turn, after timers and other I/O had their go.
   */
  spend(n: number, socket: Socket): boolean {
    this.spent += n;
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(() => {
        this.turnScheduled = false;
        this.spent = 0;
        const paused = this.paused;
        this.paused = [];
        for (const s of paused) if (!s.destroyed) s.resume();
      });
    }
    if (this.spent <= TURN_BUDGET_BYTES) return true;
    this.paused.push(socket);
    return false;
  }

  /**
   * `get` for a URL under the read's deadline, failures classified like the undici path's; false when declined or
   * when the URL is not plain http.
   */
  async stream(
    url: URL,
    path: string,
    headers: Record<string, string>,
    req: { range: ByteRange; signal: AbortSignal },
    store: StoreName,
    timeoutMs: number,
    open: OpenSink,
  ): Promise<boolean> {
    if (url.protocol !== 'http:') return false;
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? 80 : Number(url.port);
    // The exchange keeps the deadline itself (see ReadDeadline) and listens to the caller's signal directly;
    // failures are classified exactly as transport.ts's underDeadline does for the undici path.
    const deadline: ReadDeadline = { timeoutMs, expired: false };
    try {
      const outcome = await this.get({
        hostname,
        port,
        path,
        headers,
        range: req.range,
        store,
        signal: req.signal,
        open,
        deadline,
      });
      return outcome === 'done';
    } catch (err) {
      throw classifyFailure(err, {
        store,
        host: url.host,
        expired: () => deadline.expired,
        outer: req.signal,
        timeoutMs,
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pool of this.pools.values()) for (const conn of pool.open) conn.socket.destroy();
    this.pools.clear();
  }
}

interface ResponseHead {
  status: number;
  contentLength: number | undefined;
  contentRange: { start: number; end: number } | undefined;
  chunked: boolean;
  keepAlive: boolean;
}

function parseHead(text: string): ResponseHead | undefined {
  const lines = text.split('\r\n');
  const match = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!match) return undefined;
  const head: ResponseHead = {
    status: Number(match[2]),
    contentLength: undefined,
    contentRange: undefined,
    chunked: false,
    keepAlive: match[1] === '1',
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      // Two different lengths is a response smuggling shape: not ours to guess.
      if (!/^\d{1,15}$/.test(value) || (head.contentLength !== undefined && head.contentLength !== +value)) {
        return undefined;
      }
      head.contentLength = Number(value);
    } else if (name === 'content-range') {
      const range = /^bytes (\d{1,15})-(\d{1,15})\/(?:\d+|\*)$/.exec(value);
      if (range) head.contentRange = { start: Number(range[1]), end: Number(range[2]) };
    } else if (name === 'transfer-encoding') head.chunked = true;
    else if (name === 'connection') {
      const tokens = value.toLowerCase();
      if (tokens.includes('close')) head.keepAlive = false;
      else if (tokens.includes('keep-alive')) head.keepAlive = true;
    }
  }
  return head;
}

/** The body length when the answer is exactly the bytes asked for; otherwise the undici path decides. */
function acceptedLength(head: ResponseHead, range: ByteRange): number | undefined {
  const length = head.contentLength;
  if (head.chunked || length === undefined) return undefined;
  if (head.status === 206) {
    const cr = head.contentRange;
    if (cr === undefined || cr.start !== range.offset || cr.end - cr.start + 1 !== length) return undefined;
  } else if (head.status !== 200 || range.offset !== 0) return undefined;
  if (range.size !== undefined && length !== range.size) return undefined;
  return length;
}

function hostHeader(hostname: string, port: number): string {
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return port === 80 ? host : `${host}:${port}`;
}

function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

function closedEarly(ex: Exchange): Error {
  const message =
    ex.sink === undefined
      ? 'the connection closed before the response headers'
      : `the connection closed with ${ex.remaining} body bytes still to come`;
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('the read was aborted', 'AbortError');
}
